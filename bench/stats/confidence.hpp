// Confidence intervals for the figures a report compares (bench/report/METHODS.md says
// which is used where, and why):
// - a percentile of one run: distribution-free bounds from order statistics (the ranks a
//   binomial distribution gives), so no shape of the latency distribution is assumed;
// - a figure measured once per repeat: Student's t interval of the mean over the repeats;
// - a sync/async ratio over repeats: Welch's t interval on the logarithms (the ratio of
//   geometric means), so neither build's variance is assumed equal to the other's.
// The distributions come from Boost.Math; nothing here is tuned to the data.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "bench/stats/latency_histogram.hpp"

namespace flowbench::stats {

inline constexpr double kConfidence = 0.95;

struct Interval {
  double low = 0;
  double high = 0;
  bool Contains(double x) const { return low <= x && x <= high; }
};

// 1-based ranks of the order statistics X(lower) <= X(upper) that bound the q-quantile of the
// population from n independent samples with probability `coverage` >= confidence (each
// tail at most (1 - confidence) / 2). nullopt when n is too small for it: a p99 needs at
// least 368 samples for a 95 % upper bound.
struct RankInterval {
  std::uint64_t lower = 0;
  std::uint64_t upper = 0;
  double coverage = 0;
};
std::optional<RankInterval> QuantileRanks(std::uint64_t n, double q,
                                          double confidence = kConfidence);

// The `percentile` of a histogram's samples bounded by QuantileRanks, in nanoseconds.
std::optional<Interval> PercentileInterval(const LatencyHistogram& histogram, double percentile,
                                           double confidence = kConfidence);

// Student's t interval for the mean of `values` (at least 2).
std::optional<Interval> MeanInterval(std::span<const double> values,
                                     double confidence = kConfidence);

// Welch's t interval for mean(a) - mean(b) (at least 2 values each, not both constant).
std::optional<Interval> WelchDifferenceInterval(std::span<const double> a,
                                                std::span<const double> b,
                                                double confidence = kConfidence);

// The ratio of the geometric means of `a` and `b` (values > 0, at least 2 each), with
// Welch's interval taken on their logarithms.
struct RatioEstimate {
  double ratio = 0;
  Interval interval;
};
std::optional<RatioEstimate> RatioInterval(std::span<const double> a, std::span<const double> b,
                                           double confidence = kConfidence);

// The ratio of one percentile of two runs, when each was measured once: each percentile is
// bounded at a confidence of (1 + confidence) / 2, so both hold together with at least
// `confidence` (Bonferroni), and the ratio lies between the quotients of the bounds.
std::optional<RatioEstimate> PercentileRatioInterval(const LatencyHistogram& a,
                                                     const LatencyHistogram& b, double percentile,
                                                     double confidence = kConfidence);

// The least-squares slope of y against x, with Student's t interval (n - 2 degrees of
// freedom) when there are at least 3 points and the x are not all equal. The interval
// assumes independent residuals.
struct SlopeEstimate {
  double slope = 0;
  std::optional<Interval> interval;
};
SlopeEstimate LeastSquaresSlope(std::span<const double> x, std::span<const double> y,
                                double confidence = kConfidence);

// A difference is distinguishable from noise when its ratio's interval leaves out 1.
inline bool Distinguishable(const RatioEstimate& estimate) {
  return !estimate.interval.Contains(1.0);
}

}  // namespace flowbench::stats
