#include "egress/restream_backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace vela::egress {
namespace {

using namespace std::chrono_literals;
using Clock = Backoff::Clock;

BackoffOptions no_jitter() {
  BackoffOptions options;
  options.min = 1s;
  options.max = 30s;
  options.stable = 30s;
  options.jitter = 0;
  return options;
}

TEST(RestreamBackoff, DoublesUpToTheMaximum) {
  Backoff backoff(no_jitter(), 1);
  Clock::time_point now{};
  std::vector<int64_t> waits;
  for (int i = 0; i < 8; ++i) waits.push_back(backoff.closed(now += 1s).count());
  EXPECT_EQ(waits, (std::vector<int64_t>{1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000}));
  EXPECT_EQ(backoff.failures(), 8u);
}

TEST(RestreamBackoff, ShortLivePeriodsDoNotReset) {
  Backoff backoff(no_jitter(), 1);
  Clock::time_point now{};
  backoff.closed(now);
  backoff.closed(now);
  backoff.live(now);
  EXPECT_EQ(backoff.closed(now + 29s).count(), 4000) << "live 29 s: still flapping";
}

TEST(RestreamBackoff, StableLivePeriodResets) {
  Backoff backoff(no_jitter(), 1);
  Clock::time_point now{};
  for (int i = 0; i < 5; ++i) backoff.closed(now);
  backoff.live(now);
  EXPECT_EQ(backoff.closed(now + 30s).count(), 1000);
  EXPECT_EQ(backoff.closed(now + 31s).count(), 2000);
  // The live mark belongs to one attempt only.
  EXPECT_EQ(backoff.closed(now + 300s).count(), 4000);
}

TEST(RestreamBackoff, JitterOnlyShortensAndVaries) {
  BackoffOptions options = no_jitter();
  options.jitter = 0.5;
  options.min = 8s;
  options.max = 8s;
  Backoff backoff(options, 42);
  Clock::time_point now{};
  std::vector<int64_t> waits;
  for (int i = 0; i < 20; ++i) {
    int64_t w = backoff.closed(now).count();
    EXPECT_GE(w, 4000);
    EXPECT_LE(w, 8000);
    waits.push_back(w);
  }
  std::sort(waits.begin(), waits.end());
  EXPECT_LT(waits.front(), waits.back()) << "jitter varies the waits";
  // Same seed, same sequence: tests and incidents are reproducible.
  Backoff a(options, 7), b(options, 7);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.closed(now), b.closed(now));
}

TEST(RestreamBackoff, NonsenseOptionsAreClamped) {
  BackoffOptions options;
  options.min = 0ms;
  options.max = -5ms;
  options.jitter = 7;
  Backoff backoff(options, 1);
  Clock::time_point now{};
  for (int i = 0; i < 100; ++i) EXPECT_GE(backoff.closed(now).count(), 1);
}

}  // namespace
}  // namespace vela::egress
