#include "bench/compare/compare_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace flowbench::compare {
namespace {

constexpr std::string_view kUsualMetrics[] = {"http_req_duration",  "http_req_failed",
                                              "http_reqs",          "iterations",
                                              "dropped_iterations", "checks"};

std::string_view BaseName(std::string_view key) { return key.substr(0, key.find('{')); }

bool Selected(std::string_view key, const CompareOptions& options) {
  if (options.all_metrics) return true;
  if (options.metrics.empty()) {
    return std::find(std::begin(kUsualMetrics), std::end(kUsualMetrics), BaseName(key)) !=
           std::end(kUsualMetrics);
  }
  return std::any_of(options.metrics.begin(), options.metrics.end(),
                     [&](const std::string& m) { return m == key || m == BaseName(key); });
}

// The stats worth a row, in reading order, by metric type.
std::vector<std::string> RowStats(const std::string& type) {
  if (type == "counter") return {"count", "rate"};
  if (type == "rate") return {"rate", "passes", "fails"};
  if (type == "gauge") return {"value", "max"};
  return {"count", "avg", "min", "med", "p(90)", "p(95)", "p(99)", "p(99.9)", "max"};
}

std::string Format(double value, const MetricSummary& metric, const std::string& stat) {
  char buffer[64];
  if (metric.is_time && stat != "count") {
    std::snprintf(buffer, sizeof buffer, "%.3f ms", value);
  } else if (metric.type == "rate" && (stat == "rate" || stat == "value")) {
    std::snprintf(buffer, sizeof buffer, "%.2f %%", value * 100);
  } else if (value == std::floor(value) && std::abs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3f", value);
  }
  return buffer;
}

std::string Delta(double base, double value, const MetricSummary& metric, const std::string& stat) {
  std::string text = Format(value - base, metric, stat);
  return value - base > 0 ? "+" + text : text;
}

std::string Ratio(double base, double value) {
  if (base == 0) return value == 0 ? "1.00x" : "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2fx", value / base);
  return buffer;
}

std::string Label(std::size_t i) {
  return i < 26 ? std::string(1, static_cast<char>('A' + i)) : "#" + std::to_string(i + 1);
}

}  // namespace

std::string CompareTable(std::span<const RunSummary> runs, const CompareOptions& options) {
  std::string out;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    out += "- **" + Label(i) + "**: `" + runs[i].source + "` (" + runs[i].format;
    if (runs[i].duration_s) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, ", %.1f s", *runs[i].duration_s);
      out += buffer;
    }
    out += ")\n";
  }
  out += "\n| metric | stat | A |";
  std::string rule = "|---|---|---:|";
  for (std::size_t i = 1; i < runs.size(); ++i) {
    out += " " + Label(i) + " | Δ " + Label(i) + "−A | " + Label(i) + "/A |";
    rule += "---:|---:|---:|";
  }
  out += "\n" + rule + "\n";

  std::set<std::string, std::less<>> keys;
  for (const RunSummary& run : runs) {
    for (const auto& [key, metric] : run.metrics) {
      if (Selected(key, options)) keys.insert(key);
    }
  }
  std::size_t rows = 0;
  for (const std::string& key : keys) {
    const MetricSummary* shape = nullptr;  // the first run that has the metric decides its rows
    for (const RunSummary& run : runs) {
      if ((shape = run.Find(key)) != nullptr) break;
    }
    for (const std::string& stat : RowStats(shape->type)) {
      bool any = std::any_of(runs.begin(), runs.end(), [&](const RunSummary& run) {
        const MetricSummary* m = run.Find(key);
        return m && m->Stat(stat);
      });
      if (!any) continue;
      std::optional<double> base;
      if (const MetricSummary* m = runs[0].Find(key)) base = m->Stat(stat);
      out += "| " + key + " | " + stat + " | " + (base ? Format(*base, *shape, stat) : "-") + " |";
      for (std::size_t i = 1; i < runs.size(); ++i) {
        const MetricSummary* m = runs[i].Find(key);
        std::optional<double> value = m ? m->Stat(stat) : std::nullopt;
        if (!value) {
          out += " - | - | - |";
        } else if (!base) {
          out += " " + Format(*value, *shape, stat) + " | - | - |";
        } else {
          out += " " + Format(*value, *shape, stat) + " | " + Delta(*base, *value, *shape, stat) +
                 " | " + Ratio(*base, *value) + " |";
        }
      }
      out += "\n";
      ++rows;
    }
  }
  if (rows == 0) out += "| (no metric selected has data in any input) | | |\n";
  return out;
}

std::string SourceThresholds(std::span<const RunSummary> runs) {
  std::string out;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    for (const auto& [key, metric] : runs[i].metrics) {
      for (const ThresholdOutcome& t : metric.thresholds) {
        std::string outcome = !t.failed   ? "not evaluated by the source"
                              : *t.failed ? "FAILED"
                                          : "passed";
        out += "- " + Label(i) + ": `" + key + ": " + t.expression + "` " + outcome + "\n";
      }
    }
  }
  return out;
}

ThresholdReport CheckThresholds(std::span<const RunSummary> runs,
                                std::span<const Threshold> thresholds) {
  ThresholdReport report;
  for (const Threshold& threshold : thresholds) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      ThresholdVerdict verdict = EvaluateThreshold(threshold, runs[i]);
      report.breached |= !verdict.passed;
      report.text += std::string("- ") + (verdict.passed ? "✓" : "✗ **BREACH**") + " " + Label(i) +
                     " `" + threshold.text + "`: " + verdict.message + "\n";
    }
  }
  return report;
}

std::vector<std::string> DefaultCompareMetrics() {
  return {"http_req_duration",  "http_req_failed", "http_reqs",           "iterations",
          "dropped_iterations", "checks",          "flowbench_completion"};
}

}  // namespace flowbench::compare
