#pragma once
// LatencyHistogram: a fixed-size log-linear histogram of microsecond values, for delay
// percentiles over many samples without keeping them. Values below 128 us are exact;
// above, each power of two is split into 64 buckets, so a reported percentile is at most
// 1/64 (1.6 %) above the true sample. Recording never allocates. Negative samples (a
// clock that puts an arrival before the availability instant) count as 0 and are
// counted apart, with the true minimum kept. Not thread-safe: one per thread, merged.
#include <array>
#include <cstdint>
#include <span>

namespace vela::bench {

class LatencyHistogram {
 public:
  static constexpr int kExactBelow = 128;       // values 0..127 have their own bucket
  static constexpr int kSubBuckets = 64;        // per power of two above
  static constexpr int kMaxExponent = 40;       // values are capped at 2^41 - 1 us (25 days)
  static constexpr size_t kBuckets = kExactBelow + (kMaxExponent - 6) * kSubBuckets;

  void record(int64_t value_us);
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t negative_count() const { return negative_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return count_ ? max_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0; }
  // Nearest-rank percentile (0 < p <= 100): the smallest recorded value v with at least
  // p % of samples <= v, reported as the upper edge of v's bucket, clamped to max().
  // 0 when empty.
  int64_t percentile(double p) const;

  // Bucket arithmetic, public for tests.
  static size_t bucket_of(int64_t value_us);
  static int64_t bucket_upper(size_t bucket);

 private:
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t negative_ = 0;
  int64_t sum_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
};

// 1-based nearest rank of percentile p among n samples: ceil(p/100 * n), in [1, n]. n > 0.
uint64_t nearest_rank(uint64_t n, double p);

// Exact nearest-rank percentile of sorted values (the reference the histogram
// approximates). 0 when empty.
int64_t exact_percentile(std::span<const int64_t> sorted, double p);

}  // namespace vela::bench
