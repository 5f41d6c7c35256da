#include "bench/run/measure.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <variant>

#include "bench/load/generator_audit.hpp"
#include "bench/load/load_run.hpp"
#include "bench/load/scenario_requests.hpp"
#include "bench/run/completion_collector.hpp"
#include "bench/run/completion_join.hpp"
#include "bench/run/completion_scrape.hpp"
#include "bench/run/fault_injector.hpp"
#include "bench/run/gateway_hop.hpp"
#include "bench/run/live_completion.hpp"
#include "bench/run/results_conversion.hpp"
#include "bench/run/timeseries.hpp"
#include "common/domain/topology.hpp"

namespace flowbench::run {
namespace {

using std::chrono::duration;
using std::chrono::steady_clock;

constexpr const char* kCompletionMetric = "flowbench_scenario_completion_seconds";
using Histograms = std::map<std::string, BucketCounts>;

// After the load, with every queue empty, how long no new completion record may arrive
// before the requests still without one are given up as lost: longer than any piece of work
// the contract defines takes (a 10 s report job).
constexpr auto kQuietBeforeLost = std::chrono::seconds(15);
constexpr auto kPollInterval = std::chrono::milliseconds(250);

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

// Every service's completion histograms, summed per scenario (services without
// /completions: the approximate figure is all there is). `complete` turns false when a
// service did not answer: its completions are then unknown, not zero.
Histograms ScrapeCompletion(const MeasuredBuild& system, bool* complete) {
  Histograms total;
  for (const ServiceEndpoint& s : system.services) {
    std::optional<std::string> text = ScrapeMetrics(s.Url());
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

bool Open(const ScenarioSpec& spec, LoadModel model) {
  return model == LoadModel::kOpen || spec.loop == Loop::kOpen;
}

// A tag unique to this run, so that records of other runs (a --target deployment's earlier
// traffic) never pass for this one's.
std::string RunTag() {
  std::random_device entropy;
  std::uint64_t bits = (static_cast<std::uint64_t>(entropy()) << 32) ^ entropy();
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string tag;
  for (int i = 0; i < 8; ++i, bits /= 36) tag += kDigits[bits % 36];
  return tag;
}

struct Plan {
  std::vector<load::ScenarioLoad> loads;
  std::vector<std::string> prefixes;  // parallel to loads
  std::vector<report::Offered> offered;
};

Plan MakePlan(const Profile& profile, const MeasuredBuild& system,
              const std::vector<const ScenarioSpec*>& scenarios, load::Duration warmup,
              load::Duration measured, std::uint64_t seed, const RunOptions& o) {
  Plan plan;
  const std::string tag = RunTag();
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const ScenarioSpec& spec = *scenarios[i];
    load::ScenarioLoad s;
    s.name = std::string(spec.id);
    if (system.gateway) {  // one entry point: the gateway routes by path
      s.host = system.gateway->host;
      s.port = system.gateway->port;
      s.authorization = system.gateway->authorization;
    } else {
      s.host = system.Service(spec.service).host;
      s.port = system.Service(spec.service).port;
    }
    report::Offered offered;
    if (Open(spec, o.model)) {
      double rate = o.open_rate.value_or(o.open_rate_scale * OpenArrivalRate(profile, spec.id));
      load::ArrivalRate arrivals = load::ConstantArrivalRate(rate, warmup + measured, o.max_vus);
      arrivals.wake_ahead = o.wake_ahead;
      arrivals.process = o.arrivals;
      // Per scenario, from the experiment's seed only: both builds get the same times.
      arrivals.seed = seed * 1'000'003 + static_cast<std::uint64_t>(spec.id.back());
      s.executor = arrivals;
      offered.model = "open";
      offered.arrivals = o.arrivals == load::ArrivalProcess::kPoisson ? "poisson" : "uniform";
      offered.rate_per_s = rate;
    } else {
      int index = spec.id.back() - '1';
      std::chrono::milliseconds think = ThinkTime(spec.id);
      s.executor = load::ConstantVus{profile.vus[index], warmup + measured, think};
      offered.model = "closed";
      offered.vus = profile.vus[index];
      offered.think_time_s = duration<double>(think).count();
      offered.rate_per_s = offered.think_time_s > 0 ? offered.vus / offered.think_time_s : 0;
    }
    s.make_request = load::ScenarioRequestFactory(spec);
    s.check = load::ScenarioCheck(spec, system.arch);
    s.request_timeout = o.request_timeout;
    s.request_id_prefix = tag + "-" + std::string(1, spec.id.back()) + "-";
    plan.prefixes.push_back(s.request_id_prefix);
    plan.loads.push_back(std::move(s));
    plan.offered.push_back(offered);
  }
  return plan;
}

// What the live completion join needs of the plan, taken before the load engine owns it: each
// scenario's request id prefix and, for an open loop, its schedule (the intended send times).
std::vector<LiveCompletionScenario> LiveScenarios(const Plan& plan) {
  std::vector<LiveCompletionScenario> scenarios;
  for (const load::ScenarioLoad& s : plan.loads) {
    std::optional<load::ArrivalSchedule> schedule;
    if (const auto* arrivals = std::get_if<load::ArrivalRate>(&s.executor)) {
      schedule.emplace(*arrivals);
    }
    scenarios.push_back({s.name, s.request_id_prefix, std::move(schedule)});
  }
  return scenarios;
}

void ShowCompletion(Progress& p, const LiveCompletion& live) {
  LiveCompletionFigures f = live.Figures();
  p.completion_p50_s = f.p50_s;
  p.completion_p99_s = f.p99_s;
  p.completions = f.completions;
  p.completion_note = std::move(f.note);
}

// Ready messages in every sampled queue now, work still to do: a dead-letter queue's messages
// were given up on (their requests are counted dead_lettered), and nothing takes them, so
// they are not waited for. nullopt when the source did not answer (then nobody can say the
// queues are empty).
std::optional<std::uint64_t> Backlog(const RunSampler& sampler) {
  try {
    std::uint64_t backlog = 0;
    for (const auto& [queue, depth] : sampler.DepthsNow()) {
      if (!topology::IsDeadLetterQueue(queue)) backlog += depth;
    }
    return backlog;
  } catch (const QueueDepthUnavailable&) {
    return std::nullopt;
  }
}

struct DrainResult {
  double seconds = 0;
  bool drained = false;
  bool work_left = false;  // some queue still held messages at the end (or could not be read)
};

// After the load: until every accepted request has its completion record and every sampled
// queue is empty; or, with the queues empty, until no record has come for kQuietBeforeLost
// (what has none then is lost); or the deadline.
DrainResult DrainPerRequest(CompletionCollector& collector, const load::LoadResult& result,
                            const Plan& plan, const JoinClock& clock, const RunSampler& sampler,
                            const RunOptions& o, const std::atomic<bool>& stop,
                            const std::function<void()>& tick) {
  auto start = steady_clock::now();
  auto deadline = start + o.drain_timeout;
  std::size_t records_before = collector.Records().size();
  auto last_news = start;
  for (;;) {
    bool read = collector.Poll();
    if (collector.Records().size() != records_before) {
      records_before = collector.Records().size();
      last_news = steady_clock::now();
    }
    std::optional<std::uint64_t> backlog = Backlog(sampler);
    double elapsed = duration<double>(steady_clock::now() - start).count();
    if (read && backlog == 0) {
      std::uint64_t awaiting = 0;
      for (const JoinedScenario& j :
           JoinCompletions(result.scenarios, plan.prefixes, collector.Records(), clock, false)) {
        awaiting += j.awaiting;
      }
      if (awaiting == 0 || steady_clock::now() - last_news >= kQuietBeforeLost) {
        return {elapsed, true, false};
      }
    }
    if (stop || steady_clock::now() > deadline) return {elapsed, false, backlog != 0};
    tick();
    std::this_thread::sleep_for(kPollInterval);
  }
}

// A build without /completions (an older --target): until the services' completion counts
// reach the accepted counts and the queues are empty (CONTRACT.md §5's histograms).
DrainResult DrainByHistograms(const MeasuredBuild& system, const load::LoadResult& result,
                              const Histograms& before, const RunSampler& sampler,
                              const RunOptions& o, const std::atomic<bool>& stop,
                              const std::function<void()>& tick) {
  auto start = steady_clock::now();
  auto deadline = start + o.drain_timeout;
  for (;;) {
    double elapsed = duration<double>(steady_clock::now() - start).count();
    bool scraped = true;
    Histograms now = ScrapeCompletion(system, &scraped);
    bool all = scraped;
    for (const load::ScenarioRecording& s : result.scenarios) {
      std::uint64_t accepted = 0;
      for (const load::RequestRecord& r : s.requests) accepted += r.Accepted() ? 1 : 0;
      double done = now.count(s.name) ? now[s.name].count : 0;
      if (before.count(s.name)) done -= before.at(s.name).count;
      if (done < static_cast<double>(accepted)) all = false;
    }
    std::optional<std::uint64_t> backlog = Backlog(sampler);
    if (all && backlog == 0) return {elapsed, true, false};
    if (stop || steady_clock::now() > deadline) return {elapsed, false, backlog != 0};
    tick();
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::vector<SampledService> SampledServices(const MeasuredBuild& system) {
  std::vector<SampledService> sampled;
  for (const ServiceEndpoint& s : system.services) sampled.push_back({s.name, s.pid, s.Url()});
  return sampled;
}

report::GeneratorAudit ToReport(const load::GeneratorAudit& a) {
  report::GeneratorAudit r;
  r.send_lag_p50_ms = a.send_lag_p50_ms;
  r.send_lag_p99_ms = a.send_lag_p99_ms;
  r.send_lag_max_ms = a.send_lag_max_ms;
  r.achieved_over_intended = a.achieved_over_intended;
  r.client_cpu_s = a.client_cpu_s;
  r.valid = a.valid;
  r.problems = a.problems;
  return r;
}

std::uint64_t Count(const load::ScenarioRecording& s, load::RequestFate fate) {
  return static_cast<std::uint64_t>(
      std::count_if(s.requests.begin(), s.requests.end(),
                    [&](const load::RequestRecord& r) { return !r.warmup && r.fate == fate; }));
}

// This thread's nice value (Linux: per thread) for as long as it lives (0: unchanged). Without the
// privilege to raise the priority, the run goes on at the usual one.
class ScopedNice {
 public:
  explicit ScopedNice(int nice) {
    if (nice == 0) return;
    errno = 0;
    int before = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
    if (errno != 0) return;
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice) == 0) {
      before_ = before;
      changed_ = true;
    }
  }
  ScopedNice(const ScopedNice&) = delete;
  ScopedNice& operator=(const ScopedNice&) = delete;
  ~ScopedNice() {
    if (changed_) ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), before_);
  }

