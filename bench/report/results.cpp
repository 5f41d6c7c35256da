#include "bench/report/results.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/domain/json_fields.hpp"

namespace flowbench::report {
namespace {

namespace json = boost::json;

// Strict reading with messages that say which field is wrong (JsonFields does it for
// scalars and objects; these for arrays and their elements).
const json::array& Array(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) throw std::runtime_error("field \"" + std::string(key) + "\" is required");
  if (!v->is_array())
    throw std::runtime_error("field \"" + std::string(key) + "\" must be an array");
  return v->get_array();
}

const json::object& Element(const json::value& v, std::string_view array) {
  if (!v.is_object())
    throw std::runtime_error("an element of \"" + std::string(array) + "\" is not an object");
  return v.get_object();
}

double NumberElement(const json::value& v, std::string_view array) {
  if (!v.is_number())
    throw std::runtime_error("an element of \"" + std::string(array) + "\" is not a number");
  return v.to_number<double>();
}

// Fields added to v1 after its first files were written: absent means their old meaning.
bool OptionalBool(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return false;
  if (!v->is_bool()) throw std::runtime_error("field '" + std::string(key) + "' is not a boolean");
  return v->get_bool();
}

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
  for (const json::value& b : Array(o, "distribution")) {
    if (!b.is_array() || b.get_array().size() != 2) {
      throw std::runtime_error("an element of \"distribution\" is not a pair [le, count]");
    }
    const json::array& pair = b.get_array();
    r.distribution.push_back({NumberElement(pair[0], "distribution"),
                              static_cast<std::uint64_t>(NumberElement(pair[1], "distribution"))});
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
  json::value target = nullptr;
  if (!run.target.empty()) {
    json::object urls;
    for (const auto& [service, url] : run.target) urls[service] = url;
    target = std::move(urls);
  }
  return {{"arch", run.arch},
          {"profile", run.profile},
          {"repeat", run.repeat},
          {"duration_seconds", run.duration_seconds},
          {"drain_seconds", run.drain_seconds},
          {"drained", run.drained},
          {"interrupted", run.interrupted},
          {"overall", ToJson(run.overall)},
          {"requests", run.Requests()},
          {"errors", run.Errors()},
          {"cpu_seconds_per_1000_requests", run.CpuSecondsPer1000Requests()},
          {"scenarios", scenarios},
          {"queues", queues},
          {"resources", resources},
          {"target", target},
          {"queues_source", run.queues_source},
          {"resources_source", run.resources_source},
          {"resources_not_measured",
           json::array(run.resources_not_measured.begin(), run.resources_not_measured.end())}};
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
  run.interrupted = OptionalBool(o, "interrupted");
  run.overall = SummaryFrom(f.Object("overall"));
  for (const json::value& s : Array(o, "scenarios")) {
    run.scenarios.push_back(ScenarioFrom(Element(s, "scenarios")));
  }
  for (const json::value& q : Array(o, "queues")) {
    const json::object& queue = Element(q, "queues");
    QueueSeries series;
    series.queue = JsonFields(queue).String("queue");
    for (const json::value& t : Array(queue, "t")) series.t.push_back(NumberElement(t, "t"));
    for (const json::value& d : Array(queue, "depth")) {
      series.depth.push_back(static_cast<std::uint64_t>(NumberElement(d, "depth")));
    }
    run.queues.push_back(std::move(series));
  }
  for (const json::value& r : Array(o, "resources")) {
    JsonFields rf(Element(r, "resources"));
    run.resources.push_back({rf.String("service"), rf.Number("cpu_seconds"),
                             static_cast<std::uint64_t>(rf.Integer("peak_rss_bytes"))});
  }
  if (const json::value* target = o.if_contains("target"); target && !target->is_null()) {
    if (!target->is_object())
      throw std::runtime_error("field \"target\" must be an object or null");
    for (const auto& [service, url] : target->get_object()) {
      if (!url.is_string())
        throw std::runtime_error("target." + std::string(service) + " is not a URL");
      run.target.emplace_back(std::string(service), std::string(url.get_string()));
    }
  }
  run.queues_source =
      f.OptionalString("queues_source").value_or(run.arch == "async" ? "amqp" : "none");
  run.resources_source = f.OptionalString("resources_source").value_or("proc");
  if (o.contains("resources_not_measured")) {
    for (const json::value& service : Array(o, "resources_not_measured")) {
      if (!service.is_string())
        throw std::runtime_error("an element of \"resources_not_measured\" is not a string");
      run.resources_not_measured.emplace_back(service.get_string());
    }
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
  return {{"schema", results.schema},
          {"created_at", results.created_at},
          {"git_commit", results.git_commit},
          {"machine", results.machine},
          {"versions", results.versions},
          {"settings", results.settings},
          {"profiles", profiles},
          {"interrupted", results.interrupted},
          {"runs", runs}};
}

RunResults RunResultsFromJson(const boost::json::value& value) {
  if (!value.is_object()) throw std::runtime_error("results: not a JSON object");
  const json::object& o = value.as_object();
  JsonFields f(o);
  RunResults results;
  results.schema = f.String("schema");
  if (results.schema != kSchema && results.schema != kSchemaV1) {
    throw std::runtime_error("results: schema '" + results.schema + "' is not " + kSchema +
                             " or " + kSchemaV1);
  }
  results.created_at = f.String("created_at");
  results.git_commit = f.String("git_commit");
  results.machine = f.Object("machine");
  results.versions = f.Object("versions");
  results.settings = f.Object("settings");
  for (const json::value& p : Array(o, "profiles")) {
    if (!p.is_string()) throw std::runtime_error("an element of \"profiles\" is not a string");
    results.profiles.push_back(std::string(p.get_string()));
  }
  const json::array& runs = Array(o, "runs");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    try {
      results.runs.push_back(ProfileRunFrom(Element(runs[i], "runs")));
    } catch (const std::exception& e) {
      throw std::runtime_error("runs[" + std::to_string(i) + "]: " + e.what());
    }
  }
  results.interrupted = OptionalBool(o, "interrupted");
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
