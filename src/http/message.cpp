#include "http/message.hpp"

#include <boost/json/object.hpp>

#include "http/json_text.hpp"

namespace vela::http {

Response make_response(Status status, std::string_view content_type, base::Buffer body) {
  Response res{status, 11};
  if (!content_type.empty()) res.set(beast_http::field::content_type, content_type);
  if (!body.empty()) res.body().push_back(std::move(body));
  return res;
}

Response text_response(Status status, std::string_view text) {
  std::string line(text);
  line += "\n";
  Response res = make_response(status, "text/plain; charset=utf-8", base::Buffer::copy_of(line));
  res.set(beast_http::field::cache_control, "no-store");
  return res;
}

Response json_response(Status status, std::string body) {
  std::vector<uint8_t> bytes(body.begin(), body.end());
  Response res = make_response(status, "application/json", base::Buffer::adopt(std::move(bytes)));
  res.set(beast_http::field::cache_control, "no-store");
  return res;
}

Response json_response(Status status, const boost::json::value& body) { return json_response(status, json_text(body)); }

Response error_response(Status status, std::string_view message) {
  return json_response(status, boost::json::object{{"error", message}});
}

}  // namespace vela::http
