// The standard process metrics Prometheus' own clients export (process_cpu_seconds_total,
// process_resident_memory_bytes, process_start_time_seconds), read from /proc/self at
// scrape time: prometheus-cpp has no process collector, and the dashboards' CPU and
// memory panels need them.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace flowbench {

class ProcessMetrics : public prometheus::Collectable {
 public:
  ProcessMetrics(std::string arch, std::string service);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::vector<prometheus::ClientMetric::Label> labels_;
};

}  // namespace flowbench
