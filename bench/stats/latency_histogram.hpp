// A log-linear latency histogram in the manner of HdrHistogram: fixed memory (36 KiB), O(1)
// lock-free recording by its single owner, mergeable, and at most 1/256 (0.4 %) relative
// error from 1 ns to 73 min. One per worker thread; merged after the workers stop.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>

namespace flowbench::stats {

using Nanoseconds = std::chrono::nanoseconds;

// The figures a report prints, computed once from one histogram, in nanoseconds (results.json
// holds them in seconds, as report::LatencySummary).
struct HistogramSummary {
  std::uint64_t count = 0;
  double mean_ns = 0;
  double stdev_ns = 0;
  std::int64_t min_ns = 0;
  std::int64_t max_ns = 0;
  std::int64_t p50_ns = 0;
  std::int64_t p90_ns = 0;
  std::int64_t p95_ns = 0;
  std::int64_t p99_ns = 0;
  std::int64_t p999_ns = 0;
};

class LatencyHistogram {
 public:
  // 2^8 linear sub-buckets per power of two: a bucket is at most 1/128 of its value wide, and
  // a percentile reports the bucket's midpoint, so the error is at most 1/256.
  static constexpr int kSubBucketBits = 8;
  static constexpr int kSubBucketCount = 1 << kSubBucketBits;
  static constexpr int kSubBucketHalf = kSubBucketCount / 2;
  // 2^42 ns = 73.3 min: comfortably above the hour the histogram promises.
  static constexpr int kMaxValueBits = 42;
  static constexpr std::int64_t kMaxTrackable = (std::int64_t{1} << kMaxValueBits) - 1;
  static constexpr int kBucketCount = kMaxValueBits - kSubBucketBits + 1;
  static constexpr int kCountsLength = (kBucketCount + 1) * kSubBucketHalf;

  // Negative values are recorded as 0, values above kMaxTrackable as kMaxTrackable (and
  // counted in Saturated()), so a broken clock can never corrupt memory or lose a sample.
  void Record(std::int64_t value_ns) {
    if (value_ns < 0) value_ns = 0;
    if (value_ns > kMaxTrackable) {
      value_ns = kMaxTrackable;
      ++saturated_;
    }
    ++counts_[IndexOf(value_ns)];
    ++total_;
    sum_ += static_cast<double>(value_ns);
    if (value_ns < min_) min_ = value_ns;
    if (value_ns > max_) max_ = value_ns;
  }
  void Record(Nanoseconds value) { Record(static_cast<std::int64_t>(value.count())); }

  // Adds every sample of `other`, exactly as if they had been recorded here.
  void Merge(const LatencyHistogram& other);
  void Reset() { *this = LatencyHistogram{}; }

  std::uint64_t Count() const { return total_; }
  std::uint64_t Saturated() const { return saturated_; }
  std::int64_t Min() const { return total_ ? min_ : 0; }
  std::int64_t Max() const { return total_ ? max_ : 0; }
  double Sum() const { return sum_; }
  double Mean() const { return total_ ? sum_ / static_cast<double>(total_) : 0; }
  double Stdev() const;  // population standard deviation, from the bucket midpoints
  // The value below which `percentile` % of the samples lie, 0 when empty. Nearest rank:
  // the bucket of the ceil(percentile/100 * count)-th smallest sample, reported as its
  // midpoint kept inside [Min(), Max()] (so p0 == min, p100 == max). flowbench's other
  // percentiles (Prometheus bucket interpolation for completion, k6's own) differ on
  // purpose; bench/stats/PERCENTILES.md says where each is used and why.
  std::int64_t Percentile(double percentile) const;
  // The `rank`-th smallest sample (1-based, clamped to [1, Count()]), 0 when empty.
  std::int64_t ValueAtRank(std::uint64_t rank) const;
  HistogramSummary Summary() const;

  // Bucket access, for serialisation: counts per index, and the values an index stands for.
  std::uint64_t CountAt(int index) const { return counts_[index]; }
  static int IndexOf(std::int64_t value) {
    if (value < kSubBucketCount) return static_cast<int>(value);
    int msb = 63 - __builtin_clzll(static_cast<std::uint64_t>(value));
    int shift = msb - (kSubBucketBits - 1);
    return (shift + 1) * kSubBucketHalf + static_cast<int>((value >> shift) - kSubBucketHalf);
  }
  static std::int64_t LowestAt(int index);
  static std::int64_t WidthAt(int index);
  // Rebuilds a histogram from serialised parts; throws std::invalid_argument when they do not
  // describe a valid histogram (index out of range, min > max, ...).
  static LatencyHistogram FromParts(const std::array<std::uint64_t, kCountsLength>& counts,
                                    std::int64_t min, std::int64_t max, double sum,
                                    std::uint64_t saturated);

 private:
  std::int64_t MidpointAt(int index) const;

  std::array<std::uint64_t, kCountsLength> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t saturated_ = 0;
  double sum_ = 0;  // exact mean; a double keeps 1e9 one-hour samples without overflow
  std::int64_t min_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t max_ = 0;
};

}  // namespace flowbench::stats
