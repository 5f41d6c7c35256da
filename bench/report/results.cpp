#include "bench/report/results.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/domain/json_fields.hpp"

namespace flowbench::report {
namespace {

namespace json = boost::json;

json::object ToJson(const LatencySummary& s) {
  return {{"count", s.count}, {"mean", s.mean}, {"stdev", s.stdev}, {"min", s.min},
          {"p50", s.p50},     {"p90", s.p90},   {"p95", s.p95},     {"p99", s.p99},
          {"p99_9", s.p999},  {"max", s.max}};
}

LatencySummary SummaryFrom(const json::object& o) {
  JsonFields f(o);
  LatencySummary s;
  s.count = static_cast<std::uint64_t>(f.Integer("count"));
  s.mean = f.Number("mean");
  s.stdev = f.Number("stdev");
  s.min = f.Number("min");
  s.p50 = f.Number("p50");
  s.p90 = f.Number("p90");
  s.p95 = f.Number("p95");
  s.p99 = f.Number("p99");
  s.p999 = f.Number("p99_9");
  s.max = f.Number("max");
  return s;
}

json::object ToJson(const ScenarioResult& r) {
  json::array distribution;
  for (const Bucket& b : r.distribution) distribution.push_back({b.le, b.count});
  json::object o{{"scenario", r.scenario},
                 {"executor", r.executor},
                 {"requests", r.requests},
                 {"dropped_iterations", r.dropped_iterations},
                 {"throughput_rps", r.throughput_rps},
                 {"latency", ToJson(r.latency)},
                 {"latency_uncorrected", ToJson(r.latency_uncorrected)},
                 {"errors",
                  {{"connect", r.errors.connect},
                   {"timeout", r.errors.timeout},
                   {"status", r.errors.status},
                   {"check", r.errors.check}}},
                 {"distribution", distribution}};
  o["completion"] = r.completion ? json::value(ToJson(*r.completion)) : json::value(nullptr);
  return o;
}

ScenarioResult ScenarioFrom(const json::object& o) {
  JsonFields f(o);
  ScenarioResult r;
  r.scenario = f.String("scenario");
  r.executor = f.String("executor");
  r.requests = static_cast<std::uint64_t>(f.Integer("requests"));
  r.dropped_iterations = static_cast<std::uint64_t>(f.Integer("dropped_iterations"));
  r.throughput_rps = f.Number("throughput_rps");
  r.latency = SummaryFrom(f.Object("latency"));
  r.latency_uncorrected = SummaryFrom(f.Object("latency_uncorrected"));
  JsonFields e(f.Object("errors"));
  r.errors = {static_cast<std::uint64_t>(e.Integer("connect")),
              static_cast<std::uint64_t>(e.Integer("timeout")),
              static_cast<std::uint64_t>(e.Integer("status")),
              static_cast<std::uint64_t>(e.Integer("check"))};
  if (o.contains("completion") && !o.at("completion").is_null()) {
    r.completion = SummaryFrom(f.Object("completion"));
  }
  for (const json::value& b : o.at("distribution").as_array()) {
    const json::array& pair = b.as_array();
    r.distribution.push_back({pair.at(0).to_number<double>(), pair.at(1).to_number<std::uint64_t>()});
  }
  return r;
}

json::object ToJson(const ProfileRun& run) {
  json::array scenarios, queues, resources;
  for (const ScenarioResult& s : run.scenarios) scenarios.push_back(ToJson(s));
  for (const QueueSeries& q : run.queues) {
    json::array t(q.t.begin(), q.t.end()), depth(q.depth.begin(), q.depth.end());
    queues.push_back({{"queue", q.queue}, {"t", t}, {"depth", depth}, {"peak", q.Peak()}});
  }
  for (const ServiceResources& r : run.resources) {
    resources.push_back({{"service", r.service},
                         {"cpu_seconds", r.cpu_seconds},
                         {"peak_rss_bytes", r.peak_rss_bytes}});
  }
  return {{"arch", run.arch},
          {"profile", run.profile},
          {"repeat", run.repeat},
          {"duration_seconds", run.duration_seconds},
          {"drain_seconds", run.drain_seconds},
          {"drained", run.drained},
          {"overall", ToJson(run.overall)},
          {"requests", run.Requests()},
          {"errors", run.Errors()},
          {"cpu_seconds_per_1000_requests", run.CpuSecondsPer1000Requests()},
          {"scenarios", scenarios},
          {"queues", queues},
          {"resources", resources}};
}

ProfileRun ProfileRunFrom(const json::object& o) {
  JsonFields f(o);
  ProfileRun run;
  run.arch = f.String("arch");
  run.profile = f.String("profile");
  run.repeat = static_cast<int>(f.Integer("repeat"));
  run.duration_seconds = f.Number("duration_seconds");
  run.drain_seconds = f.Number("drain_seconds");
  run.drained = f.Bool("drained");
  run.overall = SummaryFrom(f.Object("overall"));
  for (const json::value& s : o.at("scenarios").as_array()) {
    run.scenarios.push_back(ScenarioFrom(s.as_object()));
  }
  for (const json::value& q : o.at("queues").as_array()) {
    QueueSeries series;
    series.queue = JsonFields(q.as_object()).String("queue");
    for (const json::value& t : q.at("t").as_array()) series.t.push_back(t.to_number<double>());
    for (const json::value& d : q.at("depth").as_array()) {
      series.depth.push_back(d.to_number<std::uint64_t>());
    }
    run.queues.push_back(std::move(series));
  }
  for (const json::value& r : o.at("resources").as_array()) {
    JsonFields rf(r.as_object());
    run.resources.push_back({rf.String("service"), rf.Number("cpu_seconds"),
                             static_cast<std::uint64_t>(rf.Integer("peak_rss_bytes"))});
  }
  return run;
}

}  // namespace

std::uint64_t QueueSeries::Peak() const {
  return depth.empty() ? 0 : *std::max_element(depth.begin(), depth.end());
}

std::uint64_t ProfileRun::Requests() const {
  std::uint64_t n = 0;
  for (const ScenarioResult& s : scenarios) n += s.requests;
  return n;
}

std::uint64_t ProfileRun::Errors() const {
  std::uint64_t n = 0;
  for (const ScenarioResult& s : scenarios) n += s.errors.Total();
  return n;
}

double ProfileRun::CpuSecondsPer1000Requests() const {
  double cpu = 0;
  for (const ServiceResources& r : resources) cpu += r.cpu_seconds;
  std::uint64_t n = Requests();
  return n == 0 ? 0 : cpu * 1000.0 / static_cast<double>(n);
}

const ScenarioResult* ProfileRun::Scenario(const std::string& id) const {
  for (const ScenarioResult& s : scenarios) {
    if (s.scenario == id) return &s;
  }
  return nullptr;
}

std::vector<const ProfileRun*> RunResults::Runs(const std::string& arch,
                                                const std::string& profile) const {
  std::vector<const ProfileRun*> matching;
  for (const ProfileRun& r : runs) {
    if (r.arch == arch && r.profile == profile) matching.push_back(&r);
  }
  return matching;
}

boost::json::object ToJson(const RunResults& results) {
  json::array profiles(results.profiles.begin(), results.profiles.end()), runs;
  for (const ProfileRun& r : results.runs) runs.push_back(ToJson(r));
  return {{"schema", results.schema},     {"created_at", results.created_at},
          {"git_commit", results.git_commit}, {"machine", results.machine},
          {"versions", results.versions}, {"settings", results.settings},
          {"profiles", profiles},         {"runs", runs}};
}

RunResults RunResultsFromJson(const boost::json::value& value) {
  if (!value.is_object()) throw std::runtime_error("results: not a JSON object");
  const json::object& o = value.as_object();
  JsonFields f(o);
  RunResults results;
  results.schema = f.String("schema");
  if (results.schema != kSchema) {
    throw std::runtime_error("results: schema '" + results.schema + "' is not " + kSchema);
  }
  results.created_at = f.String("created_at");
  results.git_commit = f.String("git_commit");
  results.machine = f.Object("machine");
  results.versions = f.Object("versions");
  results.settings = f.Object("settings");
  for (const json::value& p : o.at("profiles").as_array()) {
    results.profiles.push_back(std::string(p.as_string()));
  }
  for (const json::value& r : o.at("runs").as_array()) {
    results.runs.push_back(ProfileRunFrom(r.as_object()));
  }
  return results;
}

RunResults LoadResults(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return RunResultsFromJson(json::parse(text.str()));
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

void SaveResults(const RunResults& results, const std::string& path) {
  std::ofstream out(path);
  out << json::serialize(ToJson(results)) << "\n";
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace flowbench::report