 private:
  int before_ = 0;
  bool changed_ = false;
};

// Runs the load with a progress line; polls the completion records once a second meanwhile,
// so that a service's ring never overflows during a long run. With faults, four times a
// second: a killed service's records not read yet are gone with it (its requests then count
// as lost), so the less time between reads, the fewer. The records read are joined to their
// intended send times on the polling thread (`live`, for the progress), once the load's
// start is known: the load engine's threads do nothing more for it.
load::LoadResult DriveLoad(Plan& plan, const RunOptions& o, load::Duration warmup,
                           CompletionCollector* collector, LiveCompletion* live,
                           std::int64_t service_offset_ns, const RunSampler& sampler,
                           const std::atomic<bool>& stop, Progress& p, const ProgressPrinter& print,
                           bool faults) {
  load::LoadOptions load_options;
  load_options.threads = o.threads;
  load_options.warmup = warmup;
  // In-flight requests at the end of the schedule may take their whole timeout: waited for,
  // so that none vanishes; what is still running then is counted as cut.
  load_options.graceful_stop = o.request_timeout;
  load::LoadRun load(std::move(plan.loads), load_options);
  // Threads inherit their creator's nice value: the load engine's, started in Run(), get the
  // options' (a sweep's -10: on a machine shared with the services, the generator then keeps
  // its schedule, taking the CPU it uses and no more); this thread gets its own back after.
  ScopedNice nice(o.load_nice);
  std::atomic<bool> load_done{false};
  std::atomic<std::int64_t> load_start_unix_ns{0};  // 0: not known yet (no progress so far)
  std::thread helper([&] {
    const auto poll_every =
        faults ? std::chrono::milliseconds(250) : std::chrono::milliseconds(1000);
    auto next_poll = steady_clock::now() + poll_every;
    while (!load_done) {
      if (stop) load.Stop();
      if (collector != nullptr && steady_clock::now() >= next_poll) {
        collector->Poll();
        next_poll += poll_every;
        if (std::int64_t start = load_start_unix_ns.load(); live != nullptr && start != 0) {
          live->JoinNew(collector->Records(), JoinClock{start, service_offset_ns});
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(faults ? 50 : 100));
    }
  });
  load::LoadResult result = load.Run([&](const load::ProgressSnapshot& s) {
    p.elapsed_s = duration<double>(s.elapsed).count();
    p.total_s = duration<double>(s.total).count();
    p.requests_per_second = s.requests_per_second;
    p.errors = s.errors;
    p.dropped = s.dropped;
    p.p95_s = static_cast<double>(s.p95_ns) * 1e-9;
    p.p50_s = static_cast<double>(s.p50_ns) * 1e-9;
    p.p99_s = static_cast<double>(s.p99_ns) * 1e-9;
    p.offered_per_second = s.offered_per_second;
    p.backlog = sampler.LastBacklog();
    p.queue_depths = sampler.LastDepths();
    load_start_unix_ns = s.start_unix_ns;
    if (live != nullptr) ShowCompletion(p, *live);
    print(p);
  });
  load_done = true;
  helper.join();
  return result;
}

}  // namespace

Measurement MeasureOnce(const MeasuredBuild& system, const QueueObservation& queues,
                        const Profile& profile, int repeat, std::uint64_t seed, const RunOptions& o,
                        const std::atomic<bool>& stop, const ProgressPrinter& print,
                        RunningSystem* running, network::RelayedParts* links) {
  std::vector<const ScenarioSpec*> scenarios = SelectedScenarios(o);
  const load::Duration measured =
      o.duration.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(profile.duration));
  const load::Duration warmup = o.warmup;

