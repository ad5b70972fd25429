#include "format/amf0.hpp"

#include <cstdio>
#include <string>

namespace vela::format {

namespace {

std::string hex_byte(uint8_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}

base::Error truncated(const char* what) {
  return base::make_error(std::string("AMF0: truncated ") + what);
}

// Reads a UTF-8 string with a 16-bit (short) or 32-bit (long) length prefix.
bool read_string(base::ByteReader& r, bool long_form, std::string& out) {
  size_t n = long_form ? r.u32be() : r.u16be();
  auto bytes = r.bytes(n);
  if (!r.ok()) return false;
  out.assign(bytes.begin(), bytes.end());
  return true;
}

class Decoder {
 public:
  explicit Decoder(base::ByteReader& r) : r_(r) {}

  base::Result<Amf0Value> value(int depth) {
    uint8_t marker = r_.u8();
    if (!r_.ok()) return truncated("value marker");
    switch (static_cast<Amf0Type>(marker)) {
      case Amf0Type::number: {
        double v = r_.f64be();
        if (!r_.ok()) return truncated("number");
        return Amf0Value::number(v);
      }
      case Amf0Type::boolean: {
        uint8_t v = r_.u8();
        if (!r_.ok()) return truncated("boolean");
        return Amf0Value::boolean(v != 0);
      }
      case Amf0Type::string:
      case Amf0Type::long_string: {
        std::string s;
        if (!read_string(r_, marker == static_cast<uint8_t>(Amf0Type::long_string), s)) {
          return truncated("string");
        }
        return Amf0Value::string(std::move(s));
      }
      case Amf0Type::null:
        return Amf0Value::null();
      case Amf0Type::undefined:
        return Amf0Value::undefined();
      case Amf0Type::object:
        return properties(depth, Amf0Value::object(), 0);
      case Amf0Type::ecma_array: {
        uint32_t count = r_.u32be();
        if (!r_.ok()) return truncated("ECMA array count");
        return properties(depth, Amf0Value::ecma_array(), count);
      }
      case Amf0Type::strict_array:
        return strict_array(depth);
      case Amf0Type::date: {
        double ms = r_.f64be();
        auto tz = static_cast<int16_t>(r_.u16be());
        if (!r_.ok()) return truncated("date");
        return Amf0Value::date(ms, tz);
      }
      case Amf0Type::object_end:
        return base::make_error("AMF0: object end marker outside an object");
    }
    return base::make_error("AMF0: unsupported type marker " + hex_byte(marker));
  }

 private:
  // Properties until the empty key and object-end marker. An ECMA array whose input ends
  // right after its announced `count` properties without the end marker (some encoders
  // omit it) is accepted.
  base::Result<Amf0Value> properties(int depth, Amf0Value out, uint32_t count) {
    if (depth >= kAmf0MaxDepth) return base::make_error("AMF0: nesting too deep");
    for (;;) {
      if (out.type() == Amf0Type::ecma_array && r_.empty() && out.properties().size() >= count) {
        return out;
      }
      std::string key;
      if (!read_string(r_, false, key)) return truncated("property name");
      if (key.empty()) {
        base::ByteReader peek = r_;
        uint8_t marker = peek.u8();
        if (!peek.ok()) return truncated("object end");
        if (marker == static_cast<uint8_t>(Amf0Type::object_end)) {
          r_ = peek;
          return out;
        }
      }
      auto v = value(depth + 1);
      if (!v) return v.error();
      out.set(std::move(key), std::move(v).value());
    }
  }

  base::Result<Amf0Value> strict_array(int depth) {
    if (depth >= kAmf0MaxDepth) return base::make_error("AMF0: nesting too deep");
    uint32_t count = r_.u32be();
    if (!r_.ok()) return truncated("strict array count");
    // Every element takes at least one byte, so a larger count cannot be honest.
    if (count > r_.remaining()) return truncated("strict array");
    std::vector<Amf0Value> elements;
    elements.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      auto v = value(depth + 1);
      if (!v) return v.error();
      elements.push_back(std::move(v).value());
    }
    return Amf0Value::strict_array(std::move(elements));
  }

  base::ByteReader& r_;
};

void encode_key(std::string_view key, base::ByteWriter& w) {
  // Property names have a 16-bit length; longer names are cut rather than corrupt framing.
  if (key.size() > 0xFFFF) key = key.substr(0, 0xFFFF);
  w.u16be(static_cast<uint16_t>(key.size()));
  w.text(key);
}

void encode_properties(const Amf0Properties& properties, base::ByteWriter& w) {
  for (const auto& [key, value] : properties) {
    encode_key(key, w);
    amf0_encode(value, w);
  }
  w.u16be(0);
  w.u8(static_cast<uint8_t>(Amf0Type::object_end));
}

}  // namespace

Amf0Value Amf0Value::number(double v) {
  Amf0Value out;
  out.type_ = Amf0Type::number;
  out.number_ = v;
  return out;
}

