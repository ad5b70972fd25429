#include "bench/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace vela::bench {

size_t LatencyHistogram::bucket_of(uint64_t magnitude_us) {
  if (magnitude_us < kExactBelow) return static_cast<size_t>(magnitude_us);
  constexpr uint64_t kCap = (uint64_t{1} << (kMaxExponent + 1)) - 1;
  uint64_t v = std::min(magnitude_us, kCap);
  int exponent = std::bit_width(v) - 1;     // 7 .. kMaxExponent
  uint64_t mantissa = v >> (exponent - 6);  // 64 .. 127
  return kExactBelow + static_cast<size_t>(exponent - 7) * kSubBuckets + (mantissa - 64);
}

int64_t LatencyHistogram::bucket_upper(size_t bucket) {
  if (bucket < kExactBelow) return static_cast<int64_t>(bucket);
  size_t above = bucket - kExactBelow;
  int exponent = static_cast<int>(above / kSubBuckets) + 7;
  uint64_t mantissa = above % kSubBuckets + 64;
  return static_cast<int64_t>(((mantissa + 1) << (exponent - 6)) - 1);
}

int64_t LatencyHistogram::bucket_lower(size_t bucket) {
  return bucket == 0 ? 0 : bucket_upper(bucket - 1) + 1;
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
  if (value_us < 0) {
    ++negative_count_;
    ++negative_[bucket_of(static_cast<uint64_t>(-(value_us + 1)) + 1)];
  } else {
    ++positive_[bucket_of(static_cast<uint64_t>(value_us))];
  }
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
  negative_count_ += other.negative_count_;
  sum_ += other.sum_;
  for (size_t i = 0; i < kBuckets; ++i) {
    positive_[i] += other.positive_[i];
    negative_[i] += other.negative_[i];
  }
}

int64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  uint64_t rank = nearest_rank(count_, p);
  uint64_t seen = 0;
  // Negative values in ascending order: largest magnitude first.
  for (size_t i = kBuckets; i-- > 0;) {
    seen += negative_[i];
    if (seen >= rank) return std::clamp(-bucket_lower(i), min_, max_);
  }
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += positive_[i];
    if (seen >= rank) return std::clamp(bucket_upper(i), min_, max_);
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