  std::vector<std::string> urls;
  for (const ServiceEndpoint& s : system.services) urls.push_back(s.Url());
  CompletionCollector collector(urls);
  const bool per_request = collector.SkipExisting();
  std::optional<ClockOffsetEstimate> offset;
  if (per_request && !system.started_by_flowbench) offset = EstimateClockOffset(urls.front());

  bool before_complete = true;
  Histograms before;
  if (!per_request) before = ScrapeCompletion(system, &before_complete);
  std::optional<BucketCounts> gateway_before;
  if (system.gateway) gateway_before = ScrapeGatewayAdded(system.gateway->Url());
  RunSampler sampler(SampledServices(system), queues.reader);
  sampler.Start();

  Plan plan = MakePlan(profile, system, scenarios, warmup, measured, seed, o);
  Progress p{std::string(ArchName(system.arch)), std::string(profile.name), repeat, o.repeats};
  p.warmup_s = duration<double>(warmup).count();
  // Built before the faults' clock starts: a Poisson schedule is drawn here again.
  LiveCompletion live(LiveScenarios(plan), warmup);
  const std::int64_t service_offset_ns = offset ? offset->offset_ns : 0;
  if (!per_request) {
    p.completion_note =
        "the services have no /completions: completion only from their histograms, in the report";
  }
  std::unique_ptr<FaultInjector> faults;
  if (!o.faults.empty() && running != nullptr) {
    faults = std::make_unique<FaultInjector>(o.faults, o.infra.state_dir, *running, links);
    faults->Start(steady_clock::now() + warmup);  // the load starts now
  }
  load::LoadResult result =
      DriveLoad(plan, o, warmup, per_request ? &collector : nullptr, per_request ? &live : nullptr,
                service_offset_ns, sampler, stop, p, print, faults != nullptr);
  // The drain runs with every server and service back: a fault that outlasts the load ends
  // on its schedule first.
  if (faults) faults->WaitUntilEnded(stop);

