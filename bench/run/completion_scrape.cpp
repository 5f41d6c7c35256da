#include "bench/run/completion_scrape.hpp"

#include <cmath>
#include <stdexcept>

#include "common/http/json_client.hpp"
#include "common/telemetry/prometheus_text.hpp"

namespace flowbench::run {
namespace {

double Quantile(const BucketCounts& b, double q) {
  double rank = q * b.count;
  double lower = 0, below = 0;
  for (const auto& [le, cumulative] : b.cumulative) {
    if (cumulative >= rank && cumulative > below) {
      if (std::isinf(le)) return lower;  // beyond the last finite bound: report that bound
      return lower + (le - lower) * (rank - below) / (cumulative - below);
    }
    lower = le;
    below = cumulative;
  }
  return lower;
}

}  // namespace

std::map<std::string, BucketCounts> ParseHistograms(std::string_view exposition,
                                                    std::string_view metric,
                                                    std::string_view label) {
  std::map<std::string, BucketCounts> result;
  const std::string bucket = std::string(metric) + "_bucket";
  const std::string sum = std::string(metric) + "_sum";
  const std::string count = std::string(metric) + "_count";
  // Lines that are no sample (prometheus_text::Exposition::unreadable) hold no observation of ours.
  for (const prometheus_text::Sample& sample : prometheus_text::ParseText(exposition).samples) {
    std::optional<std::string> key = sample.Label(label);
    if (!key) continue;
    if (sample.name == bucket) {
      std::optional<std::string> le = sample.Label("le");
      if (!le) continue;
      std::optional<double> bound = prometheus_text::ParseValue(*le);
      if (!bound) {
        throw std::invalid_argument(bucket + ": le=\"" + *le + "\" is not a bucket bound");
      }
      result[*key].cumulative[*bound] += sample.value;
    } else if (sample.name == sum) {
      result[*key].sum += sample.value;
    } else if (sample.name == count) {
      result[*key].count += sample.value;
    }
  }
  return result;
}

void Accumulate(BucketCounts& into, const BucketCounts& more) {
  for (const auto& [le, n] : more.cumulative) into.cumulative[le] += n;
  into.sum += more.sum;
  into.count += more.count;
}

BucketCounts Difference(const BucketCounts& after, const BucketCounts& before) {
  BucketCounts d = after;
  for (const auto& [le, n] : before.cumulative) d.cumulative[le] -= n;
  d.sum -= before.sum;
  d.count -= before.count;
  return d;
}

std::optional<report::LatencySummary> Summarise(const BucketCounts& b) {
  if (b.count <= 0) return std::nullopt;
  report::LatencySummary s;
  s.count = static_cast<std::uint64_t>(std::llround(b.count));
  s.mean = b.sum / b.count;
  s.p50 = Quantile(b, 0.50);
  s.p90 = Quantile(b, 0.90);
  s.p95 = Quantile(b, 0.95);
  s.p99 = Quantile(b, 0.99);
  s.p999 = Quantile(b, 0.999);
  // Estimates: the lower bound of the first and the upper bound of the last non-empty bucket,
  // and the spread of bucket midpoints.
  double lower = 0, below = 0, squares = 0;
  bool first = true;
  for (const auto& [le, cumulative] : b.cumulative) {
    double in_bucket = cumulative - below;
    if (in_bucket > 0) {
      double upper = std::isinf(le) ? lower : le;
      if (first) s.min = lower;
      first = false;
      s.max = upper;
      double mid = (lower + upper) / 2;
      squares += in_bucket * (mid - s.mean) * (mid - s.mean);
    }
    lower = std::isinf(le) ? lower : le;
    below = cumulative;
  }
  s.stdev = std::sqrt(squares / b.count);
  return s;
}

std::optional<std::string> ScrapeMetrics(const std::string& base_url) {
  http::JsonResponse r = http::JsonClient(base_url).Get("/metrics");
  if (r.status != 200) return std::nullopt;
  return std::move(r.body);
}

}  // namespace flowbench::run
