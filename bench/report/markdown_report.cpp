#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "bench/report/aggregate.hpp"
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
  md << "## Acknowledgement vs completion\n\n"
        "What the client saw (the answer) next to when the work was really done "
        "(`flowbench_scenario_completion_seconds`, from the request's arrival to the end of its "
        "last piece of work, scraped from the services). A fast 202 says nothing about when "
        "the email was sent. Completion percentiles are read off the services' histogram "
        "buckets (10 % wide), so each is within 10 % of the exact value; the count is exact.\n\n";
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
        md << Number(completion([](const LatencySummary& c) { return double(c.count); }).mean, 0)
           << " | " << Millis(completion([](const LatencySummary& c) { return c.p50; })) << " | "
           << Millis(completion([](const LatencySummary& c) { return c.p95; })) << " | "
           << Millis(completion([](const LatencySummary& c) { return c.p99; })) << " |\n";
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

}  // namespace

std::string MarkdownReport(const RunResults& r) {
  std::ostringstream md;
  md << "# flowbench report: synchronous HTTP vs RabbitMQ\n\n"
        "Every figure below was measured by `flowbench run`; nothing is rounded beyond its "
        "display or edited. `results.json` next to this file holds the full data.\n\n";
  Caveats(md, r);
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
