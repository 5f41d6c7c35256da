#include "bench/run/completion_scrape.hpp"

#include <httplib.h>

#include <cmath>
#include <limits>
#include <sstream>

namespace flowbench::run {
namespace {

// The value of `name`="..." inside a label set "{a="x",b="y"}" (no escaped quotes in ours).
std::optional<std::string> Label(std::string_view labels, std::string_view name) {
  std::string key = std::string(name) + "=\"";
  std::size_t at = 0;
  while ((at = labels.find(key, at)) != std::string_view::npos) {
    if (at == 0 || labels[at - 1] == '{' || labels[at - 1] == ',') {
      std::size_t start = at + key.size();
      std::size_t end = labels.find('"', start);
      if (end == std::string_view::npos) return std::nullopt;
      return std::string(labels.substr(start, end - start));
    }
    at += key.size();
  }
  return std::nullopt;
}

double ParseValue(std::string_view text) {
  std::string s(text);
  if (s == "+Inf") return std::numeric_limits<double>::infinity();
  return std::stod(s);
}

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
  std::string bucket = std::string(metric) + "_bucket{";
  std::string sum = std::string(metric) + "_sum{";
  std::string count = std::string(metric) + "_count{";
  std::istringstream lines{std::string(exposition)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t close = line.find("} ");
    if (close == std::string::npos) continue;
    std::string_view labels = std::string_view(line).substr(0, close + 1);
    labels = labels.substr(labels.find('{'));
    std::optional<std::string> key = Label(labels, label);
    if (!key) continue;
    double value = ParseValue(std::string_view(line).substr(close + 2));
    if (line.rfind(bucket, 0) == 0) {
      std::optional<std::string> le = Label(labels, "le");
      if (le) result[*key].cumulative[ParseValue(*le)] += value;
    } else if (line.rfind(sum, 0) == 0) {
      result[*key].sum += value;
    } else if (line.rfind(count, 0) == 0) {
      result[*key].count += value;
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
  httplib::Client client(base_url);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(5));
  httplib::Result r = client.Get("/metrics");
  if (!r || r->status != 200) return std::nullopt;
  return r->body;
}

}  // namespace flowbench::run
