#include "bench/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <vector>

namespace vela::bench {
namespace {

TEST(NearestRank, Definition) {
  EXPECT_EQ(nearest_rank(100, 50), 50u);
  EXPECT_EQ(nearest_rank(100, 95), 95u);
  EXPECT_EQ(nearest_rank(10, 95), 10u);  // ceil(9.5)
  EXPECT_EQ(nearest_rank(1, 50), 1u);
  EXPECT_EQ(nearest_rank(3, 0.001), 1u);
  EXPECT_EQ(nearest_rank(3, 100), 3u);
  EXPECT_EQ(nearest_rank(20, 5), 1u);  // exactly 1, not 2 through rounding
}

TEST(ExactPercentile, SortedValues) {
  std::vector<int64_t> values{10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
  EXPECT_EQ(exact_percentile(values, 50), 50);
  EXPECT_EQ(exact_percentile(values, 51), 60);
  EXPECT_EQ(exact_percentile(values, 95), 100);
  EXPECT_EQ(exact_percentile(values, 10), 10);
  EXPECT_EQ(exact_percentile({}, 50), 0);
}

TEST(LatencyHistogram, BucketsAreContiguousAndTight) {
  EXPECT_EQ(LatencyHistogram::bucket_of(0), 0u);
  EXPECT_EQ(LatencyHistogram::bucket_of(127), 127u);
  EXPECT_EQ(LatencyHistogram::bucket_of(128), 128u);
  EXPECT_EQ(LatencyHistogram::bucket_of(129), 128u) << "128..129 share a 2 us bucket";
  EXPECT_EQ(LatencyHistogram::bucket_of(130), 129u);
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{255}, uint64_t{256},
                     uint64_t{99'999}, uint64_t{100'000}, uint64_t{1} << 40}) {
    size_t b = LatencyHistogram::bucket_of(v);
    EXPECT_LE(LatencyHistogram::bucket_lower(b), static_cast<int64_t>(v)) << v;
    EXPECT_GE(LatencyHistogram::bucket_upper(b), static_cast<int64_t>(v)) << v;
    if (b > 0) {
      EXPECT_LT(LatencyHistogram::bucket_upper(b - 1), static_cast<int64_t>(v)) << v;
    }
    EXPECT_LE(LatencyHistogram::bucket_upper(b) - static_cast<int64_t>(v),
              static_cast<int64_t>(v / 64))
        << v;
  }
  EXPECT_EQ(LatencyHistogram::bucket_of(uint64_t{1} << 50), LatencyHistogram::kBuckets - 1);
}

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(95), 0);
  EXPECT_EQ(h.max(), 0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(50), 50);
  EXPECT_EQ(h.percentile(95), 95);
  EXPECT_EQ(h.percentile(99), 99);
  EXPECT_EQ(h.percentile(100), 100);
  EXPECT_EQ(h.min(), 1);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, PercentilesTrackExactOnesWithinABucket) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> delay(std::log(20'000.0), 0.8);  // ~20 ms median
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 50'000; ++i) {
    auto v = static_cast<int64_t>(delay(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
    int64_t exact = exact_percentile(values, p);
    int64_t approx = h.percentile(p);
    EXPECT_GE(approx, exact) << p;
    EXPECT_LE(approx - exact, exact / 64 + 1) << p;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.percentile(100), values.back()) << "the top is clamped to the true max";
}

TEST(LatencyHistogram, NegativeSamplesKeepTheirSign) {
  LatencyHistogram h;
  h.record(-5'000);
  h.record(-1);
  h.record(1'000);
  h.record(2'000);
  EXPECT_EQ(h.negative_count(), 2u);
  EXPECT_EQ(h.min(), -5'000);
  // -5000 lies in the magnitude bucket 4992..5055: reported as its end nearer zero.
  EXPECT_EQ(h.percentile(25), -4'992);
  EXPECT_EQ(h.percentile(50), -1);
  EXPECT_EQ(h.percentile(75), 1'007);  // bucket 1000..1007
  EXPECT_EQ(h.percentile(100), 2'000);
  EXPECT_DOUBLE_EQ(h.mean(), (-5'000 - 1 + 1'000 + 2'000) / 4.0);
}

TEST(LatencyHistogram, AllNegativeStaysNegative) {
  LatencyHistogram h;
  for (int64_t v = -200'000; v < -100'000; v += 1'000) h.record(v);
  EXPECT_LT(h.percentile(50), -140'000);
  EXPECT_GT(h.percentile(50), -152'000);
  EXPECT_EQ(h.percentile(100), -101'000) << "clamped to the true max";
  EXPECT_GE(h.percentile(1), -200'000);
  EXPECT_LT(h.percentile(1), -196'000);
}

TEST(LatencyHistogram, SignedPercentilesTrackExactOnes) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> delay(-20'000.0, 40'000.0);  // straddles zero
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 50'000; ++i) {
    auto v = static_cast<int64_t>(delay(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 10.0, 50.0, 90.0, 95.0, 99.0}) {
    int64_t exact = exact_percentile(values, p);
    int64_t approx = h.percentile(p);
    EXPECT_GE(approx, exact) << p;
    EXPECT_LE(approx - exact, std::abs(exact) / 64 + 1) << p;
  }
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int64_t v = 0; v < 10'000; v += 7) {
    int64_t value = (v % 3 == 0 ? -v : v) * 13;  // some negative
    (v % 2 ? a : b).record(value);
    all.record(value);
  }
  LatencyHistogram empty;
  a.merge(empty);
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double p : {1.0, 50.0, 95.0, 99.0}) EXPECT_EQ(a.percentile(p), all.percentile(p)) << p;
  empty.merge(all);
  EXPECT_EQ(empty.percentile(95), all.percentile(95));
  EXPECT_EQ(empty.min(), all.min());
}

}  // namespace
}  // namespace vela::bench