  JoinClock clock{result.start_unix_ns, service_offset_ns};
  p.draining = true;
  auto tick = [&] {
    p.backlog = sampler.LastBacklog();
    p.queue_depths = sampler.LastDepths();
    if (per_request) {  // the work still ending during the drain: the figure goes on growing
      live.JoinNew(collector.Records(), clock);
      ShowCompletion(p, live);
    }
    print(p);
  };
  DrainResult drain = per_request
                          ? DrainPerRequest(collector, result, plan, clock, sampler, o, stop, tick)
                          : DrainByHistograms(system, result, before, sampler, o, stop, tick);
  // The drain's last read (often its only one, when nothing was left) came after its last
  // progress: one more, so that the live completion figure covers every record read.
  if (per_request) tick();
  sampler.Stop();
  std::optional<BucketCounts> gateway_after;
  if (system.gateway) gateway_after = ScrapeGatewayAdded(system.gateway->Url());
  bool after_complete = true;
  Histograms after;
  if (!per_request) after = ScrapeCompletion(system, &after_complete);
  std::vector<JoinedScenario> joined;
  if (per_request) {
    joined = JoinCompletions(result.scenarios, plan.prefixes, collector.Records(), clock,
                             drain.work_left || !drain.drained);
  }

  Measurement m;
  report::ProfileRun& run = m.run;
  run.arch = std::string(ArchName(system.arch));
  run.profile = std::string(profile.name);
  run.repeat = repeat;
  run.warmup_seconds = duration<double>(warmup).count();
  // The measured window: the schedule's length after the warm-up, or less when stopped early.
  double load_s = duration<double>(result.elapsed).count() - run.warmup_seconds;
  run.duration_seconds = std::clamp(load_s, 0.0, duration<double>(measured).count());
  run.drain_seconds = drain.seconds;
  run.drained = drain.drained;
  stats::Recorder all;
  for (std::size_t i = 0; i < result.scenarios.size(); ++i) {
    const load::ScenarioRecording& s = result.scenarios[i];
    const ScenarioSpec* spec = FindScenario(s.name);
    report::ScenarioResult r =
        ToScenarioResult(s.name, Open(*spec, o.model) ? "constant-arrival-rate" : "constant-vus",
                         s.recorder, run.duration_seconds);
    r.offered = plan.offered[i];
    r.offered.scheduled = s.scheduled;
    r.cut = Count(s, load::RequestFate::kCut);
    ScenarioHistograms& h = m.histograms[s.name];
    h.answer = s.recorder.Corrected();
    if (per_request) {
      const JoinedScenario& j = joined[i];
      h.completion = j.completion;
      r.completion_source = "per-request";
      if (j.completion.Count() > 0) r.completion = ToSeconds(j.completion.Summary());
      r.completion_distribution = Distribution(j.completion);
      r.completion_lower_bound = !drain.drained;
      r.outcomes = j.outcomes;
      if (j.before_intended > 0) {
        run.completion_problems.push_back(
            s.name + ": " + std::to_string(j.before_intended) +
            " completions appear to end before their request was due (clock offset?)");
      }
    } else if (before_complete && after_complete && after.count(s.name)) {
      r.completion = Summarise(Difference(after[s.name], before[s.name]));
    }
    r.timeseries = PerSecond(s, per_request ? &joined[i] : nullptr, warmup, measured);
    if (per_request) m.backlog[s.name] = BacklogPerSecond(s, joined[i], warmup, measured);
    r.intervals = WithinRunIntervals(h);
    run.scenarios.push_back(std::move(r));
    all.Merge(s.recorder);
  }
  run.overall = ToSeconds(all.Corrected().Summary());
  run.queues = sampler.Queues();
  run.queues_source = queues.source;
  RunSampler::Resources resources = sampler.ResourcesUsed();
  run.resources = std::move(resources.measured);
  run.resources_not_measured = std::move(resources.not_measured);
  run.resources_source = system.started_by_flowbench ? "proc" : "process-metrics";
  if (!system.started_by_flowbench) {
    for (const ServiceEndpoint& s : system.services) run.target.emplace_back(s.name, s.Url());
  }
  run.generator = ToReport(load::AuditGenerator(result));
  if (system.gateway) {
    run.gateway = gateway_before && gateway_after
                      ? ToGatewayHop(system.gateway->Url(), *gateway_before, *gateway_after)
                      : report::GatewayHop{system.gateway->Url(), 0, std::nullopt};
  }
  if (offset) {
    run.clock_offset = report::ClockOffset{static_cast<double>(offset->offset_ns) * 1e-9,
                                           static_cast<double>(offset->uncertainty_ns) * 1e-9,
                                           "ntp-style over GET /completions"};
  }
  for (const std::string& problem : collector.Problems())
    run.completion_problems.push_back(problem);
  if (faults) {
    run.faults = faults->Records();
    for (report::Fault& fault : run.faults) {
      fault.recovery_s = RecoverySeconds(run.scenarios, fault.start_s + fault.duration_s);
    }
  }
  run.interrupted = stop;  // during the load or the drain: either way the figures are partial
  return m;
}

}  // namespace flowbench::run
