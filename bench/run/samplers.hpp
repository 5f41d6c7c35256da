// What a run samples once a second besides the requests: the depth of every async queue
// (passive declare: exact and immediate) and each service process's CPU time and resident
// memory (from /proc). One background thread; results read after Stop().
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/report/results.hpp"

namespace flowbench::run {

struct ProcessSample {
  double cpu_seconds = 0;  // user + system since the process started
  std::uint64_t rss_bytes = 0;
};
std::optional<ProcessSample> SampleProcess(pid_t pid);  // nullopt when the process is gone

// The queues of CONTRACT §4 and their dead-letter queues.
std::vector<std::string> ContractQueues();

struct SampledProcess {
  std::string service;
  pid_t pid = 0;
};

class RunSampler {
 public:
  // amqp_url empty: no queues to sample (the sync build).
  RunSampler(std::vector<SampledProcess> processes, std::string amqp_url,
             std::vector<std::string> queues,
             std::chrono::milliseconds interval = std::chrono::seconds(1));
  ~RunSampler();

  void Start();
  void Stop();

  // The ready messages of every queue now (empty without a broker).
  std::vector<std::pair<std::string, std::uint64_t>> DepthsNow();

  // Ready messages in all queues at the last sample (for the progress line).
  std::uint64_t LastBacklog() const { return last_backlog_.load(); }

  std::vector<report::QueueSeries> Queues() const;
  std::vector<report::ServiceResources> Resources() const;  // CPU used between Start and Stop

 private:
  void Loop();
  void SampleOnce(double t);

  std::vector<SampledProcess> processes_;
  std::string amqp_url_;
  std::vector<std::string> queue_names_;
  std::chrono::milliseconds interval_;

  mutable std::mutex mutex_;
  std::vector<report::QueueSeries> queues_;
  std::vector<ProcessSample> first_, last_;
  std::vector<std::uint64_t> peak_rss_;
  std::chrono::steady_clock::time_point started_;
  std::atomic<std::uint64_t> last_backlog_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace flowbench::run
