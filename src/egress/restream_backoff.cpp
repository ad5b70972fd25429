#include "egress/restream_backoff.hpp"

#include <algorithm>

namespace vela::egress {

Backoff::Backoff(BackoffOptions options, uint64_t seed) : options_(options), random_(seed) {
  options_.min = std::max(options_.min, std::chrono::milliseconds(1));
  options_.max = std::max(options_.max, options_.min);
  options_.jitter = std::clamp(options_.jitter, 0.0, 1.0);
}

void Backoff::live(Clock::time_point now) {
  live_since_ = now;
}

std::chrono::milliseconds Backoff::closed(Clock::time_point now) {
  if (live_since_ && now - *live_since_ >= options_.stable) failures_ = 0;
  live_since_.reset();
  // min * 2^failures, capped at max; the shift is bounded so it cannot overflow.
  int64_t wait = options_.min.count();
  for (uint32_t i = 0; i < failures_ && wait < options_.max.count(); ++i) wait *= 2;
  wait = std::min(wait, options_.max.count());
  ++failures_;
  double cut = std::uniform_real_distribution<double>(0.0, options_.jitter)(random_);
  return std::chrono::milliseconds(
      std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(wait) * (1.0 - cut))));
}

}  // namespace vela::egress
