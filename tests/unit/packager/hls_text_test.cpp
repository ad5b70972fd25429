#include "packager/hls_text.hpp"

#include <gtest/gtest.h>

#include <clocale>

namespace vela::packager {
namespace {

std::string decimal(double value) {
  std::string out;
  append_decimal(out, value);
  return out;
}

TEST(HlsText, DecimalsHaveThreePlaces) {
  EXPECT_EQ(decimal(2), "2.000");
  EXPECT_EQ(decimal(12), "12.000");
  EXPECT_EQ(decimal(0.3336), "0.334");
  EXPECT_EQ(decimal(1.9999), "2.000");
  EXPECT_EQ(decimal(29.97), "29.970");
}

TEST(HlsText, DecimalsIgnoreTheLocale) {
  // A comma-decimal locale may not be installed; the point is that it cannot matter.
  const char* previous = std::setlocale(LC_NUMERIC, nullptr);
  std::string saved = previous ? previous : "C";
  std::setlocale(LC_NUMERIC, "de_DE.UTF-8");
  EXPECT_EQ(decimal(1.5), "1.500");
  std::setlocale(LC_NUMERIC, saved.c_str());
}

TEST(HlsText, Integers) {
  std::string out;
  append_integer(out, 0);
  out += ' ';
  append_integer(out, UINT64_MAX);
  EXPECT_EQ(out, "0 18446744073709551615");
}

TEST(HlsText, ProgramDateTime) {
  EXPECT_EQ(format_program_date_time(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_program_date_time(1'700'000'000'123'456), "2023-11-14T22:13:20.123Z");
  // Sub-millisecond digits are dropped, not rounded up into the next second.
  EXPECT_EQ(format_program_date_time(1'700'000'000'999'999), "2023-11-14T22:13:20.999Z");
  // The last millisecond of a leap day.
  EXPECT_EQ(format_program_date_time(1'709'251'199'999'000), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(format_program_date_time(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace vela::packager
