#include "bench/report/results.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bench/report/results_json.hpp"
#include "common/domain/json_fields.hpp"

namespace flowbench::report {
namespace {

namespace json = boost::json;
// The parts' writers (results_json.hpp) beside this file's own ToJson overloads.
using report::ToJson;

double NumberElement(const json::value& v, std::string_view array) {
  if (!v.is_number())
    throw std::runtime_error("an element of \"" + std::string(array) + "\" is not a number");
  return v.to_number<double>();
}

// A count in an array (a bucket's): a whole, non-negative number a std::uint64_t holds.
std::uint64_t CountElement(const json::value& v, std::string_view array) {
  double n = NumberElement(v, array);
  if (!(n >= 0 && n < 18446744073709551616.0 && n == std::floor(n))) {
    throw std::runtime_error("an element of \"" + std::string(array) + "\" has a count that is " +
                             "not a whole number >= 0");
  }
  return static_cast<std::uint64_t>(n);
}

// Fields added to v1 after its first files were written: absent means their old meaning.
bool OptionalBool(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return false;
  if (!v->is_bool()) throw std::runtime_error("field '" + std::string(key) + "' is not a boolean");
  return v->get_bool();
}

// A v2 field: required in a v2 file (a writer that forgot it is a bug worth hearing about),
// absent in a v1 file (nullptr: the caller keeps the default).
const json::value* V2Field(const json::object& o, std::string_view key, bool v2) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr && v2) {
    throw std::runtime_error("field \"" + std::string(key) + "\" is required in " + kSchema);
  }
  return v;
}

json::array ToJson(const std::vector<Bucket>& buckets) {
  json::array out;
  for (const Bucket& b : buckets) out.push_back({b.le, b.count});
  return out;
}

std::vector<Bucket> BucketsFrom(const json::object& o, std::string_view key) {
  std::vector<Bucket> buckets;
  for (const json::value& b : Array(o, key)) {
    if (!b.is_array() || b.get_array().size() != 2) {
      throw std::runtime_error("an element of \"" + std::string(key) +
                               "\" is not a pair [le, count]");
    }
    const json::array& pair = b.get_array();
    buckets.push_back({NumberElement(pair[0], key), CountElement(pair[1], key)});
  }
  return buckets;
}

json::object ToJson(const Offered& offered) {
  return {{"model", offered.model},
          {"arrivals", offered.arrivals},
          {"rate_per_s", offered.rate_per_s},
          {"vus", offered.vus},
          {"think_time_s", offered.think_time_s},
          {"scheduled", offered.scheduled}};
}

Offered OfferedFrom(const json::object& o) {
  JsonFields f(o);
  Offered offered;
  offered.model = f.String("model");
  offered.arrivals = f.String("arrivals");
  offered.rate_per_s = f.Number("rate_per_s");
  offered.vus = static_cast<int>(f.Integer("vus"));
  offered.think_time_s = f.Number("think_time_s");
  offered.scheduled = Count(f, "scheduled");
  return offered;
}

json::object ToJson(const SecondSample& s) {
  return {{"t", s.t},
          {"offered", s.offered},
          {"answered", s.answered},
          {"errors", s.errors},
          {"answer_p50", ToJson(s.answer_p50)},
          {"answer_p99", ToJson(s.answer_p99)},
          {"completion_p99", ToJson(s.completion_p99)}};
}

SecondSample SecondFrom(const json::object& o) {
  JsonFields f(o);
  SecondSample s;
  s.t = f.Number("t");
  s.offered = Count(f, "offered");
  s.answered = Count(f, "answered");
  s.errors = Count(f, "errors");
  s.answer_p50 = OptionalNumber(o, "answer_p50");
  s.answer_p99 = OptionalNumber(o, "answer_p99");
  s.completion_p99 = OptionalNumber(o, "completion_p99");
  return s;
}

json::object ToJson(const ScenarioResult& r) {
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
                 {"distribution", ToJson(r.distribution)}};
  o["completion"] = r.completion ? json::value(ToJson(*r.completion)) : json::value(nullptr);
  o["offered"] = ToJson(r.offered);
  o["cut"] = r.cut;
  o["completion_source"] = r.completion_source;
  o["completion_lower_bound"] = r.completion_lower_bound;
  o["completion_distribution"] = ToJson(r.completion_distribution);
  o["outcomes"] = r.outcomes ? json::value(ToJson(*r.outcomes)) : json::value(nullptr);
  json::array timeseries;
  for (const SecondSample& second : r.timeseries) timeseries.push_back(ToJson(second));
  o["timeseries"] = std::move(timeseries);
  json::object intervals;
  for (const auto& [key, interval] : r.intervals) intervals[key] = ToJson(interval);
  o["intervals"] = std::move(intervals);
  return o;
}

