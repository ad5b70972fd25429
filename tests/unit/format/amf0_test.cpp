#include "format/amf0.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace vela::format {
namespace {

std::vector<uint8_t> encode(const Amf0Value& v) {
  std::vector<uint8_t> out;
  base::ByteWriter w(out);
  amf0_encode(v, w);
  return out;
}

base::Result<Amf0Value> decode(const std::vector<uint8_t>& bytes) {
  base::ByteReader r(bytes);
  auto v = amf0_decode(r);
  if (v && !r.empty()) return base::make_error("trailing bytes");
  return v;
}

Amf0Value round_trip(const Amf0Value& v) {
  auto decoded = decode(encode(v));
  EXPECT_TRUE(decoded.ok()) << (decoded.ok() ? "" : decoded.error().message);
  return decoded.ok() ? decoded.value() : Amf0Value();
}

TEST(Amf0, NumberWireFormat) {
  EXPECT_EQ(encode(Amf0Value::number(1.0)),
            (std::vector<uint8_t>{0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(round_trip(Amf0Value::number(-2.5)).as_number(), -2.5);
  EXPECT_TRUE(std::isinf(round_trip(Amf0Value::number(INFINITY)).as_number()));
}

TEST(Amf0, BooleanNullUndefined) {
  EXPECT_EQ(encode(Amf0Value::boolean(true)), (std::vector<uint8_t>{0x01, 0x01}));
  EXPECT_TRUE(round_trip(Amf0Value::boolean(true)).as_boolean());
  EXPECT_FALSE(round_trip(Amf0Value::boolean(false)).as_boolean());
  EXPECT_EQ(encode(Amf0Value::null()), (std::vector<uint8_t>{0x05}));
  EXPECT_EQ(encode(Amf0Value::undefined()), (std::vector<uint8_t>{0x06}));
  EXPECT_TRUE(round_trip(Amf0Value::null()).is_null());
  EXPECT_TRUE(round_trip(Amf0Value::undefined()).is_undefined());
  // Any non-zero byte is true.
  EXPECT_TRUE(decode({0x01, 0x7F})->as_boolean());
}

TEST(Amf0, StringAndLongString) {
  EXPECT_EQ(encode(Amf0Value::string("ab")), (std::vector<uint8_t>{0x02, 0x00, 0x02, 'a', 'b'}));
  EXPECT_EQ(round_trip(Amf0Value::string("")).as_string(), "");
  std::string big(70000, 'x');
  auto bytes = encode(Amf0Value::string(big));
  EXPECT_EQ(bytes[0], 0x0C);  // long string marker
  EXPECT_EQ(bytes.size(), 1 + 4 + big.size());
  auto back = decode(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->is_string());
  EXPECT_EQ(back->as_string(), big);
  // A short long-string decodes as a string too.
  EXPECT_EQ(decode({0x0C, 0, 0, 0, 1, 'z'})->as_string(), "z");
}

TEST(Amf0, ObjectWireFormatAndLookup) {
  Amf0Value obj = Amf0Value::object();
  obj.set("app", Amf0Value::string("live")).set("n", Amf0Value::number(3));
  auto bytes = encode(obj);
  std::vector<uint8_t> expected = {0x03, 0x00, 0x03, 'a',  'p',  'p',  0x02, 0x00, 0x04, 'l',
                                   'i',  'v',  'e',  0x00, 0x01, 'n',  0x00, 0x40, 0x08, 0,
                                   0,    0,    0,    0,    0,    0x00, 0x00, 0x09};
  EXPECT_EQ(bytes, expected);
  auto back = round_trip(obj);
  EXPECT_EQ(back, obj);
  EXPECT_EQ(back.string_at("app"), "live");
  EXPECT_EQ(back.number_at("n"), 3);
  EXPECT_EQ(back.find("missing"), nullptr);
  EXPECT_EQ(back.string_at("n"), "");  // wrong type gives the neutral value
}

TEST(Amf0, EcmaArrayStrictArrayDate) {
  Amf0Value ecma = Amf0Value::ecma_array(
      {{"width", Amf0Value::number(1280)}, {"encoder", Amf0Value::string("Lavf")}});
  auto bytes = encode(ecma);
  EXPECT_EQ(bytes[0], 0x08);
  EXPECT_EQ(bytes[4], 2);  // count
  EXPECT_EQ(round_trip(ecma), ecma);

  Amf0Value arr =
      Amf0Value::strict_array({Amf0Value::number(1), Amf0Value::string("two"), Amf0Value::null()});
  EXPECT_EQ(round_trip(arr), arr);
  EXPECT_EQ(round_trip(arr).elements().size(), 3u);

  Amf0Value date = Amf0Value::date(1.7e12, 0);
  auto date_bytes = encode(date);
  EXPECT_EQ(date_bytes.size(), 11u);
  EXPECT_EQ(round_trip(date), date);
  EXPECT_EQ(round_trip(date).as_number(), 1.7e12);
}

TEST(Amf0, NestedValuesRoundTrip) {
  Amf0Value inner = Amf0Value::object({{"k", Amf0Value::boolean(true)}});
  Amf0Value outer = Amf0Value::object(
      {{"inner", inner},
       {"list", Amf0Value::strict_array({inner, Amf0Value::ecma_array({{"x", inner}})})}});
  EXPECT_EQ(round_trip(outer), outer);
}

TEST(Amf0, EcmaArrayWithoutEndMarkerIsAccepted) {
  // count 1, "a" = null, then input ends without 00 00 09.
  auto v = decode({0x08, 0, 0, 0, 1, 0, 1, 'a', 0x05});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->find("a")->is_null());
  // But an object must be terminated.
  EXPECT_FALSE(decode({0x03, 0, 1, 'a', 0x05}).ok());
}

TEST(Amf0, EmptyKeyWithValueIsKept) {
  auto v = decode({0x03, 0, 0, 0x05, 0, 0, 0x09});
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->properties().size(), 1u);
  EXPECT_TRUE(v->properties()[0].second.is_null());
}

TEST(Amf0, DecodeAllReadsASequence) {
  std::vector<uint8_t> bytes;
  base::ByteWriter w(bytes);
  std::vector<Amf0Value> values = {Amf0Value::string("connect"), Amf0Value::number(1),
                                   Amf0Value::object({{"app", Amf0Value::string("live")}})};
  amf0_encode_all(values, w);
  auto back = amf0_decode_all(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), values);
  EXPECT_TRUE(amf0_decode_all({}).ok());
}

TEST(Amf0, TruncatedInputFailsAtEveryLength) {
  Amf0Value v =
      Amf0Value::object({{"s", Amf0Value::string("hello")},
                         {"a", Amf0Value::strict_array({Amf0Value::number(1), Amf0Value::date(5)})},
                         {"e", Amf0Value::ecma_array({{"b", Amf0Value::boolean(true)}})}});
  auto bytes = encode(v);
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);
    base::ByteReader r(prefix);
    auto decoded = amf0_decode(r);
    EXPECT_FALSE(decoded.ok()) << "prefix of " << n << " bytes decoded";
    if (!decoded.ok()) {
      EXPECT_NE(decoded.error().message.find("AMF0"), std::string::npos);
    }
  }
}

