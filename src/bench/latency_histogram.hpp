#pragma once
// LatencyHistogram: a fixed-size log-linear histogram of signed microsecond values, for
// delay percentiles over many samples without keeping them. Magnitudes below 128 us are
// exact; above, each power of two is split into 64 buckets, so a reported percentile is
// at most 1/64 (1.6 %) of its magnitude above the true sample. Negative samples (an
// arrival before the instant it is measured from, when that instant is only an
// estimate) have buckets of their own, so percentiles stay signed and honest. Recording
// never allocates. Not thread-safe: one per thread, merged at the end.
#include <array>
#include <cstdint>
#include <span>

namespace vela::bench {

class LatencyHistogram {
 public:
  static constexpr int kExactBelow = 128;  // magnitudes 0..127 have their own bucket
  static constexpr int kSubBuckets = 64;   // per power of two above
  static constexpr int kMaxExponent = 40;  // magnitudes are capped at 2^41 - 1 us (25 days)
  static constexpr size_t kBuckets = kExactBelow + (kMaxExponent - 6) * kSubBuckets;

  void record(int64_t value_us);
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t negative_count() const { return negative_count_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return count_ ? max_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0; }
  // Nearest-rank percentile (0 < p <= 100): the smallest recorded value v with at least
  // p % of samples <= v, reported as the upper end of v's bucket (for a negative v, the
  // end nearer zero), clamped to [min(), max()]. 0 when empty.
  int64_t percentile(double p) const;

  // Bucket arithmetic on magnitudes, public for tests.
  static size_t bucket_of(uint64_t magnitude_us);
  static int64_t bucket_upper(size_t bucket);
  static int64_t bucket_lower(size_t bucket);

 private:
  std::array<uint64_t, kBuckets> positive_{};  // values >= 0
  std::array<uint64_t, kBuckets> negative_{};  // values < 0, by magnitude
  uint64_t count_ = 0;
  uint64_t negative_count_ = 0;
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
