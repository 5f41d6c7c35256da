// What a run samples once a second besides the requests: the depth of every async queue and
// each service's CPU time and resident memory. For services flowbench started, CPU and memory
// come from /proc; for a `--target` deployment, from the process metrics each service exports
// on its /metrics. Queue depths come from whatever source the run has (a broker connection's
// passive declares, the management API), or are not sampled. One background thread; results
// read after Stop().
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/report/results.hpp"

namespace flowbench::run {

struct ProcessSample {
  double cpu_seconds = 0;  // user + system since the process started
  std::uint64_t rss_bytes = 0;
  double start_time = 0;  // when the process started (to notice a restart), any fixed unit
};
std::optional<ProcessSample> SampleProcess(pid_t pid);  // nullopt when the process is gone
// From a Prometheus exposition: process_cpu_seconds_total, process_resident_memory_bytes and
// process_start_time_seconds; nullopt unless the first two are there.
std::optional<ProcessSample> ProcessSampleFromMetrics(std::string_view exposition);

// The queues of CONTRACT.md §4 and their dead-letter queues.
std::vector<std::string> ContractQueues();

using QueueDepths = std::vector<std::pair<std::string, std::uint64_t>>;
// Reads the ready messages of every queue now; throws QueueDepthUnavailable when its source
// does not answer this time (that second then has no sample rather than a made-up zero).
using QueueDepthReader = std::function<QueueDepths()>;
class QueueDepthUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Passive declares on a connection to the broker: exact and immediate.
QueueDepthReader AmqpQueueDepths(std::string amqp_url, std::vector<std::string> queues);

struct SampledService {
  std::string service;
  pid_t pid = 0;            // > 0: its /proc entry
  std::string metrics_url;  // else: the process metrics on this base URL's /metrics
};

class RunSampler {
 public:
  // An empty `queue_depths`: no queues to sample (the sync build, or a broker out of reach).
  RunSampler(std::vector<SampledService> services, QueueDepthReader queue_depths,
             std::chrono::milliseconds interval = std::chrono::seconds(1));
  ~RunSampler();

  void Start();
  void Stop();

  // The ready messages of every queue now (empty without a source).
  QueueDepths DepthsNow() const;

  // Ready messages in all queues at the last sample (for the progress line).
  std::uint64_t LastBacklog() const { return last_backlog_.load(); }
  // Every queue's ready messages at its last sample (for the live console).
  QueueDepths LastDepths() const;

  std::vector<report::QueueSeries> Queues() const;

  struct Resources {
    std::vector<report::ServiceResources> measured;  // CPU used between Start and Stop
    std::vector<std::string> not_measured;  // no figures, or the process restarted meanwhile
  };
  Resources ResourcesUsed() const;

 private:
  void Loop();
  void SampleOnce(double t);
  std::optional<ProcessSample> Sample(const SampledService& service) const;

  std::vector<SampledService> services_;
  QueueDepthReader queue_depths_;
  std::chrono::milliseconds interval_;

  mutable std::mutex mutex_;
  std::vector<report::QueueSeries> queues_;  // in the order of the first answer
  std::vector<std::optional<ProcessSample>> first_, last_;
  std::vector<std::uint64_t> peak_rss_;
  std::vector<bool> restarted_;
  std::chrono::steady_clock::time_point started_;
  std::atomic<std::uint64_t> last_backlog_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace flowbench::run
