// Injects the faults of `flowbench run --fault` into one run, on a thread of its own: each
// at its time from the start of the measured window, ended (restarted, resumed) after its
// duration. Needs the servers flowbench started itself: the embedded PostgreSQL and RabbitMQ
// of the state directory, and the build's processes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/network/relayed_parts.hpp"
#include "bench/report/results.hpp"
#include "bench/run/fault_plan.hpp"
#include "common/service/launcher.hpp"

namespace flowbench::run {

// True when a fault of the plan needs the services' PUT /fault/slow: they are then started
// with --fault-injection (and only then).
bool NeedsFaultInjection(const std::vector<FaultSpec>& faults);

class FaultInjector {
 public:
  // `system`: the build under test, whose pids a service restart updates (so that it is
  // stopped afterwards); it must outlive the injector.
  // `links`: the run's --network relays (partition faults cut them); null without --network.
  FaultInjector(std::vector<FaultSpec> faults, std::filesystem::path state_dir,
                RunningSystem& system, network::RelayedParts* links = nullptr);
  ~FaultInjector();  // Finish()
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Starts the schedule: fault times count from `measured_start`.
  void Start(std::chrono::steady_clock::time_point measured_start);
  // Ends every fault still on at once (restarts, resumes) and stops the thread. Idempotent.
  void Finish();
  // Ended faults' records (recovery_s is filled in later, from the per-second series).
  std::vector<report::Fault> Records() const;
  // After the load: waits until every fault has ended on its schedule (or `stop`), then
  // Finish(): the drain runs with every server and service back.
  void WaitUntilEnded(const std::atomic<bool>& stop);

 private:
  void Loop();
  void Begin(std::size_t i);
  void End(std::size_t i);
  double Since() const;
  RunningService& Service(const std::string& name);
  network::RelayedParts& Links();

  std::vector<FaultSpec> faults_;
  std::filesystem::path state_dir_;
  RunningSystem& system_;
  network::RelayedParts* links_;
  std::chrono::steady_clock::time_point measured_start_;
  std::vector<report::Fault> records_;
  std::vector<int> state_;  // 0 not begun, 1 on, 2 ended
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool finishing_ = false;
  std::thread thread_;
};

// Seconds from `fault_end_s` to the first whole second at or after it in which requests were
// answered and none of any scenario failed; nullopt when no such second came.
std::optional<double> RecoverySeconds(const std::vector<report::ScenarioResult>& scenarios,
                                      double fault_end_s);

}  // namespace flowbench::run
