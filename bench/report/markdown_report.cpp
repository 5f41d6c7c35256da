#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "bench/report/aggregate.hpp"
#include "bench/report/faults_section.hpp"
#include "bench/report/gateway_section.hpp"
#include "bench/report/reports.hpp"
#include "common/domain/catalogue.hpp"

namespace flowbench::report {
namespace {

std::string Title(const std::string& scenario_id) {
  const ScenarioSpec* spec = FindScenario(scenario_id);
  return spec ? std::string(spec->title) : scenario_id;
}

// The figure of one scenario across the repeats of an architecture x profile.
MeanSd ScenarioFigure(const RunResults& r, const std::string& arch, const std::string& profile,
                      const std::string& scenario,
                      const std::function<double(const ScenarioResult&)>& figure) {
  std::vector<const ProfileRun*> runs;
  for (const ProfileRun* run : r.Runs(arch, profile)) {
    if (run->Scenario(scenario)) runs.push_back(run);
  }
  return Across(runs, [&](const ProfileRun& run) { return figure(*run.Scenario(scenario)); });
}

// A JSON value as a reader wants it in a table: text without quotes, numbers plainly.
std::string Plain(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_double()) return Number(v.get_double(), 2);
  return boost::json::serialize(v);
}

// "a.b.c" -> value, for nested settings shown as a table.
void Flatten(const boost::json::object& object, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& rows) {
  for (const auto& [key, value] : object) {
    std::string name = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
    if (value.is_object())
      Flatten(value.as_object(), name, rows);
    else
      rows.emplace_back(name, Plain(value));
  }
}

// One table of `part` ("workload", "transport", ...) with a column per build, as each build's
// services reported it at GET /settings.
void SettingsTable(std::ostringstream& md, const boost::json::object& in_force,
                   const std::string& part) {
  std::vector<std::string> archs;
  std::map<std::string, std::map<std::string, std::string>> value_of;  // key -> arch -> value
  std::vector<std::string> keys;
  for (const auto& [arch, settings] : in_force) {
    archs.emplace_back(arch);
    const boost::json::value* section =
        settings.is_object() ? settings.as_object().if_contains(part) : nullptr;
    if (section == nullptr || !section->is_object()) continue;
    std::vector<std::pair<std::string, std::string>> rows;
    Flatten(section->as_object(), "", rows);
    for (const auto& [key, value] : rows) {
      if (!value_of.contains(key)) keys.push_back(key);
      value_of[key][std::string(arch)] = value;
    }
  }
  if (keys.empty()) return;
  md << "| " << part << " |";
  for (const std::string& arch : archs) md << " " << arch << " |";
  md << "\n|---|";
  for (std::size_t i = 0; i < archs.size(); ++i) md << "---|";
  md << "\n";
  for (const std::string& key : keys) {
    md << "| " << key << " |";
    for (const std::string& arch : archs) {
      auto found = value_of[key].find(arch);
      md << " " << (found == value_of[key].end() ? "—" : found->second) << " |";
    }
    md << "\n";
  }
  md << "\n";
}

void SettingsInForce(std::ostringstream& md, const RunResults& r) {
  const boost::json::object& in_force = r.settings.at("in_force").as_object();
  const boost::json::value* same = r.settings.if_contains("same_workload");
  md << "### Settings in force\n\n"
     << "As every service reported them at `GET /settings` (defaults included). ";
  if (same != nullptr && same->is_bool() && same->as_bool()) {
    md << "Both builds reported **the same workload**: the same business work with the same "
          "delays.\n\n";
  } else {
    md << "**The builds did not report the same workload: their figures are not a like-for-like "
          "comparison.**\n\n";
  }
  SettingsTable(md, in_force, "workload");
  SettingsTable(md, in_force, "database");
  SettingsTable(md, in_force, "transport");
  for (const auto& [arch, settings] : in_force) {
    if (!settings.is_object()) continue;
    if (const boost::json::value* exceptions = settings.as_object().if_contains("exceptions")) {
      md << "- " << arch << ": services with settings of their own: `"
         << boost::json::serialize(*exceptions) << "`\n";
    }
    if (const boost::json::value* missing = settings.as_object().if_contains("not_reported")) {
      md << "- " << arch
         << ": did not report their settings (unknown, not assumed): " << Plain(*missing) << "\n";
    }
  }
  if (const boost::json::value* driver = r.settings.if_contains("driver")) {
    md << "\nDriver: `" << boost::json::serialize(*driver) << "`";
  }
  if (const boost::json::value* args = r.settings.if_contains("service_args")) {
    md << "; flags passed to the services: `" << boost::json::serialize(*args) << "`";
  }
  md << "\n\n";
}

void Settings(std::ostringstream& md, const RunResults& r) {
  md << "## What was run\n\n";
  md << "| | |\n|---|---|\n";
  md << "| profiles | ";
  for (std::size_t i = 0; i < r.profiles.size(); ++i) md << (i ? ", " : "") << r.profiles[i];
  md << " |\n";
  int repeats = 0;
  for (const ProfileRun& run : r.runs) repeats = std::max(repeats, run.repeat);
  md << "| repeats | " << repeats << " (figures are mean ± sd over repeats when > 1) |\n";
  md << "| created | " << r.created_at << " |\n";
  md << "| commit | `" << r.git_commit << "` |\n";
  for (const auto& [key, value] : r.machine)
    md << "| machine." << key << " | " << Plain(value) << " |\n";
  for (const auto& [key, value] : r.versions) md << "| " << key << " | " << Plain(value) << " |\n";
  md << "\n";
  if (const boost::json::value* in_force = r.settings.if_contains("in_force");
      in_force != nullptr && in_force->is_object() && !in_force->as_object().empty()) {
    SettingsInForce(md, r);
    return;
  }
  // Results written before the services reported their settings: what the driver passed.
  md << "Settings (as passed by the driver; the services did not report theirs):\n\n"
     << "```json\n"
     << boost::json::serialize(r.settings) << "\n```\n\n";
}

void ProfileTable(std::ostringstream& md, const RunResults& r, const std::string& heading,
                  const std::string& explanation,
                  const std::function<double(const ProfileRun&)>& figure,
                  const std::function<std::string(const MeanSd&)>& format, bool ratio) {
  std::vector<std::string> archs = Archs(r);
  md << "## " << heading << "\n\n" << explanation << "\n\n| profile |";
  for (const std::string& a : archs) md << " " << a << " |";
  if (ratio && archs.size() == 2) md << " sync / async |";
  md << "\n|---|";
  for (std::size_t i = 0; i < archs.size() + (ratio && archs.size() == 2 ? 1 : 0); ++i)
    md << "---|";
  md << "\n";
  for (const std::string& profile : r.profiles) {
    md << "| " << profile << " |";
    std::vector<MeanSd> values;
    for (const std::string& a : archs) {
      values.push_back(Across(r.Runs(a, profile), figure));
      md << " " << format(values.back()) << " |";
    }
    if (ratio && archs.size() == 2) md << " " << Ratio(values[0].mean, values[1].mean) << " |";
    md << "\n";
  }
  md << "\n";
}

void MedianVersusP95(std::ostringstream& md, const RunResults& r) {
  md << "## Median vs p95\n\nThe gap between them is the tail that a typical request does not "
        "see and an unlucky one does.\n\n| profile |";
  for (const std::string& a : Archs(r)) md << " " << a << " p50 | " << a << " p95 | p95 / p50 |";
  md << "\n|---|";
  for (std::size_t i = 0; i < Archs(r).size(); ++i) md << "---|---|---|";
  md << "\n";
  for (const std::string& profile : r.profiles) {
    md << "| " << profile << " |";
    for (const std::string& a : Archs(r)) {
      MeanSd p50 =
          Across(r.Runs(a, profile), [](const ProfileRun& run) { return run.overall.p50; });
      MeanSd p95 =
          Across(r.Runs(a, profile), [](const ProfileRun& run) { return run.overall.p95; });
      md << " " << Millis(p50) << " | " << Millis(p95) << " | " << Ratio(p95.mean, p50.mean)
         << " |";
    }
    md << "\n";
  }
  md << "\n";
}

void PerScenario(std::ostringstream& md, const RunResults& r) {
  md << "## Per scenario\n\nClient-side latency from the intended send time "
        "(coordinated omission corrected for the open-loop scenario), errors of every kind, "
        "and throughput.\n\n";
  for (const std::string& profile : r.profiles) {
    md << "### " << profile << "\n\n"
       << "| scenario | arch | requests | req/s | p50 | p95 | p99 | max | errors | dropped |\n"
       << "|---|---|---|---|---|---|---|---|---|---|\n";
    for (const std::string& id : ScenarioIds(r)) {
      for (const std::string& a : Archs(r)) {
        auto fig = [&](const std::function<double(const ScenarioResult&)>& f) {
          return ScenarioFigure(r, a, profile, id, f);
        };
        MeanSd requests = fig([](const ScenarioResult& s) { return double(s.requests); });
        if (requests.n == 0) continue;
        md << "| " << id << " " << Title(id) << " | " << a << " | " << Number(requests.mean, 0)
           << " | " << Number(fig([](const ScenarioResult& s) { return s.throughput_rps; }).mean)
           << " | " << Millis(fig([](const ScenarioResult& s) { return s.latency.p50; })) << " | "
           << Millis(fig([](const ScenarioResult& s) { return s.latency.p95; })) << " | "
           << Millis(fig([](const ScenarioResult& s) { return s.latency.p99; })) << " | "
           << Millis(fig([](const ScenarioResult& s) { return s.latency.max; })) << " | "
           << Percent(fig([](const ScenarioResult& s) { return s.ErrorRate(); })) << " | "
           << Number(fig([](const ScenarioResult& s) { return double(s.dropped_iterations); }).mean,
                     0)
           << " |\n";
      }
    }
    md << "\n";
  }
}

void AckVersusCompletion(std::ostringstream& md, const RunResults& r) {
  bool per_request = false, buckets = false, lower_bound = false;
  for (const ProfileRun& run : r.runs) {
    for (const ScenarioResult& s : run.scenarios) {
      if (!s.completion) continue;
      (s.completion_source == "per-request" ? per_request : buckets) = true;
      lower_bound |= s.completion_lower_bound;
    }
  }
  md << "## Acknowledgement vs completion\n\n";
  if (!per_request) {
    md << "What the client saw (the answer) next to when the work was really done "
          "(`flowbench_scenario_completion_seconds`, from the request's arrival to the end of its "
          "last piece of work, scraped from the services). A fast 202 says nothing about when "
          "the email was sent. Completion percentiles are read off the services' histogram "
          "buckets (10 % wide), so each is within 10 % of the exact value; the count is exact.";
  } else {
    md << "What the client saw (the answer) next to when the work was really done: per request, "
          "from the driver's intended send time to the end of the request's last piece of work "
          "(the services' completion records joined to the driver's request ids). A fast 202 "
          "says nothing about when the email was sent."
       << (buckets ? " Some completion figures were read off the services' Prometheus buckets "
                     "instead (within 10 %): the scenario sections above say which."
                   : "");
  }
  if (lower_bound) {
    md << " A figure marked ≥ is a lower bound: its run did not drain before the deadline, and "
          "the work still unfinished would only raise it.";
  }
  md << "\n\n";
  for (const std::string& profile : r.profiles) {
    md << "### " << profile << "\n\n"
       << "| scenario | arch | answer p50 | answer p95 | completed | completion p50 | "
          "completion p95 | completion p99 |\n|---|---|---|---|---|---|---|---|\n";
    for (const std::string& id : ScenarioIds(r)) {
      for (const std::string& a : Archs(r)) {
        std::vector<const ProfileRun*> runs;
        for (const ProfileRun* run : r.Runs(a, profile)) {
          if (run->Scenario(id)) runs.push_back(run);
        }
        if (runs.empty()) continue;
        auto answer = [&](auto f) {
          return Across(runs, [&](const ProfileRun& run) { return f(*run.Scenario(id)); });
        };
        md << "| " << id << " | " << a << " | "
           << Millis(answer([](const ScenarioResult& s) { return s.latency.p50; })) << " | "
           << Millis(answer([](const ScenarioResult& s) { return s.latency.p95; })) << " | ";
        bool all_have = true;
        for (const ProfileRun* run : runs) all_have &= run->Scenario(id)->completion.has_value();
        if (!all_have) {
          md << "not measured | - | - | - |\n";
          continue;
        }
        auto completion = [&](auto f) {
          return Across(runs,
                        [&](const ProfileRun& run) { return f(*run.Scenario(id)->completion); });
        };
        std::string at_least;  // a mean over repeats of which one is a lower bound is one too
        for (const ProfileRun* run : runs) {
          if (run->Scenario(id)->completion_lower_bound) at_least = "≥ ";
        }
        md << Number(completion([](const LatencySummary& c) { return double(c.count); }).mean, 0)
           << " | " << at_least << Millis(completion([](const LatencySummary& c) { return c.p50; }))
           << " | " << at_least << Millis(completion([](const LatencySummary& c) { return c.p95; }))
           << " | " << at_least << Millis(completion([](const LatencySummary& c) { return c.p99; }))
           << " |\n";
      }
    }
    md << "\n";
  }
}

// "sync at http://h:8001 (user) .. http://h:8010" for each build a --target run drove.
std::string TargetsOf(const RunResults& r) {
  std::string text;
  std::vector<std::string> seen;
  for (const ProfileRun& run : r.runs) {
    if (run.target.empty() || std::find(seen.begin(), seen.end(), run.arch) != seen.end()) continue;
    seen.push_back(run.arch);
    text += (text.empty() ? "" : "; ") + run.arch + " at " + run.target.front().second + " (" +
            run.target.front().first + ") to " + run.target.back().second + " (" +
            run.target.back().first + ")";
  }
  return text;
}

void Backlog(std::ostringstream& md, const RunResults& r) {
  md << "## Backlog and drain\n\n"
        "Queue depth sampled every second during the load; after the load stopped, the time "
        "until every queue was empty. Work still queued when the load ends is work the async "
        "build accepted but had not done yet.\n\n"
        "| arch | profile | repeat | drain time | peak queue depths |\n|---|---|---|---|---|\n";
  for (const ProfileRun& run : r.runs) {
    if (run.queues.empty() && run.queues_source != "not-sampled") continue;
    md << "| " << run.arch << " | " << run.profile << " | " << run.repeat << " | "
       << (run.drained       ? Millis(run.drain_seconds)
           : run.interrupted ? "not waited for (interrupted)"
                             : "did not drain in time")
       << " | ";
    if (run.queues_source == "not-sampled") {
      md << "not sampled (no `--rabbitmq-management-url` for the target's broker) |\n";
      continue;
    }
    bool first = true;
    for (const QueueSeries& q : run.queues) {
      if (q.Peak() == 0) continue;
      md << (first ? "" : ", ") << q.queue << " " << q.Peak();
      first = false;
    }
    md << (first ? "all stayed empty" : "")
       << (run.queues_source == "management-api" ? " (management API statistics, a few s behind)"
                                                 : "")
       << " |\n";
  }
  md << "\n";
}

// What the reader must know before trusting a figure: a run cut short by Ctrl-C.
void Caveats(std::ostringstream& md, const RunResults& r) {
  if (std::string targets = TargetsOf(r); !targets.empty()) {
    md << "Measured against a deployment flowbench did not start (`--target`): " << targets
       << ". Nothing there was reset between runs; its workload settings are its own (not "
          "recorded here); the machine described at the end is the load driver's.\n\n";
  }
  for (const ProfileRun& run : r.runs) {
    if (!run.interrupted) continue;
    md << "Interrupted (Ctrl-C): " << run.arch << " / " << run.profile << " / repeat " << run.repeat
       << " was stopped after " << Millis(run.duration_seconds)
       << " of load; its figures cover only that time, and work it accepted was not waited "
          "for.\n\n";
  }
  if (r.interrupted) {
    md << "Interrupted (Ctrl-C): runs that had not started when it came are missing from "
          "this report.\n\n";
  }
}

void Resources(std::ostringstream& md, const RunResults& r) {
  bool from_metrics = std::any_of(r.runs.begin(), r.runs.end(), [](const ProfileRun& run) {
    return run.resources_source == "process-metrics";
  });
  md << "## CPU and memory\n\nCPU seconds of every service process during the run (from "
        "/proc for the services flowbench started), per 1,000 requests answered, and the "
        "largest resident set of any one service. The embedded PostgreSQL and RabbitMQ are not "
        "included."
     << (from_metrics ? " For a `--target` deployment they come from each service's own process "
                        "metrics on its /metrics (`process_cpu_seconds_total`, "
                        "`process_resident_memory_bytes`), sampled once a second."
                      : "")
     << "\n\n"
        "| arch | profile | requests | CPU s | CPU s / 1000 req | peak RSS (largest service) |\n"
        "|---|---|---|---|---|---|\n";
  for (const std::string& profile : r.profiles) {
    for (const std::string& a : Archs(r)) {
      std::vector<const ProfileRun*> runs = r.Runs(a, profile);
      if (runs.empty()) continue;
      std::set<std::string> not_measured;
      for (const ProfileRun* run : runs) {
        not_measured.insert(run->resources_not_measured.begin(), run->resources_not_measured.end());
      }
      bool none_measured = std::all_of(
          runs.begin(), runs.end(), [](const ProfileRun* run) { return run->resources.empty(); });
      if (none_measured && !not_measured.empty()) {
        md << "| " << a << " | " << profile << " | "
           << Number(
                  Across(runs, [](const ProfileRun& run) { return double(run.Requests()); }).mean,
                  0)
           << " | not measured | not measured | not measured |\n";
        continue;
      }
      std::string partial;
      for (const std::string& service : not_measured)
        partial += (partial.empty() ? "" : ", ") + service;
      if (!partial.empty()) partial = " (without " + partial + ": not measured)";
      MeanSd cpu = Across(runs, [](const ProfileRun& run) {
        double total = 0;
        for (const ServiceResources& s : run.resources) total += s.cpu_seconds;
        return total;
      });
      MeanSd rss = Across(runs, [](const ProfileRun& run) {
        std::uint64_t peak = 0;
        for (const ServiceResources& s : run.resources) peak = std::max(peak, s.peak_rss_bytes);
        return double(peak);
      });
      md << "| " << a << " | " << profile << " | "
         << Number(Across(runs, [](const ProfileRun& run) { return double(run.Requests()); }).mean,
                   0)
         << " | " << Number(cpu.mean, 2) << partial << " | "
         << Number(
                Across(runs, [](const ProfileRun& run) { return run.CpuSecondsPer1000Requests(); })
                    .mean,
                3)
         << " | " << Number(rss.mean / (1024.0 * 1024.0), 1) << " MiB |\n";
    }
  }
  md << "\n";
}

// --- Sections of a v2 file (each appears only when its data is there, so a v1 file renders
// as it always did). ---

// The runs of one build and profile in the order of their repeats.
std::vector<const ProfileRun*> ByRepeat(const RunResults& r, const std::string& arch,
                                        const std::string& profile) {
  std::vector<const ProfileRun*> runs = r.Runs(arch, profile);
  std::stable_sort(runs.begin(), runs.end(),
                   [](const ProfileRun* a, const ProfileRun* b) { return a->repeat < b->repeat; });
  return runs;
}

std::string RunName(const ProfileRun& run) {
  return run.arch + " / " + run.profile + " / repeat " + std::to_string(run.repeat);
}

// An invalid generator audit invalidates the figures of its run: said before anything else.
void GeneratorWarnings(std::ostringstream& md, const RunResults& r) {
  for (const ProfileRun& run : r.runs) {
    if (!run.generator || run.generator->valid) continue;
    std::string problems;
    for (const std::string& p : run.generator->problems)
      problems += (problems.empty() ? "" : "; ") + p;
    md << "> **Warning: the load generator did not keep its schedule in " << RunName(run)
       << "**: " << (problems.empty() ? "no reason recorded" : problems)
       << ". Its figures measure the generator as much as the build: do not compare them.\n\n";
  }
}

std::string Seconds(double s) { return Number(s, 1) + " s"; }

std::string OfferedText(const Offered& o) {
  if (o.model == "open") {
    return "open, " + (o.arrivals.empty() ? std::string("arrivals not recorded") : o.arrivals) +
           ", " + Number(o.rate_per_s, 1) + " req/s";
  }
  if (o.model == "closed") {
    return "closed, " + std::to_string(o.vus) + " users, think " + Millis(o.think_time_s) +
           " (at most " + Number(o.rate_per_s, 1) + " req/s)";
  }
  return "not recorded";
}

// The scheduled counts of one build's repeats: "1500", or "1500, 1498" when they differ.
std::string ScheduledText(const std::vector<std::uint64_t>& counts) {
  if (counts.empty()) return "—";
  bool same = std::all_of(counts.begin(), counts.end(),
                          [&](std::uint64_t c) { return c == counts.front(); });
  std::string text;
  for (std::size_t i = 0; i < (same ? 1 : counts.size()); ++i)
    text += (i ? ", " : "") + std::to_string(counts[i]);
  return text;
}

void DesignTable(std::ostringstream& md, const RunResults& r) {
  if (!r.design) return;
  const Design& d = *r.design;
  md << "## Design of the experiment\n\n| | |\n|---|---|\n";
  md << "| model | " << d.model
     << (d.model == "open"     ? " (requests start on a schedule, whatever the answers)"
         : d.model == "closed" ? " (each user waits for its answer, then thinks)"
                               : "")
     << " |\n";
  md << "| arrivals | " << (d.arrivals.empty() ? "—" : d.arrivals) << " |\n";
  md << "| seed | " << d.seed << " |\n";
  if (r.broker) {
    md << "| broker | RabbitMQ, " << r.broker->nodes
       << (r.broker->nodes == 1 ? " node" : "-node cluster") << ", "
       << (r.broker->queue_type.empty() ? "queue type not known"
                                        : r.broker->queue_type + " queues");
    if (r.broker->confirm_ms_p50 && r.broker->confirm_ms_p99) {
      md << "; publish confirm p50 " << Number(*r.broker->confirm_ms_p50, 2) << " ms, p99 "
         << Number(*r.broker->confirm_ms_p99, 2) << " ms";
    }
    // --network: the figure above crossed a service's link; the broker's own part beside it.
    if (r.broker->own_confirm_ms_p50 && r.broker->own_confirm_ms_p99) {
      md << " through the network link (the broker's own: p50 "
         << Number(*r.broker->own_confirm_ms_p50, 2) << " ms, p99 "
         << Number(*r.broker->own_confirm_ms_p99, 2) << " ms)";
    }
    md << " |\n";
  }
  md << "| warm-up | " << Seconds(d.warmup_s) << " per run, excluded from every figure |\n";
  std::string order;
  for (const std::string& o : d.order) order += (order.empty() ? "" : ", ") + o;
  if (r.network) md << "| network | " << NetworkText(*r.network) << " |\n";
  md << "| entry point | " << EntryPointText(r) << " |\n";
  md << "| repeats | " << d.repeats << " per build"
     << (order.empty() ? "" : "; the runs went in the order " + order)
     << (d.repeats > 1 ? " (builds interleaved in a seeded random order, each from fresh state)"
                       : "")
     << " |\n\n";

  std::vector<std::string> archs = Archs(r);
  md << "| profile | scenario | offered |";
  for (const std::string& a : archs) md << " " << a << " scheduled |";
  md << "\n|---|---|---|";
  for (std::size_t i = 0; i < archs.size(); ++i) md << "---|";
  md << "\n";
  bool all_equal = true;
  std::set<std::uint64_t> per_scenario;
  std::vector<std::string> unequal;
  for (const std::string& profile : r.profiles) {
    for (const std::string& id : ScenarioIds(r)) {
      std::vector<std::vector<std::uint64_t>> counts;
      const ScenarioResult* any = nullptr;
      for (const std::string& a : archs) {
        counts.emplace_back();
        for (const ProfileRun* run : ByRepeat(r, a, profile)) {
          if (const ScenarioResult* s = run->Scenario(id)) {
            counts.back().push_back(s->offered.scheduled);
            if (any == nullptr) any = s;
          }
        }
      }
      if (any == nullptr) continue;
      md << "| " << profile << " | " << id << " " << Title(id) << " | " << OfferedText(any->offered)
         << " |";
      for (const std::vector<std::uint64_t>& c : counts) md << " " << ScheduledText(c) << " |";
      md << "\n";
      bool equal = true;
      for (const std::vector<std::uint64_t>& c : counts) {
        for (std::uint64_t n : c) {
          equal &= n == counts.front().front();
          per_scenario.insert(n);
        }
      }
      if (!equal) {
        unequal.push_back(profile + " " + id +
                          (any->offered.model == "closed"
                               ? " (closed model: each user waits for its answer, so the build "
                                 "that answers sooner is offered more)"
                               : ""));
      }
      all_equal &= equal;
    }
  }
  md << "\n";
  if (all_equal && !per_scenario.empty()) {
    md << "Both builds were offered the same load: "
       << (per_scenario.size() == 1 ? std::to_string(*per_scenario.begin())
                                    : std::string("the scheduled number of"))
       << " requests per scenario from the same seeded schedule (seed " << d.seed << ").\n\n";
  } else if (!unequal.empty()) {
    md << "**The builds were not offered the same load**: the scheduled counts differ in ";
    for (std::size_t i = 0; i < unequal.size(); ++i) md << (i ? "; " : "") << unequal[i];
    md << ".\n\n";
  }
}

void GeneratorAuditTable(std::ostringstream& md, const RunResults& r) {
  if (std::none_of(r.runs.begin(), r.runs.end(),
                   [](const ProfileRun& run) { return run.generator.has_value(); })) {
    return;
  }
  md << "## Load generator audit\n\n"
        "Could the generator keep the schedule it was asked for? Send lag is the actual send "
        "time minus the intended one; achieved / intended counts the requests it started.\n\n"
        "| run | order | send lag p99 | send lag max | achieved / intended | client CPU | valid |\n"
        "|---|---|---|---|---|---|---|\n";
  for (const ProfileRun& run : r.runs) {
    if (!run.generator) continue;
    const GeneratorAudit& g = *run.generator;
    std::string problems;
    for (const std::string& p : g.problems) problems += (problems.empty() ? "" : "; ") + p;
    md << "| " << RunName(run) << " | " << (run.order > 0 ? std::to_string(run.order) : "—")
       << " | " << Number(g.send_lag_p99_ms, 2) << " ms | " << Number(g.send_lag_max_ms, 2)
       << " ms | " << Number(g.achieved_over_intended, 4) << " | " << Number(g.client_cpu_s, 2)
       << " s | " << (g.valid ? "yes" : "**no**: " + problems) << " |\n";
  }
  md << "\n";
  for (const ProfileRun& run : r.runs) {
    if (!run.clock_offset) continue;
    md << "Clock offset of " << RunName(run)
       << "'s services: " << Number(run.clock_offset->offset_s * 1000, 2) << " ms ± "
       << Number(run.clock_offset->uncertainty_s * 1000, 2) << " ms (" << run.clock_offset->method
       << ").\n\n";
  }
  for (const ProfileRun& run : r.runs) {
    if (run.completion_problems.empty()) continue;
    md << "> **Completion records of " << RunName(run)
       << " are incomplete**; its outcomes and completion figures miss what these lost:\n";
    for (const std::string& problem : run.completion_problems) md << ">\n> - " << problem << "\n";
    md << "\n";
  }
}

std::string OutcomesText(const ScenarioResult& s) {
  if (!s.outcomes) return "not collected";
  const Outcomes& o = *s.outcomes;
  std::string text = "accepted " + std::to_string(o.accepted) + ", done " + std::to_string(o.done) +
                     ", degraded " + std::to_string(o.degraded) + ", compensated " +
                     std::to_string(o.compensated) + ", failed " + std::to_string(o.failed) +
                     ", dead_lettered " + std::to_string(o.dead_lettered) + ", withdrawn " +
                     std::to_string(o.withdrawn) + ", duplicated " + std::to_string(o.duplicated) +
                     ", unfinished " + std::to_string(o.unfinished) + ", lost " +
                     std::to_string(o.lost) + ", cut " + std::to_string(s.cut);
  if (o.unknown_ids > 0) {
    text += " (and " + std::to_string(o.unknown_ids) + " records of ids this run never sent)";
  }
  return text;
}

// "12.3 ms [11.9 ms, 12.8 ms]"; a lower bound "≥ 2310 ms", without an interval.
std::string ValueText(double value, const std::optional<Interval>& interval, bool lower_bound,
                      bool throughput) {
  if (throughput) return Number(value, 1) + " req/s";
  if (lower_bound) return "≥ " + Millis(value);
  std::string text = Millis(value);
  if (interval) text += " [" + Millis(interval->low) + ", " + Millis(interval->high) + "]";
  return text;
}

std::string RatioText(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, ratio >= 10 ? "%.1fx" : "%.2fx", ratio);
  return text;
}

