#include "http/json_text.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <limits>

namespace vela::http {
namespace {

namespace json = boost::json;

TEST(JsonText, WritesNumbersPlainly) {
  EXPECT_EQ(json_text(json::value(30.0)), "30");
  EXPECT_EQ(json_text(json::value(29.97)), "29.97");
  EXPECT_EQ(json_text(json::value(0.0001)), "0.0001");
  EXPECT_EQ(json_text(json::value(-2.5)), "-2.5");
  EXPECT_EQ(json_text(json::value(123456789.125)), "123456789.125");
  EXPECT_EQ(json_text(json::value(1e300)), "1e+300");  // extreme: exponent kept
  EXPECT_EQ(json_text(json::value(std::numeric_limits<double>::quiet_NaN())), "null");
  EXPECT_EQ(json_text(json::value(std::numeric_limits<double>::infinity())), "null");
  EXPECT_EQ(json_text(json::value(int64_t{-7})), "-7");
  EXPECT_EQ(json_text(json::value(uint64_t{18446744073709551615u})), "18446744073709551615");
}

TEST(JsonText, KeepsStructureOrderAndEscaping) {
  json::object o;
  o["name"] = "a \"quoted\" <name>\n";
  o["rates"] = json::array{60.0, 29.97, nullptr, true};
  o["nested"] = json::object{{"k\"ey", 1.5}};
  std::string text = json_text(o);
  EXPECT_EQ(text, R"({"name":"a \"quoted\" <name>\n","rates":[60,29.97,null,true],"nested":{"k\"ey":1.5}})");
  // Reads back as the same numbers (a whole 60.0 comes back as the integer 60).
  json::value back = json::parse(text);
  EXPECT_EQ(back.at("rates").at(0).to_number<double>(), 60.0);
  EXPECT_EQ(back.at("rates").at(1).to_number<double>(), 29.97);
  EXPECT_EQ(back.at("name"), o.at("name"));
}

}  // namespace
}  // namespace vela::http
