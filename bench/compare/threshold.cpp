#include "bench/compare/threshold.hpp"

#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace flowbench::compare {
namespace {

constexpr std::string_view kShape =
    "expected SELECTOR:STAT<OP>VALUE[UNIT], e.g. 'scenario6:p95<50ms' or 'http_req_failed:rate<1%'";

[[noreturn]] void Bad(std::string_view text, std::string_view why) {
  throw std::invalid_argument("threshold '" + std::string(text) + "': " + std::string(why) + "; " +
                              std::string(kShape));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The last ':' outside braces separates selector and condition ("m{scenario:x}:p95<1").
std::size_t SelectorEnd(std::string_view text) {
  int depth = 0;
  std::size_t found = std::string_view::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}') --depth;
    if (text[i] == ':' && depth == 0) found = i;
  }
  return found;
}

std::string FormatValue(double value, bool is_time) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, is_time ? "%.3f ms" : "%.6g", value);
  return buffer;
}

}  // namespace

std::string_view ComparatorText(Comparator c) {
  switch (c) {
    case Comparator::kLess:
      return "<";
    case Comparator::kLessEqual:
      return "<=";
    case Comparator::kGreater:
      return ">";
    case Comparator::kGreaterEqual:
      return ">=";
    case Comparator::kEqual:
      return "==";
    case Comparator::kNotEqual:
      return "!=";
  }
  return "?";
}

bool Compare(double observed, Comparator c, double limit) {
  switch (c) {
    case Comparator::kLess:
      return observed < limit;
    case Comparator::kLessEqual:
      return observed <= limit;
    case Comparator::kGreater:
      return observed > limit;
    case Comparator::kGreaterEqual:
      return observed >= limit;
    case Comparator::kEqual:
      return observed == limit;
    case Comparator::kNotEqual:
      return observed != limit;
  }
  return false;
}

Threshold ParseThreshold(std::string_view text) {
  Threshold t;
  t.text = std::string(text);
  std::size_t colon = SelectorEnd(text);
  if (colon == std::string_view::npos) Bad(text, "no ':' between selector and condition");
  t.selector = std::string(Trim(text.substr(0, colon)));
  if (t.selector.empty()) Bad(text, "empty selector");
  std::string_view condition = Trim(text.substr(colon + 1));

  std::size_t op = condition.find_first_of("<>=!");
  if (op == std::string_view::npos) Bad(text, "no comparator (<, <=, >, >=, ==, !=)");
  std::string_view stat = Trim(condition.substr(0, op));
  if (stat.empty()) Bad(text, "no statistic before the comparator");
  t.stat = CanonicalStatName(stat);

  std::string_view rest = condition.substr(op);
  static constexpr std::pair<std::string_view, Comparator> kComparators[] = {
      {"<=", Comparator::kLessEqual}, {">=", Comparator::kGreaterEqual},
      {"==", Comparator::kEqual},     {"!=", Comparator::kNotEqual},
      {"<", Comparator::kLess},       {">", Comparator::kGreater}};
  bool matched = false;
  for (const auto& [symbol, comparator] : kComparators) {
    if (rest.starts_with(symbol)) {
      t.comparator = comparator;
      rest.remove_prefix(symbol.size());
      matched = true;
      break;
    }
  }
  if (!matched) Bad(text, "unknown comparator");
  rest = Trim(rest);

  const char* end = rest.data() + rest.size();
  auto [number_end, ec] = std::from_chars(rest.data(), end, t.value);
  if (ec != std::errc{}) Bad(text, "no number after the comparator");
  std::string_view unit =
      Trim(std::string_view(number_end, static_cast<std::size_t>(end - number_end)));
  static constexpr std::pair<std::string_view, double> kTimeUnits[] = {
      {"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1}, {"s", 1e3}, {"m", 60e3}, {"h", 3600e3}};
  if (unit == "%") {
    t.value /= 100;
  } else if (!unit.empty()) {
    bool known = false;
    for (const auto& [name, to_ms] : kTimeUnits) {
      if (unit == name) {
        t.value *= to_ms;
        t.time_unit = true;
        known = true;
      }
    }
    if (!known) Bad(text, "unknown unit '" + std::string(unit) + "' (ns, us, ms, s, m, h or %)");
  }
  return t;
}

std::string ResolveMetricKey(std::string_view selector, const RunSummary& run) {
  if (run.Find(selector) != nullptr || selector.find('{') != std::string_view::npos) {
    return std::string(selector);
  }
  std::string scenario_key = SubmetricKey("http_req_duration", "scenario", selector);
  if (run.Find(scenario_key) != nullptr) return scenario_key;
  // Not a metric of this run: a scenario name if it looks like one, else the metric itself
  // (either way it is reported as missing data).
  return selector.find('_') == std::string_view::npos ? scenario_key : std::string(selector);
}

ThresholdVerdict EvaluateThreshold(const Threshold& t, const RunSummary& run) {
  ThresholdVerdict v;
  v.metric_key = ResolveMetricKey(t.selector, run);
  std::string condition = std::string(ComparatorText(t.comparator));
  const MetricSummary* metric = run.Find(v.metric_key);
  if (metric == nullptr) {
    v.message = v.metric_key + ": no such metric in " + run.source + " (no samples): fails";
    return v;
  }
  v.observed = metric->Stat(t.stat);
  if (!v.observed) {
    v.message = t.stat + " of " + v.metric_key + ": not in " + run.source +
                " (k6 writes p(99) only with summaryTrendStats): fails";
    return v;
  }
  if (metric->stats.contains("count") && metric->Stat("count") == 0.0) {
    v.observed.reset();
    v.message = v.metric_key + ": zero samples: fails";
    return v;
  }
  if (t.time_unit && !metric->is_time) {
    v.message = t.text + ": a time unit on " + v.metric_key + ", which is not a time metric: fails";
    return v;
  }
  v.passed = Compare(*v.observed, t.comparator, t.value);
  v.message = t.stat + " of " + v.metric_key + " = " + FormatValue(*v.observed, metric->is_time) +
              (v.passed ? ", " : ", not ") + condition + " " +
              FormatValue(t.value, metric->is_time);
  return v;
}

}  // namespace flowbench::compare