Amf0Value Amf0Value::boolean(bool v) {
  Amf0Value out;
  out.type_ = Amf0Type::boolean;
  out.number_ = v ? 1 : 0;
  return out;
}

Amf0Value Amf0Value::string(std::string v) {
  Amf0Value out;
  out.type_ = Amf0Type::string;
  out.string_ = std::move(v);
  return out;
}

Amf0Value Amf0Value::null() {
  Amf0Value out;
  out.type_ = Amf0Type::null;
  return out;
}

Amf0Value Amf0Value::object(Amf0Properties properties) {
  Amf0Value out;
  out.type_ = Amf0Type::object;
  out.properties_ = std::move(properties);
  return out;
}

Amf0Value Amf0Value::ecma_array(Amf0Properties properties) {
  Amf0Value out;
  out.type_ = Amf0Type::ecma_array;
  out.properties_ = std::move(properties);
  return out;
}

Amf0Value Amf0Value::strict_array(std::vector<Amf0Value> elements) {
  Amf0Value out;
  out.type_ = Amf0Type::strict_array;
  out.elements_ = std::move(elements);
  return out;
}

Amf0Value Amf0Value::date(double ms, int16_t timezone) {
  Amf0Value out;
  out.type_ = Amf0Type::date;
  out.number_ = ms;
  out.timezone_ = timezone;
  return out;
}

const Amf0Value* Amf0Value::find(std::string_view key) const {
  for (const auto& [k, v] : properties_) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string Amf0Value::string_at(std::string_view key) const {
  const Amf0Value* v = find(key);
  return v ? v->as_string() : std::string();
}

double Amf0Value::number_at(std::string_view key) const {
  const Amf0Value* v = find(key);
  return v ? v->as_number() : 0;
}

Amf0Value& Amf0Value::set(std::string key, Amf0Value value) {
  if (has_properties()) properties_.emplace_back(std::move(key), std::move(value));
  return *this;
}

bool Amf0Value::operator==(const Amf0Value& other) const {
  return type_ == other.type_ && number_ == other.number_ && timezone_ == other.timezone_ &&
         string_ == other.string_ && properties_ == other.properties_ &&
         elements_ == other.elements_;
}

base::Result<Amf0Value> amf0_decode(base::ByteReader& reader) {
  return Decoder(reader).value(0);
}

base::Result<std::vector<Amf0Value>> amf0_decode_all(std::span<const uint8_t> bytes) {
  base::ByteReader reader(bytes);
  std::vector<Amf0Value> values;
  while (!reader.empty()) {
    auto v = amf0_decode(reader);
    if (!v) return v.error();
    values.push_back(std::move(v).value());
  }
  return values;
}

void amf0_encode(const Amf0Value& value, base::ByteWriter& w) {
  switch (value.type()) {
    case Amf0Type::number:
      w.u8(static_cast<uint8_t>(Amf0Type::number));
      w.f64be(value.as_number());
      return;
    case Amf0Type::boolean:
      w.u8(static_cast<uint8_t>(Amf0Type::boolean));
      w.u8(value.as_boolean() ? 1 : 0);
      return;
    case Amf0Type::string:
    case Amf0Type::long_string: {
      const std::string& s = value.as_string();
      if (s.size() > 0xFFFF) {
        w.u8(static_cast<uint8_t>(Amf0Type::long_string));
        w.u32be(static_cast<uint32_t>(s.size()));
      } else {
        w.u8(static_cast<uint8_t>(Amf0Type::string));
        w.u16be(static_cast<uint16_t>(s.size()));
      }
      w.text(s);
      return;
    }
    case Amf0Type::object:
      w.u8(static_cast<uint8_t>(Amf0Type::object));
      encode_properties(value.properties(), w);
      return;
    case Amf0Type::ecma_array:
      w.u8(static_cast<uint8_t>(Amf0Type::ecma_array));
      w.u32be(static_cast<uint32_t>(value.properties().size()));
      encode_properties(value.properties(), w);
      return;
    case Amf0Type::strict_array:
      w.u8(static_cast<uint8_t>(Amf0Type::strict_array));
      w.u32be(static_cast<uint32_t>(value.elements().size()));
      for (const auto& e : value.elements()) amf0_encode(e, w);
      return;
    case Amf0Type::date:
      w.u8(static_cast<uint8_t>(Amf0Type::date));
      w.f64be(value.as_number());
      w.u16be(static_cast<uint16_t>(value.timezone()));
      return;
    case Amf0Type::null:
      w.u8(static_cast<uint8_t>(Amf0Type::null));
      return;
    case Amf0Type::undefined:
    case Amf0Type::object_end:
      w.u8(static_cast<uint8_t>(Amf0Type::undefined));
      return;
  }
}

void amf0_encode_all(std::span<const Amf0Value> values, base::ByteWriter& writer) {
  for (const auto& v : values) amf0_encode(v, writer);
}

}  // namespace vela::format
