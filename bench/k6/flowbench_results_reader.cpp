#include "bench/k6/flowbench_results_reader.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <map>

#include "bench/k6/k6_error.hpp"
#include "bench/report/results.hpp"

namespace flowbench::k6 {
namespace json = boost::json;
namespace {

using report::LatencySummary;
using report::ProfileRun;
using report::ScenarioResult;

constexpr std::string_view kSchemaFamily = "flowbench.results/";

// How a run's figures are named: tagged with the run (every run of the file), or with k6's
// own names (one selected run: it stands for a k6 run of that build).
struct Naming {
  bool tag_run = true;
  // The k6-style tags of one arch x profile, and of one scenario in it.
  std::string Tags(const std::string& arch, const std::string& profile,
                   const std::string& scenario = "") const {
    if (!tag_run) return scenario.empty() ? "" : "{scenario:" + scenario + "}";
    return "{arch:" + arch + ",profile:" + profile +
           (scenario.empty() ? "" : ",scenario:" + scenario) + "}";
  }
};

template <typename T>
double MeanOf(const std::vector<T>& items, const std::function<double(const T&)>& figure) {
  double sum = 0;
  for (const T& item : items) sum += figure(item);
  return items.empty() ? 0 : sum / static_cast<double>(items.size());
}

// A latency summary (seconds) as k6 writes a time trend (milliseconds), averaged stat by stat.
compare::MetricSummary Trend(const std::vector<const LatencySummary*>& repeats) {
  compare::MetricSummary m;
  m.type = "trend";
  m.is_time = true;
  auto ms = [&](double LatencySummary::*field) {
    return MeanOf<const LatencySummary*>(repeats,
                                         [&](const LatencySummary* s) { return s->*field * 1000; });
  };
  m.stats["count"] = MeanOf<const LatencySummary*>(
      repeats, [](const LatencySummary* s) { return static_cast<double>(s->count); });
  m.stats["avg"] = ms(&LatencySummary::mean);
  m.stats["min"] = ms(&LatencySummary::min);
  m.stats["med"] = ms(&LatencySummary::p50);
  m.stats["p(90)"] = ms(&LatencySummary::p90);
  m.stats["p(95)"] = ms(&LatencySummary::p95);
  m.stats["p(99)"] = ms(&LatencySummary::p99);
  m.stats["p(99.9)"] = ms(&LatencySummary::p999);
  m.stats["max"] = ms(&LatencySummary::max);
  return m;
}

compare::MetricSummary Counter(double count, double rate) {
  compare::MetricSummary m;
  m.type = "counter";
  m.stats["count"] = count;
  m.stats["rate"] = rate;
  return m;
}

// k6's http_req_failed: a rate whose "passes" are the failed requests.
compare::MetricSummary Failures(double errors, double requests) {
  compare::MetricSummary m;
  m.type = "rate";
  m.stats["passes"] = errors;
  m.stats["fails"] = requests - errors;
  m.stats["rate"] = m.stats["value"] = requests == 0 ? 0 : errors / requests;
  return m;
}

void AddScenario(compare::RunSummary& summary, const Naming& naming, const std::string& arch,
                 const std::string& profile, const std::string& scenario,
                 const std::vector<const ProfileRun*>& runs) {
  std::vector<const ScenarioResult*> repeats;
  for (const ProfileRun* run : runs) {
    if (const ScenarioResult* s = run->Scenario(scenario)) repeats.push_back(s);
  }
  std::string tags = naming.Tags(arch, profile, scenario);
  std::vector<const LatencySummary*> latency, completion;
  for (const ScenarioResult* s : repeats) {
    latency.push_back(&s->latency);
    if (s->completion) completion.push_back(&*s->completion);
  }
  using S = const ScenarioResult*;
  double requests = MeanOf<S>(repeats, [](S s) { return static_cast<double>(s->requests); });
  double errors = MeanOf<S>(repeats, [](S s) { return static_cast<double>(s->errors.Total()); });
  summary.metrics["http_req_duration" + tags] = Trend(latency);
  summary.metrics["http_reqs" + tags] =
      Counter(requests, MeanOf<S>(repeats, [](S s) { return s->throughput_rps; }));
  summary.metrics["http_req_failed" + tags] = Failures(errors, requests);
  double dropped =
      MeanOf<S>(repeats, [](S s) { return static_cast<double>(s->dropped_iterations); });
  if (dropped > 0) {  // a count only: results.json has no per-scenario duration for a rate
    compare::MetricSummary m;
    m.type = "counter";
    m.stats["count"] = dropped;
    summary.metrics["dropped_iterations" + tags] = m;
  }
  // Completion only when every repeat measured it: a mean over some of them would mislead.
  if (!completion.empty() && completion.size() == repeats.size()) {
    summary.metrics["flowbench_completion" + tags] = Trend(completion);
  }
}

void AddRuns(compare::RunSummary& summary, const Naming& naming, const std::string& arch,
             const std::string& profile, const std::vector<const ProfileRun*>& runs) {
  std::string tags = naming.Tags(arch, profile);
  using R = const ProfileRun*;
  std::vector<const LatencySummary*> overall;
  for (R run : runs) overall.push_back(&run->overall);
  double requests = MeanOf<R>(runs, [](R r) { return static_cast<double>(r->Requests()); });
  summary.metrics["http_req_duration" + tags] = Trend(overall);
  summary.metrics["http_reqs" + tags] = Counter(
      requests, MeanOf<R>(runs, [](R r) {
        return r->duration_seconds == 0 ? 0.0
                                        : static_cast<double>(r->Requests()) / r->duration_seconds;
      }));
  summary.metrics["http_req_failed" + tags] =
      Failures(MeanOf<R>(runs, [](R r) { return static_cast<double>(r->Errors()); }), requests);

  std::vector<std::string> scenarios;  // in the order the runs list them
  for (R run : runs) {
    for (const ScenarioResult& s : run->scenarios) {
      if (std::find(scenarios.begin(), scenarios.end(), s.scenario) == scenarios.end()) {
        scenarios.push_back(s.scenario);
      }
    }
  }
  for (const std::string& scenario : scenarios) {
    AddScenario(summary, naming, arch, profile, scenario, runs);
  }
}

using RunsByArchProfile =
    std::map<std::pair<std::string, std::string>, std::vector<const ProfileRun*>>;

// The runs "arch" or "arch/profile" names; exactly one arch x profile, or a clear error.
RunsByArchProfile Selected(const RunsByArchProfile& all, const std::string& selector,
                           const std::string& source) {
  std::size_t slash = selector.find('/');
  std::string arch = selector.substr(0, slash);
  std::string profile = slash == std::string::npos ? "" : selector.substr(slash + 1);
  RunsByArchProfile chosen;
  std::string held;
  for (const auto& [arch_profile, runs] : all) {
    held += (held.empty() ? "" : ", ") + arch_profile.first + "/" + arch_profile.second;
    if (arch_profile.first == arch && (profile.empty() || arch_profile.second == profile)) {
      chosen.insert({arch_profile, runs});
    }
  }
  if (chosen.empty()) {
    throw K6FormatError(source + ": no run matches #" + selector + " (the file holds: " + held +
                        ")");
  }
  if (chosen.size() > 1) {
    throw K6FormatError(source + ": #" + selector + " matches several profiles; name one, e.g. #" +
                        arch + "/" + chosen.begin()->first.second + " (the file holds: " + held +
                        ")");
  }
  return chosen;
}

}  // namespace

bool LooksLikeFlowbenchResults(const json::value& document) {
  const json::object* root = document.if_object();
  const json::value* schema = root ? root->if_contains("schema") : nullptr;
  return schema != nullptr && schema->is_string() &&
         schema->get_string().starts_with(kSchemaFamily);
}

compare::RunSummary FlowbenchResultsFromJson(const json::value& document, std::string source,
                                             const std::string& selector) {
  std::string schema(document.at("schema").as_string());
  if (schema != report::kSchema && schema != report::kSchemaV1) {
    throw K6FormatError(source + ": results schema '" + schema +
                        "' is not one this flowbench reads (" + report::kSchema + ", " +
                        report::kSchemaV1 + "); was it written by a newer flowbench?");
  }
  report::RunResults results;
  try {
    results = report::RunResultsFromJson(document);
  } catch (const std::exception& e) {
    throw K6FormatError(source + ": not a valid " + schema + " file: " + e.what());
  }

  std::map<std::pair<std::string, std::string>, std::vector<const ProfileRun*>> by_run;
  for (const ProfileRun& run : results.runs) by_run[{run.arch, run.profile}].push_back(&run);
  Naming naming;
  if (!selector.empty()) {
    by_run = Selected(by_run, selector, source);
    naming.tag_run = false;
  }

  compare::RunSummary summary;
  summary.format = kFlowbenchResultsFormat;
  if (!selector.empty()) summary.format += " #" + selector;
  int most_repeats = 0;
  for (const auto& [arch_profile, runs] : by_run) {
    AddRuns(summary, naming, arch_profile.first, arch_profile.second, runs);
    most_repeats = std::max(most_repeats, static_cast<int>(runs.size()));
  }
  if (most_repeats > 1) summary.format += ", mean of " + std::to_string(most_repeats) + " repeats";
  if (results.interrupted) summary.format += ", interrupted";
  summary.source = std::move(source);
  return summary;
}

}  // namespace flowbench::k6