ScenarioResult ScenarioFrom(const json::object& o, bool v2) {
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
  r.distribution = BucketsFrom(o, "distribution");
  if (V2Field(o, "offered", v2)) r.offered = OfferedFrom(f.Object("offered"));
  if (V2Field(o, "cut", v2)) r.cut = Count(f, "cut");
  if (V2Field(o, "completion_source", v2)) {
    r.completion_source = f.String("completion_source");
    if (r.completion_source != "per-request" && r.completion_source != "prometheus-buckets") {
      throw std::runtime_error("completion_source '" + r.completion_source +
                               "' is not per-request or prometheus-buckets");
    }
  }
  if (V2Field(o, "completion_lower_bound", v2))
    r.completion_lower_bound = f.Bool("completion_lower_bound");
  if (V2Field(o, "completion_distribution", v2)) {
    r.completion_distribution = BucketsFrom(o, "completion_distribution");
  }
  if (const json::object* outcomes = OptionalObject(o, "outcomes")) {
    r.outcomes = OutcomesFrom(*outcomes);
  }
  if (V2Field(o, "timeseries", v2)) {
    for (const json::value& second : Array(o, "timeseries")) {
      r.timeseries.push_back(SecondFrom(Element(second, "timeseries")));
    }
  }
  if (V2Field(o, "intervals", v2)) {
    for (const auto& [key, interval] : f.Object("intervals")) {
      if (!interval.is_object())
        throw std::runtime_error("intervals." + std::string(key) + " is not {low, high}");
      r.intervals[std::string(key)] = IntervalFrom(interval.get_object());
    }
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
  json::value generator = nullptr;
  if (run.generator) generator = ToJson(*run.generator);
  json::value clock_offset = nullptr;
  if (run.clock_offset) {
    clock_offset = json::object{{"offset_s", run.clock_offset->offset_s},
                                {"uncertainty_s", run.clock_offset->uncertainty_s},
                                {"method", run.clock_offset->method}};
  }
  json::array faults;
  for (const Fault& fault : run.faults) {
    json::object f{{"kind", fault.kind},
                   {"target", fault.target},
                   {"start_s", fault.start_s},
                   {"duration_s", fault.duration_s},
                   {"recovery_s", ToJson(fault.recovery_s)},
                   {"restored_s", ToJson(fault.restored_s)},
                   {"error", fault.error}};
    if (fault.extra_ms) f["extra_ms"] = *fault.extra_ms;
    faults.push_back(std::move(f));
  }
  json::array links;
  for (const LinkRoundTrip& l : run.network_links) {
    links.push_back({{"link", l.link},
                     {"rtt_ms", l.rtt_ms},
                     {"direct_ms", l.direct_ms},
                     {"relay_port", l.relay_port}});
  }
  json::value gateway = nullptr;
  if (run.gateway) {
    gateway = json::object{{"url", run.gateway->url},
                           {"forwarded", run.gateway->forwarded},
                           {"added", run.gateway->added ? json::value(ToJson(*run.gateway->added))
                                                        : json::value(nullptr)}};
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
           json::array(run.resources_not_measured.begin(), run.resources_not_measured.end())},
          {"warmup_seconds", run.warmup_seconds},
          {"generator", generator},
          {"clock_offset", clock_offset},
          {"completion_problems",
           json::array(run.completion_problems.begin(), run.completion_problems.end())},
          {"faults", faults},
          {"network_links", links},
          {"gateway", gateway},
          {"order", run.order}};
}