std::string RatioText(const ComparedFigure& c) {
  if (!c.ratio) return "-";
  std::string text = RatioText(*c.ratio);
  if (!c.ratio_interval) return text + " (no interval)";
  text += " [" + RatioText(c.ratio_interval->low) + ", " + RatioText(c.ratio_interval->high) + "]";
  if (!c.distinguishable) text += " not distinguishable from noise";
  return text;
}

const ComparedFigure* Compared(const RunResults& r, const std::string& profile,
                               const std::string& scenario, const std::string& figure) {
  for (const ComparedFigure& c : r.statistics) {
    if (c.profile == profile && c.scenario == scenario && c.figure == figure) return &c;
  }
  return nullptr;
}

bool HasScenarioSections(const RunResults& r) {
  if (!r.statistics.empty()) return true;
  for (const ProfileRun& run : r.runs) {
    for (const ScenarioResult& s : run.scenarios) {
      if (s.outcomes || !s.intervals.empty() || s.completion_source == "per-request") return true;
    }
  }
  return false;
}

void ScenarioSection(std::ostringstream& md, const RunResults& r, const std::string& profile,
                     const std::string& id) {
  std::vector<std::string> archs = Archs(r);
  std::map<std::string, std::vector<const ProfileRun*>> runs;  // arch -> runs with the scenario
  for (const std::string& a : archs) {
    for (const ProfileRun* run : ByRepeat(r, a, profile)) {
      if (run->Scenario(id)) runs[a].push_back(run);
    }
  }
  if (std::all_of(runs.begin(), runs.end(), [](const auto& kv) { return kv.second.empty(); }))
    return;
  md << "### " << profile << ": " << id << " " << Title(id) << "\n\n";
  for (const std::string& a : archs) {
    for (const ProfileRun* run : runs[a]) {
      md << "- Outcomes, " << a
         << (runs[a].size() > 1 ? " repeat " + std::to_string(run->repeat) : "") << ": "
         << OutcomesText(*run->Scenario(id)) << "\n";
    }
  }
  md << "\n";
  if (archs.size() == 2) {
    const std::vector<const ProfileRun*>& sync = runs["sync"];
    const std::vector<const ProfileRun*>& async = runs["async"];
    for (std::size_t i = 0; i < std::min(sync.size(), async.size()); ++i) {
      const ScenarioResult& s = *sync[i]->Scenario(id);
      const ScenarioResult& a = *async[i]->Scenario(id);
      if (s.outcomes && a.outcomes && s.outcomes->done != a.outcomes->done) {
        md << "**The two builds did different amounts of work**"
           << (sync.size() > 1 ? " in repeat " + std::to_string(sync[i]->repeat) : "")
           << ": sync did all the work of " << s.outcomes->done << " requests, async of "
           << a.outcomes->done << ".\n\n";
      }
    }
  }
  // Where the completion figures come from, and which are lower bounds.
  std::set<std::string> sources;
  std::vector<std::string> undrained;
  for (const std::string& a : archs) {
    for (const ProfileRun* run : runs[a]) {
      const ScenarioResult& s = *run->Scenario(id);
      if (!s.completion) continue;
      sources.insert(s.completion_source);
      if (s.completion_lower_bound) undrained.push_back(RunName(*run));
    }
  }
  if (!sources.empty()) {
    md << "Completion: ";
    bool first = true;
    for (const std::string& source : sources) {
      md << (first ? "" : "; ")
         << (source == "per-request"
                 ? "per request (the services' completion records joined to the driver's "
                   "intended send times)"
                 : "read off the services' Prometheus buckets (each percentile within 10 %; "
                   "no interval)");
      first = false;
    }
    md << ".";
    if (!undrained.empty()) {
      md << " Did not drain: ";
      for (std::size_t i = 0; i < undrained.size(); ++i) md << (i ? ", " : "") << undrained[i];
      md << "; its completion percentiles are lower bounds (≥): the work still unfinished at the "
            "deadline would only raise them.";
    }
    md << "\n\n";
  }

  struct Row {
    const char* figure;
    const char* label;
  };
  static constexpr Row kRows[] = {
      {"answer.p50", "answer p50"},         {"answer.p90", "answer p90"},
      {"answer.p99", "answer p99"},         {"answer.p99.9", "answer p99.9"},
      {"completion.p50", "completion p50"}, {"completion.p99", "completion p99"},
      {"throughput", "throughput"}};
  md << "| figure |";
  for (const std::string& a : archs) md << " " << a << " |";
  if (archs.size() == 2) md << " sync / async |";
  md << "\n|---|";
  for (std::size_t i = 0; i < archs.size() + (archs.size() == 2 ? 1 : 0); ++i) md << "---|";
  md << "\n";
  for (const Row& row : kRows) {
    std::string figure = row.figure;
    bool completion = figure.starts_with("completion");
    bool throughput = figure == "throughput";
    auto read = [&](const ScenarioResult& s) -> std::optional<double> {
      if (throughput) return s.throughput_rps;
      const LatencySummary* summary = &s.latency;
      if (completion) {
        if (!s.completion) return std::nullopt;
        summary = &*s.completion;
      }
      std::string p = figure.substr(figure.find(".p") + 2);
      return p == "50"   ? summary->p50
             : p == "90" ? summary->p90
             : p == "99" ? summary->p99
                         : summary->p999;
    };
    const ComparedFigure* compared = Compared(r, profile, id, figure);
    std::vector<std::string> cells;
    std::vector<double> firsts;
    std::vector<bool> bounds;  // per build: its figure is a lower bound
    bool measured = true;
    for (const std::string& a : archs) {
      const ScenarioResult& first = *runs[a].front()->Scenario(id);
      std::optional<double> value = read(first);
      if (!value) {
        measured = false;
        break;
      }
      bool lower_bound = false;
      for (const ProfileRun* run : runs[a])
        lower_bound |= completion && run->Scenario(id)->completion_lower_bound;
      if (compared != nullptr) {
        bool sync = a == "sync";
        cells.push_back(ValueText(sync ? compared->sync_value : compared->async_value,
                                  sync ? compared->sync_interval : compared->async_interval,
                                  lower_bound, throughput) +
                        (compared->method == "welch-log"
                             ? " (mean of " + std::to_string(runs[a].size()) + ")"
                             : ""));
      } else {
        auto interval = first.intervals.find(figure);
        cells.push_back(
            ValueText(*value,
                      interval == first.intervals.end() ? std::nullopt
                                                        : std::optional<Interval>(interval->second),
                      lower_bound, throughput) +
            (runs[a].size() > 1 ? " (repeat " + std::to_string(runs[a].front()->repeat) + ")"
                                : ""));
      }
      firsts.push_back(*value);
      bounds.push_back(lower_bound);
    }
    if (!measured) continue;
    md << "| " << row.label << " |";
    for (const std::string& cell : cells) md << " " << cell << " |";
    if (archs.size() == 2) {
      // A lower bound over a true figure bounds the ratio from below, and the other way
      // round; two lower bounds bound nothing.
      if (bounds[0] && bounds[1]) {
        md << " - (both lower bounds) |";
      } else if (bounds[0] || bounds[1]) {
        double ratio = compared != nullptr && compared->ratio ? *compared->ratio
                       : firsts[1] > 0                        ? firsts[0] / firsts[1]
                                                              : 0;
        md << " " << (ratio > 0 ? (bounds[0] ? "≥ " : "≤ ") + RatioText(ratio) : std::string("-"))
           << " |";
      } else if (compared != nullptr) {
        md << " " << RatioText(*compared) << " |";
      } else {
        md << " " << (firsts[1] > 0 ? RatioText(firsts[0] / firsts[1]) : std::string("-")) << " |";
      }
    }
    md << "\n";
  }
  md << "\n";
}

