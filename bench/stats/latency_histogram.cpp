#include "bench/stats/latency_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace flowbench::stats {

std::int64_t LatencyHistogram::LowestAt(int index) {
  if (index < kSubBucketCount) return index;
  int shift = index / kSubBucketHalf - 1;
  std::int64_t sub_bucket = index % kSubBucketHalf + kSubBucketHalf;
  return sub_bucket << shift;
}

std::int64_t LatencyHistogram::WidthAt(int index) {
  if (index < kSubBucketCount) return 1;
  return std::int64_t{1} << (index / kSubBucketHalf - 1);
}

// The middle of the bucket, kept inside the observed range so that p100 == max, p0 == min.
std::int64_t LatencyHistogram::MidpointAt(int index) const {
  std::int64_t mid = LowestAt(index) + (WidthAt(index) - 1) / 2;
  return std::clamp(mid, Min(), Max());
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.total_ == 0) return;
  for (int i = 0; i < kCountsLength; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  saturated_ += other.saturated_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double LatencyHistogram::Stdev() const {
  if (total_ == 0) return 0;
  double mean = Mean();
  double squares = 0;
  for (int i = 0; i < kCountsLength; ++i) {
    if (counts_[i] == 0) continue;
    double deviation = static_cast<double>(MidpointAt(i)) - mean;
    squares += deviation * deviation * static_cast<double>(counts_[i]);
  }
  return std::sqrt(squares / static_cast<double>(total_));
}

std::int64_t LatencyHistogram::Percentile(double percentile) const {
  if (total_ == 0) return 0;
  if (percentile <= 0) return Min();
  if (percentile >= 100) return Max();
  // Nearest rank: the smallest sample with at least `percentile` % of the samples <= it.
  return ValueAtRank(
      static_cast<std::uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(total_))));
}

std::int64_t LatencyHistogram::ValueAtRank(std::uint64_t rank) const {
  if (total_ == 0) return 0;
  rank = std::clamp<std::uint64_t>(rank, 1, total_);
  std::uint64_t seen = 0;
  for (int i = 0; i < kCountsLength; ++i) {
    seen += counts_[i];
    if (seen >= rank) return MidpointAt(i);
  }
  return Max();
}

HistogramSummary LatencyHistogram::Summary() const {
  HistogramSummary s;
  s.count = total_;
  s.mean_ns = Mean();
  s.stdev_ns = Stdev();
  s.min_ns = Min();
  s.max_ns = Max();
  s.p50_ns = Percentile(50);
  s.p90_ns = Percentile(90);
  s.p95_ns = Percentile(95);
  s.p99_ns = Percentile(99);
  s.p999_ns = Percentile(99.9);
  return s;
}

LatencyHistogram LatencyHistogram::FromParts(const std::array<std::uint64_t, kCountsLength>& counts,
                                             std::int64_t min, std::int64_t max, double sum,
                                             std::uint64_t saturated) {
  LatencyHistogram h;
  h.counts_ = counts;
  for (std::uint64_t c : counts) h.total_ += c;
  if (h.total_ == 0) return LatencyHistogram{};
  if (min < 0 || max > kMaxTrackable || min > max) {
    throw std::invalid_argument("histogram: min/max out of range");
  }
  if (counts[IndexOf(min)] == 0 || counts[IndexOf(max)] == 0) {
    throw std::invalid_argument("histogram: min/max fall in empty buckets");
  }
  if (saturated > h.total_ || !(sum >= 0)) {
    throw std::invalid_argument("histogram: inconsistent sum or saturated count");
  }
  h.min_ = min;
  h.max_ = max;
  h.sum_ = sum;
  h.saturated_ = saturated;
  return h;
}

}  // namespace flowbench::stats