ProfileRun ProfileRunFrom(const json::object& o, bool v2) {
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
    run.scenarios.push_back(ScenarioFrom(Element(s, "scenarios"), v2));
  }
  for (const json::value& q : Array(o, "queues")) {
    const json::object& queue = Element(q, "queues");
    QueueSeries series;
    series.queue = JsonFields(queue).String("queue");
    for (const json::value& t : Array(queue, "t")) series.t.push_back(NumberElement(t, "t"));
    for (const json::value& d : Array(queue, "depth")) {
      series.depth.push_back(CountElement(d, "depth"));
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
    run.resources_not_measured = Strings(o, "resources_not_measured");
  }
  if (V2Field(o, "warmup_seconds", v2)) run.warmup_seconds = f.Number("warmup_seconds");
  if (V2Field(o, "order", v2)) run.order = static_cast<int>(f.Integer("order"));
  if (const json::object* g = OptionalObject(o, "generator"))
    run.generator = GeneratorAuditFrom(*g);
  if (const json::object* c = OptionalObject(o, "clock_offset")) {
    JsonFields cf(*c);
    run.clock_offset =
        ClockOffset{cf.Number("offset_s"), cf.Number("uncertainty_s"), cf.String("method")};
  }
  if (o.contains("completion_problems")) {
    run.completion_problems = Strings(o, "completion_problems");
  }
  if (o.contains("faults")) {
    for (const json::value& v : Array(o, "faults")) {
      if (!v.is_object()) throw std::runtime_error("an element of \"faults\" is not an object");
      JsonFields ff(v.get_object());
      Fault fault;
      fault.kind = ff.String("kind");
      fault.target = ff.String("target");
      fault.start_s = ff.Number("start_s");
      fault.duration_s = ff.Number("duration_s");
      fault.recovery_s = OptionalNumber(v.get_object(), "recovery_s");
      fault.restored_s = OptionalNumber(v.get_object(), "restored_s");
      fault.extra_ms = OptionalNumber(v.get_object(), "extra_ms");
      fault.error = ff.OptionalString("error").value_or("");
      run.faults.push_back(std::move(fault));
    }
  }
  if (o.contains("network_links")) {
    for (const json::value& v : Array(o, "network_links")) {
      JsonFields lf(Element(v, "network_links"));
      run.network_links.push_back({lf.String("link"), lf.Number("rtt_ms"), lf.Number("direct_ms"),
                                   static_cast<int>(lf.Integer("relay_port"))});
    }
  }
  if (const json::object* g = OptionalObject(o, "gateway")) {
    JsonFields gf(*g);
    GatewayHop hop;
    hop.url = gf.String("url");
    hop.forwarded = static_cast<std::uint64_t>(gf.Integer("forwarded"));
    if (const json::object* added = OptionalObject(*g, "added")) hop.added = SummaryFrom(*added);
    run.gateway = std::move(hop);
  }
  return run;
}

json::object ToJson(const ComparedFigure& c) {
  return {{"profile", c.profile},
          {"scenario", c.scenario},
          {"figure", c.figure},
          {"sync_value", c.sync_value},
          {"async_value", c.async_value},
          {"sync_interval", ToJson(c.sync_interval)},
          {"async_interval", ToJson(c.async_interval)},
          {"ratio", ToJson(c.ratio)},
          {"ratio_interval", ToJson(c.ratio_interval)},
          {"method", c.method},
          {"distinguishable", c.distinguishable}};
}

