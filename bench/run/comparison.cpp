#include "bench/run/comparison.hpp"

#include <cstdio>
#include <map>
#include <stdexcept>
#include <thread>

#include "bench/load/load_run.hpp"
#include "bench/load/scenario_requests.hpp"
#include "bench/run/completion_scrape.hpp"
#include "bench/run/environment.hpp"
#include "common/domain/profiles.hpp"
#include "bench/run/results_conversion.hpp"
#include "bench/run/samplers.hpp"
#include "common/amqp/connection.hpp"
#include "common/db/database.hpp"
#include "common/db/schema.hpp"
#include "common/domain/events.hpp"
#include "common/infra/ports.hpp"
#include "common/service/launcher.hpp"

namespace flowbench::run {
namespace {

constexpr const char* kCompletionMetric = "flowbench_scenario_completion_seconds";
using Histograms = std::map<std::string, BucketCounts>;

std::vector<const ScenarioSpec*> SelectedScenarios(const RunOptions& o) {
  std::vector<const ScenarioSpec*> selected;
  for (const ScenarioSpec& spec : Scenarios()) {
    if (o.scenarios.empty() ||
        std::find(o.scenarios.begin(), o.scenarios.end(), spec.id) != o.scenarios.end()) {
      selected.push_back(&spec);
    }
  }
  return selected;
}

// Every service's completion histograms, summed per scenario. `complete` turns false when a
// service did not answer: its completions are then unknown, not zero.
Histograms ScrapeCompletion(const RunningSystem& system, bool* complete) {
  Histograms total;
  for (const RunningService& s : system.services) {
    std::optional<std::string> text = ScrapeMetrics(system.Url(s.name));
    if (!text) {
      *complete = false;
      continue;
    }
    for (const auto& [scenario, buckets] : ParseHistograms(*text, kCompletionMetric, "scenario")) {
      Accumulate(total[scenario], buckets);
    }
  }
  return total;
}

std::vector<load::ScenarioLoad> Loads(const Profile& profile, Arch arch,
                                      const std::vector<const ScenarioSpec*>& scenarios,
                                      std::chrono::milliseconds duration,
                                      const RunningSystem& system, const RunOptions& o) {
  std::vector<load::ScenarioLoad> loads;
  for (const ScenarioSpec* spec : scenarios) {
    load::ScenarioLoad s;
    s.name = std::string(spec->id);
    s.port = system.Service(spec->service).port;
    if (spec->id == "scenario6") {
      s.executor = load::ConstantArrivalRate(profile.click_rate, duration, o.max_vus);
    } else {
      int index = spec->id.back() - '1';
      s.executor = load::ConstantVus{profile.vus[index], duration, ThinkTime(spec->id)};
    }
    s.make_request = load::ScenarioRequestFactory(*spec);
    s.check = load::ScenarioCheck(*spec, arch);
    s.request_timeout = o.request_timeout;
    loads.push_back(std::move(s));
  }
  return loads;
}

// Fresh tables and empty queues (the builds' services must not be running: a consumer's
// unacknowledged messages survive a purge).
void ResetState(Arch arch, const infra::InfraState& infra) {
  DatabaseSettings db;
  db.url = infra.pg_url;
  db.schema = std::string(ArchName(arch));
  ResetSchema(*Connect(db), db.schema);
  if (arch == Arch::kAsync) {
    AmqpConnection amqp(infra.amqp_url, std::chrono::seconds(5), "flowbench-driver-reset");
    for (const std::string& q : ContractQueues()) {
      if (amqp.QueueDepth(q)) amqp.PurgeQueue(q);
    }
  }
}

struct Accepted {
  std::map<std::string, std::uint64_t> per_scenario;  // answered with an allowed status and body
};

Accepted AcceptedRequests(const load::LoadResult& result) {
  Accepted a;
  for (const load::ScenarioResult& s : result.scenarios) {
    const stats::Recorder& r = s.recorder;
    a.per_scenario[s.name] = r.Corrected().Count() - r.Errors().Of(stats::ErrorKind::kStatus) -
                             r.Errors().Of(stats::ErrorKind::kCheck);
  }
  return a;
}

bool AllComplete(const Accepted& accepted, const Histograms& before, const Histograms& now) {
  for (const auto& [scenario, n] : accepted.per_scenario) {
    auto after_it = now.find(scenario);
    double done = after_it == now.end() ? 0 : after_it->second.count;
    auto before_it = before.find(scenario);
    if (before_it != before.end()) done -= before_it->second.count;
    if (done < static_cast<double>(n)) return false;
  }
  return true;
}

struct DrainResult {
  double seconds = 0;
  bool drained = false;
};

// After the load: until every accepted request's work is complete (the services' completion
// counts reach the accepted counts) and every queue is empty, or the deadline.
DrainResult Drain(const RunningSystem& system, RunSampler& sampler, const Accepted& accepted,
                  const Histograms& before, const RunOptions& o, const std::atomic<bool>& stop,
                  const std::function<void(double)>& tick) {
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + o.drain_timeout;
  for (;;) {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    bool scraped = true;
    Histograms now = ScrapeCompletion(system, &scraped);
    std::uint64_t backlog = 0;
    for (const auto& [queue, depth] : sampler.DepthsNow()) backlog += depth;
    if (scraped && backlog == 0 && AllComplete(accepted, before, now)) return {elapsed, true};
    if (stop || std::chrono::steady_clock::now() > deadline) return {elapsed, false};
    tick(elapsed);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

report::ProfileRun MeasureOnce(Arch arch, const Profile& profile, int repeat,
                               const RunningSystem& system, const infra::InfraState& infra,
                               const RunOptions& o, const std::atomic<bool>& stop,
                               const ProgressPrinter& print) {
  std::vector<const ScenarioSpec*> scenarios = SelectedScenarios(o);
  std::chrono::milliseconds duration =
      o.duration.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(profile.duration));

  bool before_complete = true;
  Histograms before = ScrapeCompletion(system, &before_complete);
  std::vector<SampledProcess> processes;
  for (const RunningService& s : system.services) processes.push_back({s.name, s.pid});
  RunSampler sampler(processes, arch == Arch::kAsync ? infra.amqp_url : "",
                     arch == Arch::kAsync ? ContractQueues() : std::vector<std::string>{});
  sampler.Start();

  load::LoadOptions load_options;
  load_options.threads = o.threads;
  load::LoadRun load(Loads(profile, arch, scenarios, duration, system, o), load_options);
  Progress p{std::string(ArchName(arch)), std::string(profile.name), repeat, o.repeats};
  std::atomic<bool> load_done{false};
  std::thread stopper([&] {
    while (!load_done) {
      if (stop) load.Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  load::LoadResult result = load.Run([&](const load::ProgressSnapshot& s) {
    p.elapsed_s = std::chrono::duration<double>(s.elapsed).count();
    p.total_s = std::chrono::duration<double>(s.total).count();
    p.requests_per_second = s.requests_per_second;
    p.errors = s.errors;
    p.dropped = s.dropped;
    p.p95_s = static_cast<double>(s.p95_ns) * 1e-9;
    p.backlog = sampler.LastBacklog();
    print(p);
  });
  load_done = true;
  stopper.join();

  Accepted accepted = AcceptedRequests(result);
  p.draining = true;
  DrainResult drain = Drain(system, sampler, accepted, before, o, stop, [&](double) {
    p.backlog = sampler.LastBacklog();
    print(p);
  });
  sampler.Stop();
  bool after_complete = true;
  Histograms after = ScrapeCompletion(system, &after_complete);

  report::ProfileRun run;
  run.arch = std::string(ArchName(arch));
  run.profile = std::string(profile.name);
  run.repeat = repeat;
  // The time load was offered: the schedule's length, or less when stopped early. Requests
  // still in flight then may end during the graceful stop; they count, but that wait does
  // not dilute the rates.
  run.duration_seconds = std::min(std::chrono::duration<double>(duration).count(),
                                  std::chrono::duration<double>(result.elapsed).count());
  run.drain_seconds = drain.seconds;
  run.drained = drain.drained;
  stats::Recorder all;
  for (const load::ScenarioResult& s : result.scenarios) {
    const ScenarioSpec* spec = FindScenario(s.name);
    report::ScenarioResult r = ToScenarioResult(
        s.name, spec->id == "scenario6" ? "constant-arrival-rate" : "constant-vus", s.recorder,
        run.duration_seconds);
    if (before_complete && after_complete && after.count(s.name)) {
      r.completion = Summarise(Difference(after[s.name], before[s.name]));
    }
    run.scenarios.push_back(std::move(r));
    all.Merge(s.recorder);
  }
  run.overall = ToSeconds(all.Corrected().Summary());
  run.queues = sampler.Queues();
  run.resources = sampler.Resources();
  run.interrupted = stop;  // during the load or the drain: either way the figures are partial
  return run;
}

// A run leaves the machine as it found it: the embedded servers it had to start itself are
// stopped when it ends, Ctrl-C and errors included; servers that were already running
// (`flowbench infra up`, `flowbench up`) are left running for the next command.
class InfraStartedForThisRun {
 public:
  InfraStartedForThisRun(std::filesystem::path state_dir, bool started_here)
      : state_dir_(std::move(state_dir)), started_here_(started_here) {}
  InfraStartedForThisRun(const InfraStartedForThisRun&) = delete;
  InfraStartedForThisRun& operator=(const InfraStartedForThisRun&) = delete;
  ~InfraStartedForThisRun() {
    if (!started_here_) return;
    try {
      infra::InfraDown(state_dir_);
    } catch (const std::exception& e) {
      // A destructor cannot throw (an exception may be on its way already): say it instead.
      std::fprintf(stderr, "flowbench: stopping the embedded servers failed: %s\n"
                           "  `flowbench infra down --state-dir %s` stops them\n",
                   e.what(), state_dir_.c_str());
    }
  }

 private:
  std::filesystem::path state_dir_;
  bool started_here_;
};

std::vector<std::string> ServiceArgs(const RunOptions& o, Arch arch) {
  std::vector<std::string> args = ToArgs(o.workload);
  std::vector<std::string> pass_through = o.service_args.For(arch);
  args.insert(args.end(), pass_through.begin(), pass_through.end());
  return args;
}

}  // namespace

report::RunResults RunComparison(const RunOptions& o, const std::atomic<bool>& stop,
                                 const ProgressPrinter& print) {
  std::vector<const Profile*> profiles;
  for (const std::string& name : o.profiles) {
    const Profile* p = FindProfile(name);
    if (p == nullptr) throw std::invalid_argument("unknown profile '" + name + "' (see `flowbench profiles`)");
    profiles.push_back(p);
  }
  for (const std::string& id : o.scenarios) {
    if (FindScenario(id) == nullptr) {
      throw std::invalid_argument("unknown scenario '" + id + "' (scenario1 ... scenario6)");
    }
  }
  std::vector<Arch> archs;
  for (const std::string& name : o.archs) {
    std::optional<Arch> arch = ParseArch(name);
    if (!arch) throw std::invalid_argument("unknown architecture '" + name + "' (sync, async)");
    archs.push_back(*arch);
  }

  infra::UpResult infra_up = infra::InfraUp(o.infra);
  InfraStartedForThisRun stop_infra_at_the_end(o.infra.state_dir, !infra_up.reused);
  const infra::InfraState& infra = infra_up.state;
  report::RunResults results;
  results.created_at = FormatTimestamp(std::chrono::system_clock::now());
  results.git_commit = GitCommit();
  results.machine = MachineInfo();
  results.versions = Versions();
  results.profiles = o.profiles;
  results.settings = {
      {"workload", ToJson(o.workload)},
      {"driver",
       {{"duration_override_s",
         o.duration ? boost::json::value(o.duration->count() / 1000.0) : boost::json::value(nullptr)},
        {"repeats", o.repeats},
        {"drain_timeout_s", o.drain_timeout.count()},
        {"request_timeout_s", o.request_timeout.count()},
        {"scenario6_max_vus", o.max_vus},
        {"load_threads", o.threads},
        {"think_time_s", {{"scenario1-3,5", 1}, {"scenario4", 2}}}}},
      {"service_args", o.service_args.ToJson()}};

  for (Arch arch : archs) {
    // Private ports: a build started by `flowbench up` keeps running undisturbed.
    SystemOptions system_options;
    system_options.arch = arch;
    system_options.bin_dir = ExecutableDir();
    system_options.run_dir = o.infra.state_dir / "run" / ("run-" + std::string(ArchName(arch)));
    system_options.port_base = infra::FindFreePortBase(10);
    system_options.pg_url = infra.pg_url;
    system_options.amqp_url = infra.amqp_url;
    system_options.extra_args = ServiceArgs(o, arch);
    for (const Profile* profile : profiles) {
      for (int repeat = 1; repeat <= o.repeats && !stop; ++repeat) {
        // Every repeat starts from empty tables, empty queues and fresh processes, reset
        // before any consumer runs: an earlier run's undrained backlog must not leak into
        // this one (a consumer would take it before a purge, then find its rows gone).
        ResetState(arch, infra);
        RunningSystem system = StartSystem(system_options);
        if (stop) {  // Ctrl-C while the services started: nothing to measure
          StopSystem(system);
          break;
        }
        try {
          results.runs.push_back(MeasureOnce(arch, *profile, repeat, system, infra, o, stop, print));
        } catch (...) {
          StopSystem(system);
          throw;
        }
        StopSystem(system);
      }
    }
  }
  results.interrupted = stop;
  return results;
}

}  // namespace flowbench::run