void ScenarioSections(std::ostringstream& md, const RunResults& r) {
  if (!HasScenarioSections(r)) return;
  md << "## Scenarios: what became of the requests, and the figures with their 95 % intervals\n\n"
        "Each percentile comes with its 95 % confidence interval in brackets, each sync / async "
        "ratio with the interval of the ratio; where that interval includes 1 the difference "
        "is not distinguishable from noise. With fewer than 3 repeats per build, a build's "
        "figures are its first repeat's, their intervals from order statistics within the run, "
        "the ratio's by Bonferroni; with 3 or more, the mean over the repeats with Student's t "
        "interval, the ratio of geometric means with Welch's interval on logarithms "
        "(bench/report/METHODS.md). A figure without enough samples has no interval.\n\n";
  for (const std::string& profile : r.profiles) {
    for (const std::string& id : ScenarioIds(r)) ScenarioSection(md, r, profile, id);
  }
}

}  // namespace

// The emulated network in one cell: what was asked for and what the links measured.
std::string NetworkText(const Network& n) {
  if (n.method == "none") {
    return n.profile + " (the parts talk directly over loopback, no emulated delay)";
  }
  std::string text = n.profile + ": " + Number(n.one_way_delay_ms, 2) + " ms ± " +
                     Number(n.jitter_ms, 2) + " ms one way";
  if (n.loss > 0) text += ", " + Number(n.loss * 100, 2) + " % loss (as retransmission delays)";
  text += ", by " + std::string(n.method == "relay" ? "a delaying TCP relay per link" : n.method);
  if (n.rtt_ms_measured) text += "; measured round trip " + Number(*n.rtt_ms_measured, 2) + " ms";
  return text;
}

