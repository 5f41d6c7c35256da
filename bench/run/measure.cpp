#include "bench/run/measure.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include "bench/load/load_run.hpp"
#include "bench/load/scenario_requests.hpp"
#include "bench/run/completion_scrape.hpp"
#include "bench/run/results_conversion.hpp"

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

std::vector<load::ScenarioLoad> Loads(const Profile& profile, const MeasuredBuild& system,
                                      const std::vector<const ScenarioSpec*>& scenarios,
                                      std::chrono::milliseconds duration, const RunOptions& o) {
  std::vector<load::ScenarioLoad> loads;
  for (const ScenarioSpec* spec : scenarios) {
    load::ScenarioLoad s;
    s.name = std::string(spec->id);
    s.host = system.Service(spec->service).host;
    s.port = system.Service(spec->service).port;
    if (spec->loop == Loop::kOpen) {
      load::ArrivalRate arrivals =
          load::ConstantArrivalRate(profile.click_rate, duration, o.max_vus);
      arrivals.wake_ahead = o.wake_ahead;
      s.executor = arrivals;
    } else {
      int index = spec->id.back() - '1';
      s.executor = load::ConstantVus{profile.vus[index], duration, ThinkTime(spec->id)};
    }
    s.make_request = load::ScenarioRequestFactory(*spec);
    s.check = load::ScenarioCheck(*spec, system.arch);
    s.request_timeout = o.request_timeout;
    loads.push_back(std::move(s));
  }
  return loads;
}

struct Accepted {
  std::map<std::string, std::uint64_t> per_scenario;  // answered with an allowed status and body
};

Accepted AcceptedRequests(const load::LoadResult& result) {
  Accepted a;
  for (const load::ScenarioRecording& s : result.scenarios) {
    const stats::Recorder& r = s.recorder;
    a.per_scenario[s.name] = r.Answered() - r.Errors().Of(stats::ErrorKind::kStatus) -
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

// Ready messages in every sampled queue now; nullopt when the source did not answer (then
// nobody can say the queues are empty).
std::optional<std::uint64_t> Backlog(const RunSampler& sampler) {
  try {
    std::uint64_t backlog = 0;
    for (const auto& [queue, depth] : sampler.DepthsNow()) backlog += depth;
    return backlog;
  } catch (const QueueDepthUnavailable&) {
    return std::nullopt;
  }
}

struct DrainResult {
  double seconds = 0;
  bool drained = false;
};

// After the load: until every accepted request's work is complete (the services' completion
// counts reach the accepted counts) and every sampled queue is empty, or the deadline.
DrainResult Drain(const MeasuredBuild& system, const RunSampler& sampler, const Accepted& accepted,
                  const Histograms& before, const RunOptions& o, const std::atomic<bool>& stop,
                  const std::function<void(double)>& tick) {
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + o.drain_timeout;
  for (;;) {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    bool scraped = true;
    Histograms now = ScrapeCompletion(system, &scraped);
    if (scraped && Backlog(sampler) == 0 && AllComplete(accepted, before, now))
      return {elapsed, true};
    if (stop || std::chrono::steady_clock::now() > deadline) return {elapsed, false};
    tick(elapsed);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

std::vector<SampledService> SampledServices(const MeasuredBuild& system) {
  std::vector<SampledService> sampled;
  for (const ServiceEndpoint& s : system.services) sampled.push_back({s.name, s.pid, s.Url()});
  return sampled;
}

}  // namespace

report::ProfileRun MeasureOnce(const MeasuredBuild& system, const QueueObservation& queues,
                               const Profile& profile, int repeat, const RunOptions& o,
                               const std::atomic<bool>& stop, const ProgressPrinter& print) {
  std::vector<const ScenarioSpec*> scenarios = SelectedScenarios(o);
  std::chrono::milliseconds duration =
      o.duration.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(profile.duration));

  bool before_complete = true;
  Histograms before = ScrapeCompletion(system, &before_complete);
  RunSampler sampler(SampledServices(system), queues.reader);
  sampler.Start();

  load::LoadOptions load_options;
  load_options.threads = o.threads;
  load::LoadRun load(Loads(profile, system, scenarios, duration, o), load_options);
  Progress p{std::string(ArchName(system.arch)), std::string(profile.name), repeat, o.repeats};
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
  run.arch = std::string(ArchName(system.arch));
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
  for (const load::ScenarioRecording& s : result.scenarios) {
    const ScenarioSpec* spec = FindScenario(s.name);
    report::ScenarioResult r = ToScenarioResult(
        s.name, spec->loop == Loop::kOpen ? "constant-arrival-rate" : "constant-vus", s.recorder,
        run.duration_seconds);
    if (before_complete && after_complete && after.count(s.name)) {
      r.completion = Summarise(Difference(after[s.name], before[s.name]));
    }
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
  run.interrupted = stop;  // during the load or the drain: either way the figures are partial
  return run;
}

}  // namespace flowbench::run
