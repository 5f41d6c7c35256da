#include "bench/report/results_json.hpp"

#include <stdexcept>

namespace flowbench::report {

namespace json = boost::json;

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

const json::object* OptionalObject(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return nullptr;
  if (!v->is_object())
    throw std::runtime_error("field \"" + std::string(key) + "\" must be an object or null");
  return &v->get_object();
}

std::uint64_t Count(const JsonFields& f, std::string_view key) {
  std::int64_t n = f.Integer(key);
  if (n < 0) throw std::runtime_error("field \"" + std::string(key) + "\" is negative");
  return static_cast<std::uint64_t>(n);
}

json::value ToJson(const std::optional<double>& x) {
  return x ? json::value(*x) : json::value(nullptr);
}

std::optional<double> OptionalNumber(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_number())
    throw std::runtime_error("field \"" + std::string(key) + "\" is not a number or null");
  return v->to_number<double>();
}

json::object ToJson(const Interval& i) { return {{"low", i.low}, {"high", i.high}}; }

json::value ToJson(const std::optional<Interval>& i) {
  return i ? json::value(ToJson(*i)) : json::value(nullptr);
}

Interval IntervalFrom(const json::object& o) {
  JsonFields f(o);
  return {f.Number("low"), f.Number("high")};
}

std::optional<Interval> OptionalInterval(const json::object& o, std::string_view key) {
  const json::object* i = OptionalObject(o, key);
  if (i == nullptr) return std::nullopt;
  return IntervalFrom(*i);
}

json::object ToJson(const Outcomes& x) {
  return {{"accepted", x.accepted},      {"done", x.done},
          {"degraded", x.degraded},      {"compensated", x.compensated},
          {"failed", x.failed},          {"dead_lettered", x.dead_lettered},
          {"withdrawn", x.withdrawn},    {"duplicated", x.duplicated},
          {"unfinished", x.unfinished},  {"lost", x.lost},
          {"unknown_ids", x.unknown_ids}};
}

Outcomes OutcomesFrom(const json::object& o) {
  JsonFields f(o);
  Outcomes x;
  x.accepted = Count(f, "accepted");
  x.done = Count(f, "done");
  x.degraded = Count(f, "degraded");
  x.compensated = Count(f, "compensated");
  x.failed = Count(f, "failed");
  x.dead_lettered = Count(f, "dead_lettered");
  x.withdrawn = Count(f, "withdrawn");
  x.duplicated = Count(f, "duplicated");
  x.unfinished = Count(f, "unfinished");
  x.lost = Count(f, "lost");
  x.unknown_ids = Count(f, "unknown_ids");
  return x;
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

std::vector<std::string> Strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  for (const json::value& v : Array(o, key)) {
    if (!v.is_string())
      throw std::runtime_error("an element of \"" + std::string(key) + "\" is not a string");
    out.emplace_back(v.get_string());
  }
  return out;
}

json::object ToJson(const GeneratorAudit& g) {
  return {{"send_lag_p50_ms", g.send_lag_p50_ms},
          {"send_lag_p99_ms", g.send_lag_p99_ms},
          {"send_lag_max_ms", g.send_lag_max_ms},
          {"achieved_over_intended", g.achieved_over_intended},
          {"client_cpu_s", g.client_cpu_s},
          {"valid", g.valid},
          {"problems", json::array(g.problems.begin(), g.problems.end())}};
}

GeneratorAudit GeneratorAuditFrom(const json::object& o) {
  JsonFields f(o);
  GeneratorAudit audit;
  audit.send_lag_p50_ms = f.Number("send_lag_p50_ms");
  audit.send_lag_p99_ms = f.Number("send_lag_p99_ms");
  audit.send_lag_max_ms = f.Number("send_lag_max_ms");
  audit.achieved_over_intended = f.Number("achieved_over_intended");
  audit.client_cpu_s = f.Number("client_cpu_s");
  audit.valid = f.Bool("valid");
  audit.problems = Strings(o, "problems");
  return audit;
}

}  // namespace flowbench::report