std::string MarkdownReport(const RunResults& r) {
  std::ostringstream md;
  md << "# flowbench report: synchronous HTTP vs RabbitMQ\n\n";
  GeneratorWarnings(md, r);
  md << "Every figure below was measured by `flowbench run`; nothing is rounded beyond its "
        "display or edited. `results.json` next to this file holds the full data.\n\n";
  Caveats(md, r);
  DesignTable(md, r);
  GeneratorAuditTable(md, r);
  FaultsSection(md, r);
  GatewaySection(md, r);
  ScenarioSections(md, r);
  ProfileTable(
      md, r, "p95 latency per profile",
      "All scenarios' requests together, from the intended send time.",
      [](const ProfileRun& run) { return run.overall.p95; },
      [](const MeanSd& m) { return Millis(m); }, true);
  ProfileTable(
      md, r, "Error rate per profile",
      "Connection errors, timeouts, unexpected statuses and failed checks over all "
      "requests.",
      [](const ProfileRun& run) {
        return run.Requests() == 0 ? 0.0 : double(run.Errors()) / double(run.Requests());
      },
      [](const MeanSd& m) { return Percent(m); }, false);
  ProfileTable(
      md, r, "Throughput per profile", "Requests answered per second, all scenarios.",
      [](const ProfileRun& run) {
        return run.duration_seconds == 0 ? 0.0 : double(run.Requests()) / run.duration_seconds;
      },
      [](const MeanSd& m) { return Number(m.mean) + " req/s"; }, false);
  MedianVersusP95(md, r);
  PerScenario(md, r);
  AckVersusCompletion(md, r);
  Backlog(md, r);
  Resources(md, r);
  Settings(md, r);
  return md.str();
}

}  // namespace flowbench::report
