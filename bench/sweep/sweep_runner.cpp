#include "bench/sweep/sweep_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "bench/limits/physical_limits.hpp"
#include "bench/run/broker_probe.hpp"
#include "bench/run/environment.hpp"
#include "bench/run/own_build.hpp"
#include "bench/run/results_conversion.hpp"
#include "bench/run/statistics.hpp"
#include "bench/sweep/mix_search.hpp"
#include "bench/sweep/step_verdict.hpp"
#include "common/domain/events.hpp"
#include "common/infra/infra.hpp"

namespace flowbench::sweep {
namespace {

using std::chrono::duration;

// The load engine's threads' nice value in a sweep: past a few thousand requests a second the
// services, PostgreSQL and RabbitMQ use both cores, and a generator at the same priority
// falls behind its schedule first (run_options.hpp, load_nice).
constexpr int kLoadNice = -10;

const PhysicalLimit* Find(const std::vector<PhysicalLimit>& limits, std::string_view name) {
  auto it = std::find_if(limits.begin(), limits.end(),
                         [&](const PhysicalLimit& l) { return l.name == name; });
  return it == limits.end() ? nullptr : &*it;
}

boost::json::object Described(const SweepOptions& o) {
  boost::json::array archs(o.archs.begin(), o.archs.end());
  boost::json::array scenarios(o.scenarios.begin(), o.scenarios.end());
  auto slo = [](const Slo& s) {
    return boost::json::object{
        {"figure", s.figure}, {"quantile", s.quantile}, {"allowance_s", s.limit_s}};
  };
  return {{"sweep",
           {{"archs", archs},
            {"scenarios", scenarios},
            {"mix", o.mix.empty() ? boost::json::value() : boost::json::value(o.mix)},
            {"quick", o.quick},
            {"slo_allowances",
             {{"answer", slo(o.slos.answer)}, {"completion", slo(o.slos.completion)}}},
            {"max_error_rate", o.bounds.max_error_rate},
            {"max_backlog_growth", o.bounds.max_backlog_growth},
            {"measure_limits", o.measure_limits},
            {"limit_probe_s", static_cast<double>(o.limit_duration.count()) / 1000.0}}},
          {"workload", ToJson(o.run.workload)},
          {"driver",
           {{"model", "open"},
            {"arrivals", o.run.arrivals == load::ArrivalProcess::kPoisson ? "poisson" : "uniform"},
            {"seed", o.run.seed},
            {"scenario_max_vus", o.run.max_vus},
            {"load_threads", o.run.threads},
            {"wake_ahead_us", o.run.wake_ahead.count()},
            {"wake_ahead", "at most 5 % of a core: min(wake_ahead_us, 0.05 s / rate)"},
            {"load_nice", kLoadNice}}},
          {"service_args", o.run.service_args.ToJson()}};
}

// What one measured run says about its one scenario, as a step.
SweepStep ToStep(const run::Measurement& m, const std::string& scenario, double rate) {
  SweepStep step;
  step.arch = m.run.arch;
  step.scenario = scenario;
  step.offered_rps = rate;
  step.duration_s = m.run.duration_seconds;
  step.warmup_s = m.run.warmup_seconds;
  step.drain_s = m.run.drain_seconds;
  step.drained = m.run.drained;
  step.interrupted = m.run.interrupted;
  step.generator = m.run.generator;
  step.cpu_ms_per_request = m.run.CpuSecondsPer1000Requests();
  const report::ScenarioResult* s = m.run.Scenario(scenario);
  if (s == nullptr) throw std::logic_error("the step's run has no " + scenario);
  step.scheduled = s->offered.scheduled;
  step.answered = s->requests;
  step.errors = s->errors.Total() + s->dropped_iterations + s->cut;
  step.error_kinds = s->errors;
  step.dropped = s->dropped_iterations;
  step.cut = s->cut;
  step.error_rate = s->ErrorRate();
  step.achieved_rps = step.duration_s > 0 ? static_cast<double>(s->requests) / step.duration_s : 0;
  step.answer = s->latency;
  step.completion = s->completion;
  step.outcomes = s->outcomes;
  if (auto it = m.backlog.find(scenario); it != m.backlog.end()) step.backlog = it->second;
  BacklogSlope slope = SlopeOf(step.backlog);
  step.backlog_slope_per_s = slope.per_s;
  step.backlog_slope_interval = slope.interval;
  return step;
}

Knees ToKnees(const KneeSearch& search, Arch arch, const std::string& scenario, const Slo& answer,
              const Slo& completion, const std::vector<PhysicalLimit>& limits,
              const WorkloadSettings& workload, int cores) {
  Knees k;
  k.arch = std::string(ArchName(arch));
  k.scenario = scenario;
  k.answer_slo = answer;
  k.completion_slo = completion;
  k.answer_knee_rps = search.answer_knee;
  k.answer_bound = search.answer_bound;
  k.sustainable_rps = search.sustainable;
  k.sustainable_bound = search.sustainable_bound;
  std::tie(k.limit_rps, k.limit_source) = LimitFor(arch, scenario, limits, workload, cores);
  k.stop_reason = search.stop_reason;
  return k;
}

// The run options of one step of `arch`: the scenarios at `rate` each (or the profile's rates
// times open_rate_scale), with the step's window, warm-up, drain and timeouts.
run::RunOptions StepOptions(const SweepOptions& o, Arch arch, std::vector<std::string> scenarios,
                            double total_rate, std::chrono::milliseconds window,
                            std::chrono::milliseconds warmup, std::chrono::milliseconds drain,
                            std::chrono::seconds request_timeout) {
  run::RunOptions ro = o.run;
  ro.archs = {std::string(ArchName(arch))};
  ro.scenarios = std::move(scenarios);
  ro.model = run::LoadModel::kOpen;
  ro.duration = window;
  ro.warmup = std::chrono::duration_cast<std::chrono::seconds>(warmup);
  ro.drain_timeout = std::chrono::duration_cast<std::chrono::seconds>(drain);
  // Waking ahead of each start and polling costs wake_ahead x rate of a core, taken from the
  // services under test: at most 5 % of a core (at high rates a timer's ~0.1 ms wake-up is
  // small beside the 10 ms the generator's audit allows).
  ro.wake_ahead = std::min(o.run.wake_ahead, std::chrono::duration_cast<std::chrono::microseconds>(
                                                 std::chrono::duration<double>(0.05 / total_rate)));
  ro.request_timeout = request_timeout;
  ro.load_nice = kLoadNice;
  ro.repeats = 1;
  return ro;
}

// "not drained: ..." first among a step's work problems, when its drain was skipped.
void MarkNotDrained(SweepStep& step) {
  step.sustainable_ok = false;
  step.sustainable_problems.insert(step.sustainable_problems.begin(),
                                   "not drained: above a rate where the work already fell behind");
}

// The element-wise sum of the scenarios' backlogs (their windows are the same run's).
std::vector<std::uint64_t> TotalBacklog(const std::vector<SweepStep>& scenarios) {
  std::vector<std::uint64_t> total;
  for (const SweepStep& s : scenarios) {
    if (s.backlog.size() > total.size()) total.resize(s.backlog.size(), 0);
    for (std::size_t i = 0; i < s.backlog.size(); ++i) total[i] += s.backlog[i];
  }
  return total;
}

// A mix step from one run of all its scenarios: each scenario's own step (judged against its
// own SLOs), and the totals; the mix passes a test when every scenario passes it.
SweepStep ToMixStep(const run::Measurement& m, const MixRange& mix, double scale,
                    const std::vector<std::pair<Slo, Slo>>& slos, const VerdictBounds& bounds,
                    bool judge_work, MixStepOutcome& outcome) {
  SweepStep step;
  step.arch = m.run.arch;
  step.scenario = MixKey(mix.profile);
  step.mix = mix.profile;
  step.scale = scale;
  step.duration_s = m.run.duration_seconds;
  step.warmup_s = m.run.warmup_seconds;
  step.drain_s = m.run.drain_seconds;
  step.drained = m.run.drained;
  step.interrupted = m.run.interrupted;
  step.generator = m.run.generator;
  step.cpu_ms_per_request = m.run.CpuSecondsPer1000Requests();
  step.answer = m.run.overall;
  run::ScenarioHistograms all;
  report::Outcomes outcomes;
  bool any_outcomes = false;
  for (std::size_t i = 0; i < mix.rates.size(); ++i) {
    const auto& [scenario, rate] = mix.rates[i];
    SweepStep s = ToStep(m, scenario, scale * rate);
    StepOutcome verdict = Judge(s, slos[i].first, slos[i].second, bounds);
    if (!judge_work) MarkNotDrained(s);
    outcome.scenarios.push_back({scenario, verdict});
    step.offered_rps += s.offered_rps;
    step.achieved_rps += s.achieved_rps;
    step.scheduled += s.scheduled;
    step.answered += s.answered;
    step.errors += s.errors;
    step.error_kinds.connect += s.error_kinds.connect;
    step.error_kinds.timeout += s.error_kinds.timeout;
    step.error_kinds.status += s.error_kinds.status;
    step.error_kinds.check += s.error_kinds.check;
    step.dropped += s.dropped;
    step.cut += s.cut;
    if (auto h = m.histograms.find(scenario); h != m.histograms.end()) {
      all.completion.Merge(h->second.completion);
    }
    if (s.outcomes) {
      any_outcomes = true;
      const report::Outcomes& x = *s.outcomes;
      outcomes.accepted += x.accepted;
      outcomes.done += x.done;
      outcomes.degraded += x.degraded;
      outcomes.compensated += x.compensated;
      outcomes.failed += x.failed;
      outcomes.dead_lettered += x.dead_lettered;
      outcomes.withdrawn += x.withdrawn;
      outcomes.duplicated += x.duplicated;
      outcomes.unfinished += x.unfinished;
      outcomes.lost += x.lost;
      outcomes.unknown_ids += x.unknown_ids;
    }
    for (const std::string& p : s.answer_problems) {
      if (!s.answer_ok) step.answer_problems.push_back(scenario + ": " + p);
    }
    for (const std::string& p : s.sustainable_problems) {
      if (!s.sustainable_ok) step.sustainable_problems.push_back(scenario + ": " + p);
    }
    step.scenarios.push_back(std::move(s));
  }
  step.error_rate = step.scheduled > 0
                        ? static_cast<double>(step.errors) / static_cast<double>(step.scheduled)
                        : 0;
  if (all.completion.Count() > 0) step.completion = run::ToSeconds(all.completion.Summary());
  if (any_outcomes) step.outcomes = outcomes;
  step.backlog = TotalBacklog(step.scenarios);
  BacklogSlope slope = SlopeOf(step.backlog);
  step.backlog_slope_per_s = slope.per_s;
  step.backlog_slope_interval = slope.interval;
  StepOutcome combined = CombineMix(outcome);
  step.answer_ok = combined.answer_ok.value_or(false);
  step.sustainable_ok = combined.sustainable_ok.value_or(false);
  return step;
}

}  // namespace

std::pair<std::optional<double>, std::string> LimitFor(Arch arch, std::string_view scenario,
                                                       const std::vector<PhysicalLimit>& limits,
                                                       const WorkloadSettings& workload,
                                                       int cores) {
  if (scenario == "scenario4") {
    double cpu_s = ScenarioWorkSeconds(scenario, workload);
    if (cpu_s <= 0 || cores <= 0) return {std::nullopt, "cpu"};
    return {cores / cpu_s, "cpu"};
  }
  std::vector<std::string_view> path;
  if (scenario == "scenario6") {
    path = {arch == Arch::kAsync ? "broker" : "database"};
  } else {
    path = {"http", "database"};
    if (arch == Arch::kAsync) path.emplace_back("broker");
  }
  std::optional<double> lowest;
  std::string source;
  for (std::string_view name : path) {
    const PhysicalLimit* limit = Find(limits, name);
    if (limit == nullptr) continue;
    if (!lowest || limit->rps < *lowest) {
      lowest = limit->rps;
      source = limit->name;
    }
  }
  return {lowest, source};
}

SweepResults RunSweep(const SweepOptions& o, const std::atomic<bool>& stop,
                      const SweepProgress& progress) {
  std::vector<Arch> archs;
  for (const std::string& name : o.archs) {
    std::optional<Arch> arch = ParseArch(name);
    if (!arch) throw std::invalid_argument("unknown architecture '" + name + "' (sync, async)");
    archs.push_back(*arch);
  }
  if (!o.mix.empty() && !o.scenarios.empty()) {
    throw std::invalid_argument(
        "a mix sweep offers all its profile's scenarios at once: "
        "--mix and --scenario exclude each other");
  }
  std::optional<MixRange> mix;
  std::vector<ScenarioRange> ranges;
  if (!o.mix.empty()) {
    mix = MixRangeFor(o.mix, o);  // throws first
  } else {
    std::vector<std::string> scenarios = o.scenarios;
    if (scenarios.empty()) {
      for (const ScenarioSpec& spec : Scenarios()) scenarios.emplace_back(spec.id);
    }
    for (const std::string& s : scenarios) ranges.push_back(RangeFor(s, o));  // throws first
  }

  SweepResults results;
  results.created_at = FormatTimestamp(std::chrono::system_clock::now());
  results.git_commit = run::GitCommit();
  results.machine = run::MachineInfo();
  results.versions = run::Versions();
  results.settings = Described(o);
  boost::json::object range_json;
  for (const ScenarioRange& r : mix ? mix->ranges : ranges) range_json[r.scenario] = ToJson(r);
  results.settings["ranges"] = std::move(range_json);
  if (mix) results.settings["mix_range"] = ToJson(*mix);
  const int cores = static_cast<int>(results.machine["cores"].to_number<double>());
  auto save = [&] {
    if (o.out_dir.empty()) return;
    std::filesystem::create_directories(o.out_dir);
    SaveSweep(results, (std::filesystem::path(o.out_dir) / "sweep.json").string());
  };

  std::vector<report::LinkRoundTrip> links;  // --network: every step's links
  auto record_network = [&] {
    results.settings["network"] = report::ToJson(run::NetworkOf(o.run, links));
  };
  record_network();
  run::EmbeddedInfra infra(o.run);
  {
    // The broker the async steps run on, and its publish-confirm latency before any load.
    report::Broker broker;
    broker.nodes = infra::RabbitNodeCount(infra.State());
    broker.queue_type = run::QueueTypeInForce(o.run.service_args.queue_type, broker.nodes);
    if (std::find(archs.begin(), archs.end(), Arch::kAsync) != archs.end()) {
      run::ProbeBrokerConfirms(broker, infra.State().amqp_url, o.run.network, o.run.seed);
    }
    results.settings["broker"] = report::ToJson(broker);
  }
  if (o.measure_limits && !stop) {
    if (progress.note) progress.note("measuring the machine's physical limits");
    limits::LimitProbeOptions probe;
    probe.duration = o.limit_duration;
    probe.amqp_url = infra.State().amqp_url;
    probe.pg_url = infra.State().pg_url;
    results.limits = limits::MeasurePhysicalLimits(probe);
    save();
  }

  for (Arch arch : archs) {
    if (mix && !stop) {
      std::vector<std::pair<Slo, Slo>> slos;  // each scenario's own, parallel to mix->rates
      std::vector<std::string> scenarios;
      for (const auto& [scenario, rate] : mix->rates) {
        slos.emplace_back(AnswerSlo(arch, scenario, o.run.workload, o.slos),
                          CompletionSlo(scenario, o.run.workload, o.slos));
        scenarios.push_back(scenario);
      }
      const Profile* profile = FindProfile(mix->profile);
      int index = 0;
      auto probe = [&](double scale, const std::string& phase, bool judge_work) {
        MixStepOutcome outcome;
        run::RunOptions ro = StepOptions(
            o, arch, scenarios, mix->TotalRate(scale), mix->Window(scale), mix->warmup,
            judge_work ? mix->drain_bound : std::chrono::milliseconds(0), mix->request_timeout);
        ro.open_rate_scale = scale;  // every scenario at scale x its profile rate
        char label[96];              // the progress line's: "mix:baseline x0.4 (4.5/s)"
        std::snprintf(label, sizeof label, "%s x%.3g (%.3g/s)", MixKey(mix->profile).c_str(), scale,
                      mix->TotalRate(scale));
        Profile step_profile = *profile;
        step_profile.name = label;
        std::optional<run::Measurement> m =
            run::MeasureOwnBuild(arch, infra, step_profile, 1, o.run.seed, ro, stop,
                                 progress.during_step, results.settings);
        if (!m) {
          outcome.interrupted = true;
          return outcome;
        }
        links.insert(links.end(), m->run.network_links.begin(), m->run.network_links.end());
        record_network();
        SweepStep step = ToMixStep(*m, *mix, scale, slos, o.bounds, judge_work, outcome);
        step.index = ++index;
        step.phase = phase;
        for (SweepStep& s : step.scenarios) {
          s.index = step.index;
          s.phase = phase;
        }
        results.steps.push_back(std::move(step));
        save();
        if (progress.step_done) progress.step_done(results.steps.back());
        return outcome;
      };
      MixKneeSearch search = SearchMixKnees(mix->search, probe);
      // The knees as total offered rates, the scales beside them; no one physical limit
      // bounds a mix of six paths.
      Knees k = ToKnees(search.search, arch, MixKey(mix->profile), o.slos.answer, o.slos.completion,
                        {}, o.run.workload, cores);
      k.limit_rps.reset();
      k.limit_source = "";
      k.mix = mix->profile;
      k.answer_knee_scale = search.search.answer_knee;
      k.sustainable_scale = search.search.sustainable;
      if (k.answer_knee_scale) k.answer_knee_rps = mix->TotalRate(*k.answer_knee_scale);
      if (k.sustainable_scale) k.sustainable_rps = mix->TotalRate(*k.sustainable_scale);
      k.answer_broke_first = search.answer_broke_first;
      k.sustainable_broke_first = search.sustainable_broke_first;
      results.knees.push_back(std::move(k));
      save();
    }
    for (const ScenarioRange& range : ranges) {
      if (stop) break;
      Slo answer = AnswerSlo(arch, range.scenario, o.run.workload, o.slos);
      Slo completion = CompletionSlo(range.scenario, o.run.workload, o.slos);
      int index = 0;
      auto probe = [&](double rate, const std::string& phase, bool judge_work) -> StepOutcome {
        // A window long enough that requests are due in it at a low rate (a report every 20 s);
        // above a rate where the work already fell behind, the drain says nothing new.
        run::RunOptions ro = StepOptions(
            o, arch, {range.scenario}, rate, WindowAt(range, rate), range.warmup,
            judge_work ? range.drain_bound : std::chrono::milliseconds(0), range.request_timeout);
        ro.open_rate = rate;
        char label[64];  // the progress line's: "scenario6 at 675/s"
        std::snprintf(label, sizeof label, rate < 10 ? "%s at %.3g/s" : "%s at %.0f/s",
                      range.scenario.c_str(), rate);
        Profile profile{label, {}, 0, std::chrono::seconds(0), "flowbench sweep"};
        std::optional<run::Measurement> m = run::MeasureOwnBuild(
            arch, infra, profile, 1, o.run.seed, ro, stop, progress.during_step, results.settings);
        if (!m) return {std::nullopt, std::nullopt, true};
        links.insert(links.end(), m->run.network_links.begin(), m->run.network_links.end());
        record_network();
        SweepStep step = ToStep(*m, range.scenario, rate);
        step.index = ++index;
        step.phase = phase;
        StepOutcome outcome = Judge(step, answer, completion, o.bounds);
        if (!judge_work) MarkNotDrained(step);
        results.steps.push_back(std::move(step));
        save();
        if (progress.step_done) progress.step_done(results.steps.back());
        return outcome;
      };
      KneeSearch search = SearchKnees(range.search, probe);
      results.knees.push_back(ToKnees(search, arch, range.scenario, answer, completion,
                                      results.limits, o.run.workload, cores));
      save();
    }
  }
  results.interrupted = stop;
  save();
  return results;
}

}  // namespace flowbench::sweep
