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
  // the 2-vCPU development VM (bench/perf/send_lag.sh: driver_load against trivial_server,
  // 10 s, wake_ahead 200 us, one thread, three runs each):
  //   idle:              p99 0.009-0.029 ms at 50/s, 0.003-0.004 ms at 1000/s (max <= 3 ms);
  //   both cores busy:   p99 0.007-0.037 ms at 50/s, 2.7-3.4 ms at 1000/s (max <= 7.5 ms),
  // the busy case being a run's normal state (the services share the cores). A starved
  // generator (load_run_test: 5 ms of CPU per request at 500/s) had p99 1.5 s idle, 2.6 s
  // busy. 10 ms is three times the worst healthy p99 and far below a starved one.
  // bench/stats/PERCENTILES.md, "Send lag", has the table.
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
