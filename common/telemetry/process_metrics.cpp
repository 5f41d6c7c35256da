#include "common/telemetry/process_metrics.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace flowbench {
namespace {

struct SelfStat {
  double cpu_seconds = 0;
  double rss_bytes = 0;
  double start_time_seconds = 0;  // since the epoch
};

double BootTime() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime") {
      stat >> value;
      return value;
    }
    stat.ignore(1 << 16, '\n');
  }
  return 0;
}

SelfStat ReadSelf() {
  SelfStat s;
  std::ifstream in("/proc/self/stat");
  std::string text;
  std::getline(in, text);
  std::size_t close = text.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream fields(text.substr(close + 2));
  std::vector<std::string> f;
  for (std::string field; fields >> field;) f.push_back(field);
  if (f.size() < 22) return s;
  static const double kTicks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  static const double kPageBytes = static_cast<double>(::sysconf(_SC_PAGESIZE));
  s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / kTicks;  // utime + stime
  s.start_time_seconds = BootTime() + std::stod(f[19]) / kTicks;   // starttime
  s.rss_bytes = std::stod(f[21]) * kPageBytes;                     // rss
  return s;
}

}  // namespace

ProcessMetrics::ProcessMetrics(std::string arch, std::string service)
    : labels_{{"arch", std::move(arch)}, {"service", std::move(service)}} {}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  SelfStat self = ReadSelf();
  auto family = [&](const char* name, const char* help, prometheus::MetricType type, double value) {
    prometheus::ClientMetric metric;
    metric.label = labels_;
    if (type == prometheus::MetricType::Counter) {
      metric.counter.value = value;
    } else {
      metric.gauge.value = value;
    }
    return prometheus::MetricFamily{name, help, type, {metric}};
  };
  return {
      family("process_cpu_seconds_total", "User and system CPU time spent in seconds",
             prometheus::MetricType::Counter, self.cpu_seconds),
      family("process_resident_memory_bytes", "Resident memory size in bytes",
             prometheus::MetricType::Gauge, self.rss_bytes),
      family("process_start_time_seconds", "Start time of the process since the epoch",
             prometheus::MetricType::Gauge, self.start_time_seconds),
  };
}

}  // namespace flowbench
