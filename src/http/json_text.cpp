#include "http/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>

namespace vela::http {

namespace json = boost::json;

namespace {

void append_number(std::string& out, double number) {
  // JSON has no NaN or infinity: such a value is no number at all.
  if (!std::isfinite(number)) {
    out += "null";
    return;
  }
  char text[32];
  // The shortest text that reads back as the same number, in plain notation unless the
  // number is extreme.
  auto result = std::to_chars(text, text + sizeof text, number);
  std::string_view written(text, result.ptr - text);
  if (written.find('e') != std::string_view::npos && std::fabs(number) >= 1e-6 && std::fabs(number) < 1e15) {
    result = std::to_chars(text, text + sizeof text, number, std::chars_format::fixed);
    written = std::string_view(text, result.ptr - text);
  }
  out += written;
}

void append(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::double_:
      append_number(out, value.get_double());
      return;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out += ',';
        first = false;
        append(out, item);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::string_view(key));
        out += ':';
        append(out, item);
      }
      out += '}';
      return;
    }
    default:
      out += json::serialize(value);  // strings (escaped), integers, booleans, null
  }
}

}  // namespace

std::string json_text(const json::value& value) {
  std::string out;
  append(out, value);
  return out;
}

}  // namespace vela::http
