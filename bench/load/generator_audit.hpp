// Did the load generator keep its own schedule? An open-loop measurement is only as good as
// the generator's punctuality: a starved client (too little CPU, a slow request factory, a
// stalled thread) sends late or not at all, and the late part shows up as service latency
// (corrected latency runs from the intended time). AuditGenerator reads that from the run's
// own RequestRecords, so every result can say whether its load was really offered.
//
//   load::GeneratorAudit audit = load::AuditGenerator(result);
//   if (!audit.valid) for (const std::string& p : audit.problems) log(p);
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "bench/load/load_run.hpp"

namespace flowbench::load {

struct AuditBounds {
  // Open loop: requests started in the measured window over those scheduled there.
  double min_achieved_over_intended = 0.99;
  // Open loop: p99 of sent - intended over the measured window's sent requests. Measured on
  // this repository's 2-vCPU VM (bench/perf/driver_load against trivial_server, 10 s,
  // wake_ahead 200 us, one thread, 3 runs each, idle and with both cores busy):
  //   50/s:   p99 0.07-0.09 ms idle, 0.13-1.2 ms under load;
  //   1000/s: p99 0.03-0.05 ms idle, 0.7-1.6 ms under load;
  // max 1.4-4.5 ms in all runs. The starved generator of load_run_test (5 ms of CPU per
  // request at 500/s) lags by seconds. 10 ms is six times the worst healthy p99 and a fraction
  // of any starved one, and small next to the latencies compared (tens of ms and more).
  // Details: bench/load/GENERATOR_AUDIT.md.
  Duration max_send_lag_p99 = std::chrono::milliseconds(10);
};

// The same fields as report::GeneratorAudit (bench/report/results.hpp), which bench/run fills
// from this one: bench/load does not depend on bench/report.
struct GeneratorAudit {
  // sent - intended of the open-loop requests of the measured window that were sent;
  // nearest rank over every request, exact (no histogram).
  double send_lag_p50_ms = 0, send_lag_p99_ms = 0, send_lag_max_ms = 0;
  double achieved_over_intended = 1;  // open loops: started / scheduled; 1 without open loops
  double client_cpu_s = 0;            // LoadResult::client_cpu_s
  bool valid = true;
  std::vector<std::string> problems;  // why it is not valid, as sentences
};

GeneratorAudit AuditGenerator(const LoadResult& result, const AuditBounds& bounds = {});

}  // namespace flowbench::load