TEST(Amf0, MalformedInputGivesClearErrors) {
  auto unsupported = decode({0x11});
  ASSERT_FALSE(unsupported.ok());
  EXPECT_NE(unsupported.error().message.find("0x11"), std::string::npos);
  EXPECT_FALSE(decode({0x07, 0, 1}).ok());  // reference: unsupported
  auto end = decode({0x09});
  ASSERT_FALSE(end.ok());
  EXPECT_NE(end.error().message.find("object end"), std::string::npos);
  // Strict array announcing more elements than bytes left.
  auto lying = decode({0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05});
  ASSERT_FALSE(lying.ok());
  EXPECT_NE(lying.error().message.find("truncated"), std::string::npos);
  // String length beyond the input.
  EXPECT_FALSE(decode({0x02, 0x00, 0x10, 'a'}).ok());
  EXPECT_FALSE(decode({0x0C, 0xFF, 0xFF, 0xFF, 0xFF}).ok());
}

TEST(Amf0, NestingDepthIsLimited) {
  auto nested = [](int depth) {
    std::vector<uint8_t> bytes;
    for (int i = 0; i < depth; ++i) bytes.insert(bytes.end(), {0x03, 0x00, 0x01, 'k'});
    bytes.push_back(0x05);
    for (int i = 0; i < depth; ++i) bytes.insert(bytes.end(), {0x00, 0x00, 0x09});
    return bytes;
  };
  EXPECT_TRUE(decode(nested(kAmf0MaxDepth)).ok());
  auto deep = decode(nested(kAmf0MaxDepth + 1));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.error().message.find("deep"), std::string::npos);
  // Strict arrays count toward the same limit; a very deep input must not overflow.
  std::vector<uint8_t> arrays;
  for (int i = 0; i < 100000; ++i) arrays.insert(arrays.end(), {0x0A, 0, 0, 0, 1});
  arrays.push_back(0x05);
  EXPECT_FALSE(decode(arrays).ok());
}

TEST(Amf0, AccessorsOnWrongTypesAreNeutral) {
  Amf0Value n = Amf0Value::number(4);
  EXPECT_EQ(n.as_string(), "");
  EXPECT_FALSE(n.as_boolean());
  EXPECT_TRUE(n.properties().empty());
  EXPECT_EQ(n.find("x"), nullptr);
  n.set("x", Amf0Value::null());  // ignored: not an object
  EXPECT_TRUE(n.properties().empty());
  EXPECT_EQ(Amf0Value::string("s").as_number(), 0);
}

}  // namespace
}  // namespace vela::format
