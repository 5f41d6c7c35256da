#include "bench/compare/run_summary.hpp"

namespace flowbench::compare {

std::optional<double> MetricSummary::Stat(std::string_view name) const {
  auto it = stats.find(name);
  if (it == stats.end()) return std::nullopt;
  return it->second;
}

const MetricSummary* RunSummary::Find(std::string_view key) const {
  auto it = metrics.find(key);
  return it == metrics.end() ? nullptr : &it->second;
}

std::string SubmetricKey(std::string_view metric, std::string_view tag, std::string_view value) {
  std::string key(metric);
  key += '{';
  key += tag;
  key += ':';
  key += value;
  key += '}';
  return key;
}

bool IsK6TimeMetric(std::string_view key) {
  std::string_view name = key.substr(0, key.find('{'));
  if (name.starts_with("http_req_")) return name != "http_req_failed";
  return name == "iteration_duration" || name == "group_duration";
}

std::string CanonicalStatName(std::string_view stat) {
  if (stat == "p50" || stat == "median" || stat == "p(50)") return "med";
  if (stat == "mean") return "avg";
  std::string_view rest = stat.substr(stat.empty() ? 0 : 1);
  bool numeric = !rest.empty() && rest.find_first_not_of("0123456789.") == std::string_view::npos;
  if (stat.starts_with('p') && numeric) return "p(" + std::string(rest) + ")";
  return std::string(stat);
}

}  // namespace flowbench::compare
