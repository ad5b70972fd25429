#pragma once
// Lets an event through at most `burst` times per `interval`, so logs on packet paths stay
// readable under a flood. Owned by one thread (a session or a shard); time is passed in.
#include <cstdint>

namespace vela::base {

class RateLimit {
 public:
  RateLimit(int64_t interval_us, uint32_t burst) : interval_us_(interval_us), burst_(burst) {}
  // True when the event may be logged. suppressed() tells how many were dropped since.
  bool allow(int64_t now_us) {
    if (now_us - window_start_us_ >= interval_us_) {
      window_start_us_ = now_us;
      used_ = 0;
    }
    if (used_ < burst_) {
      ++used_;
      return true;
    }
    ++suppressed_;
    return false;
  }
  uint64_t take_suppressed() {
    uint64_t n = suppressed_;
    suppressed_ = 0;
    return n;
  }

 private:
  int64_t interval_us_;
  uint32_t burst_;
  int64_t window_start_us_ = INT64_MIN / 2;
  uint32_t used_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace vela::base
