#pragma once
// Number and date formatting shared by the playlist writers. Locale-independent (a
// process-wide setlocale never turns "2.000" into "2,000"), pure, any thread.
#include <cstdint>
#include <string>

namespace vela::packager {

// decimal-floating-point with exactly three decimals: 2 -> "2.000", 0.3336 -> "0.334".
void append_decimal(std::string& out, double value);

// decimal-integer.
void append_integer(std::string& out, uint64_t value);

// ISO 8601 / RFC 3339 date-time in UTC with milliseconds, as EXT-X-PROGRAM-DATE-TIME wants:
// 1700000000123456 -> "2023-11-14T22:13:20.123Z" (sub-millisecond digits are dropped).
std::string format_program_date_time(int64_t wall_clock_us);

}  // namespace vela::packager
