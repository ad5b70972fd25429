#pragma once
// AMF0 (Action Message Format 0), the encoding of RTMP commands and FLV/RTMP metadata.
// Amf0Value is a small tagged value (number, boolean, string, object, null, undefined,
// ECMA array, strict array, date). Decoding never throws: malformed, truncated or too
// deeply nested input yields an Error that says what was wrong. Pure; any thread.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"
#include "base/result.hpp"

namespace vela::format {

// Wire markers (AMF0 spec section 2.1). Long strings are decoded as strings; the encoder
// picks the long form for strings over 65535 bytes.
enum class Amf0Type : uint8_t {
  number = 0x00,
  boolean = 0x01,
  string = 0x02,
  object = 0x03,
  null = 0x05,
  undefined = 0x06,
  ecma_array = 0x08,
  object_end = 0x09,
  strict_array = 0x0A,
  date = 0x0B,
  long_string = 0x0C,
};

// Objects and arrays nest; deeper input is rejected so a hostile peer cannot exhaust
// the stack.
constexpr int kAmf0MaxDepth = 32;

class Amf0Value;
// Object and ECMA-array properties in wire order (keys may repeat on the wire; find()
// returns the first).
using Amf0Properties = std::vector<std::pair<std::string, Amf0Value>>;

class Amf0Value {
 public:
  Amf0Value() = default;  // undefined

  static Amf0Value number(double v);
  static Amf0Value boolean(bool v);
  static Amf0Value string(std::string v);
  static Amf0Value null();
  static Amf0Value undefined() { return {}; }
  static Amf0Value object(Amf0Properties properties = {});
  static Amf0Value ecma_array(Amf0Properties properties = {});
  static Amf0Value strict_array(std::vector<Amf0Value> elements);
  // Milliseconds since the Unix epoch; the time-zone field is reserved (should be 0).
  static Amf0Value date(double ms, int16_t timezone = 0);

  // Never long_string or object_end: those are wire forms only.
  Amf0Type type() const { return type_; }
  bool is_number() const { return type_ == Amf0Type::number; }
  bool is_boolean() const { return type_ == Amf0Type::boolean; }
  bool is_string() const { return type_ == Amf0Type::string; }
  bool is_null() const { return type_ == Amf0Type::null; }
  bool is_undefined() const { return type_ == Amf0Type::undefined; }
  // Object or ECMA array: both carry named properties.
  bool has_properties() const { return type_ == Amf0Type::object || type_ == Amf0Type::ecma_array; }

  // Accessors return a neutral value (0, false, empty) when the type does not match, so
  // command handlers can read optional fields without a check per field.
  double as_number() const { return is_number() || type_ == Amf0Type::date ? number_ : 0; }
  bool as_boolean() const { return is_boolean() && number_ != 0; }
  const std::string& as_string() const { return string_; }
  const Amf0Properties& properties() const { return properties_; }
  const std::vector<Amf0Value>& elements() const { return elements_; }
  int16_t timezone() const { return timezone_; }

  // First property named key of an object or ECMA array, or nullptr.
  const Amf0Value* find(std::string_view key) const;
  // Convenience lookups: the property's string / number, or empty / 0.
  std::string string_at(std::string_view key) const;
  double number_at(std::string_view key) const;
  // Appends a property (object or ECMA array only); returns *this for chaining.
  Amf0Value& set(std::string key, Amf0Value value);

  bool operator==(const Amf0Value& other) const;

 private:
  Amf0Type type_ = Amf0Type::undefined;
  // Only the fields of the current type are ever non-empty, which keeps the accessors
  // branch-free.
  double number_ = 0;  // number, boolean (0/1), date
  int16_t timezone_ = 0;
  std::string string_;
  Amf0Properties properties_;
  std::vector<Amf0Value> elements_;
};

// Decodes one value at the reader's position and advances past it.
base::Result<Amf0Value> amf0_decode(base::ByteReader& reader);
// Decodes consecutive values until the input ends (an RTMP command or data message).
base::Result<std::vector<Amf0Value>> amf0_decode_all(std::span<const uint8_t> bytes);

void amf0_encode(const Amf0Value& value, base::ByteWriter& writer);
void amf0_encode_all(std::span<const Amf0Value> values, base::ByteWriter& writer);

}  // namespace vela::format
