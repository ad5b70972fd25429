#include "packager/hls_text.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace vela::packager {

void append_decimal(std::string& out, double value) {
  char text[64];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed, 3);
  if (ec == std::errc()) out.append(text, end);
}

void append_integer(std::string& out, uint64_t value) {
  char text[24];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  if (ec == std::errc()) out.append(text, end);
}

std::string format_program_date_time(int64_t wall_clock_us) {
  using namespace std::chrono;
  sys_time<milliseconds> time =
      floor<milliseconds>(sys_time<microseconds>(microseconds(wall_clock_us)));
  sys_days day = floor<days>(time);
  year_month_day date(day);
  hh_mm_ss clock(time - day);
  char text[48];
  std::snprintf(
      text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
      static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
      static_cast<int>(clock.seconds().count()), static_cast<int>(clock.subseconds().count()));
  return text;
}

}  // namespace vela::packager
