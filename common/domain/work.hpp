// The pieces of simulated work that are computation or chance rather than waiting: the CPU
// report (repeated SHA-256) and the saga's payment decision. Waiting steps are only a
// duration from WorkloadSettings: the sync build sleeps a thread, the async build sets a timer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/domain/workload_settings.hpp"

namespace flowbench {

struct ReportResult {
  std::string report_hash;  // hex SHA-256 of the last round
  std::uint64_t iterations = 0;
  double computation_time_seconds = 0;  // wall time of the computation
  double cpu_time_seconds = 0;          // CPU time of the calling thread (>= the setting)
};

// Hashes a buffer derived from `report_type` over and over with SHA-256 until the calling
// thread has used `cpu_time` (plus the SimulatedSlowdown) of CPU. CPU time, not wall time, so the
// work is the same amount however busy the machine is.
ReportResult GenerateReport(const std::string& report_type, Milliseconds cpu_time);

// The saga's payment authorisation: true when it succeeds. Fails with probability
// `failure_rate` (1.0 always fails, as in the original study; 0.0 never).
bool AuthorisePayment(double failure_rate);

// The `slow:SERVICE+MS` fault of `flowbench run --fault` (CONTRACT §5.2): while it is on,
// every simulated step of this process takes MS longer (a waiting step waits longer, the
// report computes longer), as when a dependency behind the step degrades. Zero otherwise.
// Process-wide and atomic: set by the fault route, read by every step on any thread.
Milliseconds SimulatedSlowdown();
void SetSimulatedSlowdown(Milliseconds extra);

}  // namespace flowbench
