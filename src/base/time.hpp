#pragma once
// Timestamps: integer ticks in a per-track timescale, rescaled exactly (128-bit
// intermediate, rounding down), and a helper that unwraps narrow source clocks into a
// 64-bit monotonic timeline.
#include <chrono>
#include <cstdint>

namespace vela::base {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// value * to / from, rounded toward negative infinity, exact for all int64 inputs.
inline int64_t rescale(int64_t value, int64_t from, int64_t to) {
  __int128 n = static_cast<__int128>(value) * to;
  __int128 q = n / from;
  if ((n % from != 0) && ((n < 0) != (from < 0))) --q;
  return static_cast<int64_t>(q);
}

// Unwraps a clock of `bits` width (RTMP: 32-bit ms; MPEG-TS: 33-bit) into 64 bits. A step
// backwards by less than half the range is taken as a small reordering, not a wrap.
class ClockUnwrapper {
 public:
  explicit ClockUnwrapper(int bits) : range_(int64_t{1} << bits) {}
  int64_t unwrap(uint64_t raw) {
    int64_t value = static_cast<int64_t>(raw & static_cast<uint64_t>(range_ - 1));
    if (!started_) {
      started_ = true;
      last_ = value;
      return value;
    }
    int64_t base = last_ - (last_ % range_ + range_) % range_;
    int64_t candidate = base + value;
    if (candidate - last_ > range_ / 2) candidate -= range_;
    else if (last_ - candidate > range_ / 2) candidate += range_;
    last_ = candidate;
    return candidate;
  }

 private:
  int64_t range_;
  int64_t last_ = 0;
  bool started_ = false;
};

// A steady clock for timers and protocol state machines (never jumps).
inline int64_t monotonic_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline int64_t wall_clock_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace vela::base