ComparedFigure ComparedFrom(const json::object& o) {
  JsonFields f(o);
  ComparedFigure c;
  c.profile = f.String("profile");
  c.scenario = f.String("scenario");
  c.figure = f.String("figure");
  c.sync_value = f.Number("sync_value");
  c.async_value = f.Number("async_value");
  c.sync_interval = OptionalInterval(o, "sync_interval");
  c.async_interval = OptionalInterval(o, "async_interval");
  c.ratio = OptionalNumber(o, "ratio");
  c.ratio_interval = OptionalInterval(o, "ratio_interval");
  c.method = f.String("method");
  c.distinguishable = f.Bool("distinguishable");
  return c;
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

boost::json::object ToJson(const Broker& broker) {
  auto or_null = [](std::optional<double> v) { return v ? json::value(*v) : json::value(nullptr); };
  return {{"nodes", broker.nodes},
          {"queue_type", broker.queue_type},
          {"confirm_ms_p50", or_null(broker.confirm_ms_p50)},
          {"confirm_ms_p99", or_null(broker.confirm_ms_p99)},
          {"own_confirm_ms_p50", or_null(broker.own_confirm_ms_p50)},
          {"own_confirm_ms_p99", or_null(broker.own_confirm_ms_p99)}};
}

boost::json::object ToJson(const Network& n) {
  return {{"profile", n.profile},
          {"one_way_delay_ms", n.one_way_delay_ms},
          {"jitter_ms", n.jitter_ms},
          {"loss", n.loss},
          {"rtt_ms_measured", ToJson(n.rtt_ms_measured)},
          {"method", n.method},
          {"netem_available", n.netem_available}};
}

Network NetworkFromJson(const boost::json::object& n) {
  JsonFields f(n);
  return Network{f.String("profile"),
                 f.Number("one_way_delay_ms"),
                 f.Number("jitter_ms"),
                 f.Number("loss"),
                 OptionalNumber(n, "rtt_ms_measured"),
                 f.String("method"),
                 OptionalBool(n, "netem_available")};
}

boost::json::object ToJson(const RunResults& results) {
  json::array profiles(results.profiles.begin(), results.profiles.end()), runs, statistics;
  for (const ProfileRun& r : results.runs) runs.push_back(ToJson(r));
  for (const ComparedFigure& c : results.statistics) statistics.push_back(ToJson(c));
  json::value design = nullptr;
  if (results.design) {
    const Design& d = *results.design;
    design = json::object{
        {"model", d.model},     {"arrivals", d.arrivals},
        {"seed", d.seed},       {"warmup_s", d.warmup_s},
        {"repeats", d.repeats}, {"order", json::array(d.order.begin(), d.order.end())}};
  }
  json::value network = nullptr;
  if (results.network) network = ToJson(*results.network);
  // Always the current schema: a v1 file read in holds the v2 defaults, which are v2's shape.
  json::object out{{"schema", kSchema},
                   {"created_at", results.created_at},
                   {"git_commit", results.git_commit},
                   {"machine", results.machine},
                   {"versions", results.versions},
                   {"settings", results.settings},
                   {"profiles", profiles},
                   {"interrupted", results.interrupted},
                   {"runs", runs},
                   {"design", design},
                   {"statistics", statistics},
                   {"network", network}};
  if (results.broker) {
    out["broker"] = ToJson(*results.broker);
  }
  return out;
}

RunResults RunResultsFromJson(const boost::json::value& value) {
  if (!value.is_object()) throw std::runtime_error("results: not a JSON object");
  const json::object& o = value.as_object();
  JsonFields f(o);
  RunResults results;
  results.schema = f.String("schema");
  if (results.schema != kSchema && results.schema != kSchemaV1) {
    throw std::runtime_error("results: schema '" + results.schema + "' is not " + kSchema + " or " +
                             kSchemaV1);
  }
  results.created_at = f.String("created_at");
  results.git_commit = f.String("git_commit");
  results.machine = f.Object("machine");
  results.versions = f.Object("versions");
  results.settings = f.Object("settings");
  if (o.contains("broker")) {
    const json::object broker_json = f.Object("broker");
    JsonFields broker(broker_json);
    results.broker.emplace();
    results.broker->nodes = static_cast<int>(broker.Integer("nodes"));
    results.broker->queue_type = broker.String("queue_type");
    for (auto [key, field] : {std::pair{"confirm_ms_p50", &Broker::confirm_ms_p50},
                              std::pair{"confirm_ms_p99", &Broker::confirm_ms_p99},
                              std::pair{"own_confirm_ms_p50", &Broker::own_confirm_ms_p50},
                              std::pair{"own_confirm_ms_p99", &Broker::own_confirm_ms_p99}}) {
      const json::value* v = broker_json.if_contains(key);
      if (v && !v->is_null()) (*results.broker).*field = broker.Number(key);
    }
  }
  for (const json::value& p : Array(o, "profiles")) {
    if (!p.is_string()) throw std::runtime_error("an element of \"profiles\" is not a string");
    results.profiles.push_back(std::string(p.get_string()));
  }
  const bool v2 = results.schema == kSchema;
  const json::array& runs = Array(o, "runs");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    try {
      results.runs.push_back(ProfileRunFrom(Element(runs[i], "runs"), v2));
    } catch (const std::exception& e) {
      throw std::runtime_error("runs[" + std::to_string(i) + "]: " + e.what());
    }
  }
  results.interrupted = OptionalBool(o, "interrupted");
  if (const json::object* d = OptionalObject(o, "design")) {
    JsonFields df(*d);
    Design design;
    design.model = df.String("model");
    design.arrivals = df.String("arrivals");
    const json::value& seed = d->at("seed");
    if (seed.is_uint64()) {
      design.seed = seed.get_uint64();
    } else if (seed.is_int64() && seed.get_int64() >= 0) {
      design.seed = static_cast<std::uint64_t>(seed.get_int64());
    } else {
      throw std::runtime_error("design.seed is not an unsigned integer");
    }
    design.warmup_s = df.Number("warmup_s");
    design.repeats = static_cast<int>(df.Integer("repeats"));
    design.order = Strings(*d, "order");
    results.design = std::move(design);
  }
  if (V2Field(o, "statistics", v2)) {
    const json::array& statistics = Array(o, "statistics");
    for (std::size_t i = 0; i < statistics.size(); ++i) {
      try {
        results.statistics.push_back(ComparedFrom(Element(statistics[i], "statistics")));
      } catch (const std::exception& e) {
        throw std::runtime_error("statistics[" + std::to_string(i) + "]: " + e.what());
      }
    }
  }
  if (const json::object* n = OptionalObject(o, "network")) results.network = NetworkFromJson(*n);
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
