#include "bench/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace vela::bench {

size_t LatencyHistogram::bucket_of(int64_t value_us) {
  if (value_us < kExactBelow) return static_cast<size_t>(std::max<int64_t>(value_us, 0));
  constexpr uint64_t kCap = (uint64_t{1} << (kMaxExponent + 1)) - 1;
  uint64_t v = std::min(static_cast<uint64_t>(value_us), kCap);
  int exponent = std::bit_width(v) - 1;         // 7 .. kMaxExponent
  uint64_t mantissa = v >> (exponent - 6);      // 64 .. 127
  return kExactBelow + static_cast<size_t>(exponent - 7) * kSubBuckets + (mantissa - 64);
}

int64_t LatencyHistogram::bucket_upper(size_t bucket) {
  if (bucket < kExactBelow) return static_cast<int64_t>(bucket);
  size_t above = bucket - kExactBelow;
  int exponent = static_cast<int>(above / kSubBuckets) + 7;
  uint64_t mantissa = above % kSubBuckets + 64;
  return static_cast<int64_t>(((mantissa + 1) << (exponent - 6)) - 1);
}

void LatencyHistogram::record(int64_t value_us) {
  if (count_ == 0) {
    min_ = max_ = value_us;
  } else {
    min_ = std::min(min_, value_us);
    max_ = std::max(max_, value_us);
  }
  ++count_;
  sum_ += value_us;
  if (value_us < 0) ++negative_;
  ++buckets_[bucket_of(value_us)];
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  negative_ += other.negative_;
  sum_ += other.sum_;
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
}

int64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  uint64_t rank = nearest_rank(count_, p);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return std::min(bucket_upper(i), max_);
    }
  }
  return max_;
}

uint64_t nearest_rank(uint64_t n, double p) {
  double rank = std::ceil(p / 100.0 * static_cast<double>(n) - 1e-9);
  if (rank < 1) return 1;
  if (rank > static_cast<double>(n)) return n;
  return static_cast<uint64_t>(rank);
}

int64_t exact_percentile(std::span<const int64_t> sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[nearest_rank(sorted.size(), p) - 1];
}

}  // namespace vela::bench
