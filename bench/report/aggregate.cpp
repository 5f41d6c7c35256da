#include "bench/report/aggregate.hpp"

#include <cmath>
#include <cstdio>
#include <set>

#include "common/domain/catalogue.hpp"

namespace flowbench::report {

MeanSd Across(const std::vector<const ProfileRun*>& runs,
              const std::function<double(const ProfileRun&)>& figure) {
  MeanSd result;
  result.n = static_cast<int>(runs.size());
  if (runs.empty()) return result;
  double sum = 0;
  for (const ProfileRun* r : runs) sum += figure(*r);
  result.mean = sum / result.n;
  if (result.n > 1) {
    double squares = 0;
    for (const ProfileRun* r : runs) squares += std::pow(figure(*r) - result.mean, 2);
    result.sd = std::sqrt(squares / (result.n - 1));
  }
  return result;
}

namespace {

std::string Format(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// Milliseconds with three significant figures; seconds from 10 s on.
std::string MillisValue(double seconds, const char** unit) {
  double ms = seconds * 1000.0;
  if (ms >= 10'000) {
    *unit = "s";
    return Format("%.2f", seconds);
  }
  *unit = "ms";
  if (ms >= 100) return Format("%.0f", ms);
  if (ms >= 10) return Format("%.1f", ms);
  return Format("%.2f", ms);
}

}  // namespace

std::string Millis(double seconds) {
  const char* unit = "ms";
  std::string value = MillisValue(seconds, &unit);
  return value + " " + unit;
}

std::string Millis(const MeanSd& seconds) {
  if (seconds.n <= 1) return Millis(seconds.mean);
  const char* unit = "ms";
  std::string mean = MillisValue(seconds.mean, &unit);
  double scale = std::string(unit) == "s" ? 1.0 : 1000.0;
  return mean + " ± " + Format(scale == 1.0 ? "%.2f" : "%.1f", seconds.sd * scale) + " " + unit;
}

std::string Percent(double fraction) { return Format("%.2f", fraction * 100.0) + " %"; }

std::string Percent(const MeanSd& fraction) {
  if (fraction.n <= 1) return Percent(fraction.mean);
  return Format("%.2f", fraction.mean * 100.0) + " ± " + Format("%.2f", fraction.sd * 100.0) + " %";
}

std::string Number(double value, int decimals) {
  char format[16];
  std::snprintf(format, sizeof format, "%%.%df", decimals);
  return Format(format, value);
}

std::string Ratio(double a, double b) {
  if (b == 0) return "-";
  return Format(a / b >= 10 ? "%.0fx" : "%.1fx", a / b);
}

std::vector<std::string> Archs(const RunResults& results) {
  std::vector<std::string> archs;
  for (const char* arch : {"sync", "async"}) {
    for (const ProfileRun& r : results.runs) {
      if (r.arch == arch) {
        archs.push_back(arch);
        break;
      }
    }
  }
  return archs;
}

std::vector<std::string> ScenarioIds(const RunResults& results) {
  std::set<std::string> present;
  for (const ProfileRun& r : results.runs) {
    for (const ScenarioResult& s : r.scenarios) present.insert(s.scenario);
  }
  std::vector<std::string> ids;
  for (const ScenarioSpec& spec : Scenarios()) {
    if (present.count(std::string(spec.id))) ids.push_back(std::string(spec.id));
  }
  return ids;
}

}  // namespace flowbench::report
