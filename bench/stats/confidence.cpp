#include "bench/stats/confidence.hpp"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <numeric>

namespace flowbench::stats {
namespace {

namespace bm = boost::math;

double Mean(std::span<const double> values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// Sample variance (n - 1 in the denominator).
double Variance(std::span<const double> values) {
  double mean = Mean(values);
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return squares / static_cast<double>(values.size() - 1);
}

double TwoSidedT(double confidence, double degrees_of_freedom) {
  bm::students_t t(degrees_of_freedom);
  return bm::quantile(bm::complement(t, (1 - confidence) / 2));
}

}  // namespace

std::optional<RankInterval> QuantileRanks(std::uint64_t n, double q, double confidence) {
  if (n == 0 || q <= 0 || q >= 1) return std::nullopt;
  // B, the number of samples below the true quantile, is Binomial(n, q); the population
  // quantile lies in [X(l), X(u)] exactly when l <= B <= u - 1.
  bm::binomial_distribution<double> below(static_cast<double>(n), q);
  double tail = (1 - confidence) / 2;
  auto cdf = [&](std::int64_t k) {
    if (k < 0) return 0.0;
    if (k >= static_cast<std::int64_t>(n)) return 1.0;
    return bm::cdf(below, static_cast<double>(k));
  };
  // Start from the normal approximation, then step to the exact ranks.
  double z = bm::quantile(bm::complement(bm::normal_distribution<double>(), tail));
  double mean = static_cast<double>(n) * q;
  double spread = z * std::sqrt(mean * (1 - q));
  // l: the largest rank with P(B <= l - 1) <= tail.
  auto l = static_cast<std::int64_t>(std::floor(mean - spread)) + 1;
  while (l > 0 && cdf(l - 1) > tail) --l;
  while (cdf(l) <= tail) ++l;
  // u: the smallest rank with P(B <= u - 1) >= 1 - tail.
  auto u = static_cast<std::int64_t>(std::ceil(mean + spread)) + 1;
  while (u > 1 && cdf(u - 2) >= 1 - tail) --u;
  while (cdf(u - 1) < 1 - tail) ++u;
  if (l < 1 || u > static_cast<std::int64_t>(n)) return std::nullopt;
  return RankInterval{static_cast<std::uint64_t>(l), static_cast<std::uint64_t>(u),
                      cdf(u - 1) - cdf(l - 1)};
}

std::optional<Interval> PercentileInterval(const LatencyHistogram& histogram, double percentile,
                                           double confidence) {
  std::optional<RankInterval> ranks =
      QuantileRanks(histogram.Count(), percentile / 100.0, confidence);
  if (!ranks) return std::nullopt;
  return Interval{static_cast<double>(histogram.ValueAtRank(ranks->lower)),
                  static_cast<double>(histogram.ValueAtRank(ranks->upper))};
}

std::optional<Interval> MeanInterval(std::span<const double> values, double confidence) {
  if (values.size() < 2) return std::nullopt;
  double n = static_cast<double>(values.size());
  double half = TwoSidedT(confidence, n - 1) * std::sqrt(Variance(values) / n);
  double mean = Mean(values);
  return Interval{mean - half, mean + half};
}

std::optional<Interval> WelchDifferenceInterval(std::span<const double> a,
                                                std::span<const double> b, double confidence) {
  if (a.size() < 2 || b.size() < 2) return std::nullopt;
  double na = static_cast<double>(a.size());
  double nb = static_cast<double>(b.size());
  double va = Variance(a) / na;
  double vb = Variance(b) / nb;
  double difference = Mean(a) - Mean(b);
  if (va + vb == 0) return Interval{difference, difference};
  // Welch-Satterthwaite degrees of freedom.
  double df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
  double half = TwoSidedT(confidence, df) * std::sqrt(va + vb);
  return Interval{difference - half, difference + half};
}

std::optional<RatioEstimate> RatioInterval(std::span<const double> a, std::span<const double> b,
                                           double confidence) {
  auto positive = [](std::span<const double> values) {
    return std::all_of(values.begin(), values.end(), [](double v) { return v > 0; });
  };
  if (!positive(a) || !positive(b)) return std::nullopt;
  auto logs = [](std::span<const double> values) {
    std::vector<double> out;
    for (double v : values) out.push_back(std::log(v));
    return out;
  };
  std::vector<double> log_a = logs(a);
  std::vector<double> log_b = logs(b);
  std::optional<Interval> difference = WelchDifferenceInterval(log_a, log_b, confidence);
  if (!difference) return std::nullopt;
  return RatioEstimate{std::exp(Mean(log_a) - Mean(log_b)),
                       {std::exp(difference->low), std::exp(difference->high)}};
}

std::optional<RatioEstimate> PercentileRatioInterval(const LatencyHistogram& a,
                                                     const LatencyHistogram& b, double percentile,
                                                     double confidence) {
  double each = (1 + confidence) / 2;
  std::optional<Interval> ia = PercentileInterval(a, percentile, each);
  std::optional<Interval> ib = PercentileInterval(b, percentile, each);
  auto pb = static_cast<double>(b.Percentile(percentile));
  if (!ia || !ib || ib->low <= 0 || pb <= 0) return std::nullopt;
  return RatioEstimate{static_cast<double>(a.Percentile(percentile)) / pb,
                       {ia->low / ib->high, ia->high / ib->low}};
}

SlopeEstimate LeastSquaresSlope(std::span<const double> x, std::span<const double> y,
                                double confidence) {
  SlopeEstimate estimate;
  std::size_t n = std::min(x.size(), y.size());
  if (n < 2) return estimate;
  x = x.first(n);
  y = y.first(n);
  double mean_x = Mean(x), mean_y = Mean(y);
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxx += (x[i] - mean_x) * (x[i] - mean_x);
    sxy += (x[i] - mean_x) * (y[i] - mean_y);
  }
  if (sxx == 0) return estimate;
  estimate.slope = sxy / sxx;
  if (n < 3) return estimate;
  double residuals = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double fitted = mean_y + estimate.slope * (x[i] - mean_x);
    residuals += (y[i] - fitted) * (y[i] - fitted);
  }
  double degrees = static_cast<double>(n - 2);
  double half = TwoSidedT(confidence, degrees) * std::sqrt(residuals / degrees / sxx);
  estimate.interval = Interval{estimate.slope - half, estimate.slope + half};
  return estimate;
}

}  // namespace flowbench::stats
