#pragma once
// When to retry a push destination: exponential backoff with jitter. The first retry waits
// `min`, each further failure doubles the wait up to `max`, and an attempt that stayed
// live for `stable` or longer resets the sequence (a destination that restarts once a day
// is retried at once, one that flaps is not hammered). Jitter takes up to `jitter` of each
// wait off at random, so destinations that failed together do not retry in lockstep.
//
// Pure: time comes in as arguments and randomness from a seeded generator, so tests use a
// fake clock. Single owner.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace vela::egress {

struct BackoffOptions {
  std::chrono::milliseconds min{1'000};
  std::chrono::milliseconds max{30'000};
  std::chrono::milliseconds stable{30'000};
  double jitter = 0.2;  // fraction of a wait that may be taken off, 0..1
};

class Backoff {
 public:
  using Clock = std::chrono::steady_clock;

  Backoff(BackoffOptions options, uint64_t seed);

  // The current attempt went live at `now`.
  void live(Clock::time_point now);
  // The current attempt ended at `now`: the wait before the next one.
  std::chrono::milliseconds closed(Clock::time_point now);

  // Attempts that ended without a stable live period since the last reset.
  uint32_t failures() const { return failures_; }

 private:
  BackoffOptions options_;
  std::mt19937_64 random_;
  std::optional<Clock::time_point> live_since_;
  uint32_t failures_ = 0;
};

}  // namespace vela::egress
