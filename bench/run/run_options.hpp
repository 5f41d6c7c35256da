// What `flowbench run` is asked to do (the options of RunMatrix) and the live progress it
// reports: shared by the matrix and by each measurement (measure.hpp) below it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bench/load/load_plan.hpp"
#include "bench/network/network_profile.hpp"
#include "bench/run/fault_plan.hpp"
#include "bench/run/gateway_hop.hpp"
#include "bench/run/target.hpp"
#include "common/domain/workload_settings.hpp"
#include "common/infra/infra.hpp"
#include "common/service/pass_through_args.hpp"

namespace flowbench::run {

// How load is offered. Open: every scenario's requests start on a seeded schedule whatever
// the answers, the same for both builds, so both are offered the same work (the default: a
// comparison is only fair under equal load). Closed: the study's virtual users with think
// time (what its k6 script does), where each build is offered what its answers allow.
enum class LoadModel { kOpen, kClosed };

struct RunOptions {
  infra::InfraOptions infra;
  std::vector<std::string> archs{"sync", "async"};
  std::vector<std::string> profiles{"baseline"};
  std::vector<std::string> scenarios;  // empty: all six
  // Each profile's own duration, or this instead (the default run is a shortened one).
  std::optional<std::chrono::milliseconds> duration;
  int repeats = 1;
  LoadModel model = LoadModel::kOpen;
  // Open model: every selected scenario's arrival rate instead of the profile's (a sweep's
  // step); nullopt: the profile's (OpenArrivalRate).
  std::optional<double> open_rate;
  // Open model without open_rate: the profile's rates times this (a mix sweep's step offers
  // every scenario `open_rate_scale` x its profile rate at once).
  double open_rate_scale = 1;
  load::ArrivalProcess arrivals = load::ArrivalProcess::kPoisson;
  // The arrival schedules' and the repeat order's randomness: the same seed, the same
  // experiment. Repeat r uses seed + r - 1 for its schedules (the same for both builds).
  std::uint64_t seed = 1;
  // Load before the measured window at the run's rates: connections opened, pools and caches
  // warm; excluded from every figure.
  std::chrono::seconds warmup{10};
  std::chrono::seconds drain_timeout{300};   // after the load: wait this long for the backlog
  std::chrono::seconds request_timeout{60};  // per request (k6's default)
  int max_vus = 100;                         // open-loop scenario 6: connections at most
  int threads = 1;                           // load engine worker threads
  // The load engine threads' nice value (0: as the process). A sweep gives them -10 (when
  // the process may): on a machine shared with the services, the generator keeps its
  // schedule, taking only the CPU it uses.
  int load_nice = 0;
  // Open loop: wake this long before each due start and poll, so the driver's own timer
  // wake-up (~100 us on this machine's VMs) is not charged to the service in the corrected
  // latency (results/driver-vs-wrk.md). Costs about wake_ahead x rate of a core.
  std::chrono::microseconds wake_ahead{200};
  WorkloadSettings workload;
  PassThroughArgs service_args;  // to the services, per build
  // `--target`: drive these builds where they run instead of starting this checkout's
  // (infra.management_url, when set, is their broker's management API for queue depths).
  std::vector<TargetBuild> targets;
  // `--fault`: injected into every run at the same moments of its measured window.
  std::vector<FaultSpec> faults;
  // `--network`: every connection between the parts crosses an emulated link (loopback: none).
  network::NetworkProfile network;
  // `--gateway`: the driver's requests go through an API gateway in front of each build (one
  // token, minted for the run); its rate limit is off unless asked (`--gateway-rate-limit`):
  // a measurement must not be throttled by the entry point it measures through.
  bool gateway = false;
  GatewayHopOptions gateway_options;
};

// One line of live progress, once a second.
struct Progress {
  std::string arch, profile;
  int repeat = 1, repeats = 1;
  double elapsed_s = 0, total_s = 0;
  double requests_per_second = 0;
  std::uint64_t errors = 0, dropped = 0;
  double p95_s = 0;
  std::uint64_t backlog = 0;  // ready messages in every queue
  bool draining = false;
  double warmup_s = 0;  // the first warmup_s of elapsed_s are the warm-up
  // For the live console (`run --ui`): requests due by the schedule per second (started or
  // dropped) next to the answered ones, answer p50/p99 so far, every queue's depth.
  double offered_per_second = 0;
  double p50_s = 0, p99_s = 0;
  std::vector<std::pair<std::string, std::uint64_t>> queue_depths{};  // at the last sample
  // Completion (the work's end, from the intended send) of the measured window so far, from the
  // completion records read while it runs (live_completion.hpp); nullopt when none was seen
  // yet or none is tracked, and then `completion_note` says why.
  std::optional<double> completion_p50_s{}, completion_p99_s{};
  std::uint64_t completions = 0;
  std::string completion_note{};
  bool WarmingUp() const { return !draining && elapsed_s < warmup_s; }
};
using ProgressPrinter = std::function<void(const Progress&)>;

}  // namespace flowbench::run
