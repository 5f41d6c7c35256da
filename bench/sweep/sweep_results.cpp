#include "bench/sweep/sweep_results.hpp"

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "bench/report/results_json.hpp"
#include "common/domain/json_fields.hpp"

namespace flowbench::sweep {
namespace {

namespace json = boost::json;
using report::Array;
using report::Count;
using report::Element;
using report::OptionalNumber;
using report::OptionalObject;
using report::Strings;

// Runs `read`, prefixing what it throws with where in the file it was reading.
template <typename Read>
auto Within(const std::string& where, Read read) -> decltype(read()) {
  try {
    return read();
  } catch (const std::exception& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
}

std::string OneOf(const JsonFields& f, std::string_view key,
                  std::initializer_list<std::string_view> allowed) {
  std::string value = f.String(key);
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  std::string list;
  for (std::string_view word : allowed) list += (list.empty() ? "" : ", ") + std::string(word);
  throw std::runtime_error("field '" + std::string(key) + "' is '" + value + "', not one of " +
                           list);
}

// How a search for a knee ended (sweep_results.hpp, Knees).
std::string Bound(const JsonFields& f, std::string_view key) {
  return OneOf(f, key,
               {"found", "below-from", "not-reached-at-max", "generator-invalid", "not-judged",
                "interrupted"});
}

json::object ToJson(const Slo& slo) {
  return {{"figure", slo.figure}, {"quantile", slo.quantile}, {"limit_s", slo.limit_s}};
}

Slo SloFrom(const json::object& o) {
  JsonFields f(o);
  return {OneOf(f, "figure", {"answer", "completion"}), f.Number("quantile"), f.Number("limit_s")};
}

// Every element of the array `key`, read by `from`, with its index in any error.
template <typename From>
auto Elements(const json::object& o, std::string_view key, From from)
    -> std::vector<decltype(from(o))> {
  std::vector<decltype(from(o))> out;
  const json::array& array = Array(o, key);
  for (std::size_t i = 0; i < array.size(); ++i) {
    out.push_back(Within(std::string(key) + "[" + std::to_string(i) + "]",
                         [&] { return from(Element(array[i], key)); }));
  }
  return out;
}

json::object ToJson(const SweepStep& s) {
  json::object o{
      {"arch", s.arch},
      {"scenario", s.scenario},
      {"index", s.index},
      {"phase", s.phase},
      {"offered_rps", s.offered_rps},
      {"achieved_rps", s.achieved_rps},
      {"duration_s", s.duration_s},
      {"warmup_s", s.warmup_s},
      {"scheduled", s.scheduled},
      {"answered", s.answered},
      {"errors", s.errors},
      {"error_kinds",
       {{"connect", s.error_kinds.connect},
        {"timeout", s.error_kinds.timeout},
        {"status", s.error_kinds.status},
        {"check", s.error_kinds.check},
        {"dropped", s.dropped},
        {"cut", s.cut}}},
      {"error_rate", s.error_rate},
      {"answer", ToJson(s.answer)},
      {"completion", s.completion ? json::value(ToJson(*s.completion)) : json::value()},
      {"outcomes", s.outcomes ? json::value(ToJson(*s.outcomes)) : json::value()},
      {"backlog", json::array(s.backlog.begin(), s.backlog.end())},
      {"backlog_slope_per_s", s.backlog_slope_per_s},
      {"backlog_slope_interval", ToJson(s.backlog_slope_interval)},
      {"drain_s", s.drain_s},
      {"drained", s.drained},
      {"cpu_ms_per_request", s.cpu_ms_per_request},
      {"generator", s.generator ? json::value(ToJson(*s.generator)) : json::value()},
      {"interrupted", s.interrupted},
      {"answer_ok", s.answer_ok},
      {"answer_problems", json::array(s.answer_problems.begin(), s.answer_problems.end())},
      {"sustainable_ok", s.sustainable_ok},
      {"sustainable_problems",
       json::array(s.sustainable_problems.begin(), s.sustainable_problems.end())}};
  if (!s.mix.empty()) {  // only a mix step has them: a step of one scenario reads as before
    json::array scenarios;
    for (const SweepStep& inner : s.scenarios) scenarios.push_back(ToJson(inner));
    o["mix"] = s.mix;
    o["scale"] = report::ToJson(s.scale);
    o["scenarios"] = std::move(scenarios);
  }
  return o;
}

SweepStep StepFrom(const json::object& o) {
  JsonFields f(o);
  SweepStep s;
  s.arch = f.String("arch");
  s.scenario = f.String("scenario");
  s.index = static_cast<int>(f.Integer("index"));
  s.phase = OneOf(f, "phase", {"discover", "refine"});
  s.offered_rps = f.Number("offered_rps");
  s.achieved_rps = f.Number("achieved_rps");
  s.duration_s = f.Number("duration_s");
  s.warmup_s = f.Number("warmup_s");
  s.scheduled = Count(f, "scheduled");
  s.answered = Count(f, "answered");
  s.errors = Count(f, "errors");
  Within("error_kinds", [&] {
    JsonFields kinds(f.Object("error_kinds"));
    s.error_kinds = {Count(kinds, "connect"), Count(kinds, "timeout"), Count(kinds, "status"),
                     Count(kinds, "check")};
    s.dropped = Count(kinds, "dropped");
    s.cut = Count(kinds, "cut");
    return 0;
  });
  s.error_rate = f.Number("error_rate");
  s.answer = Within("answer", [&] { return report::SummaryFrom(f.Object("answer")); });
  if (const json::object* c = OptionalObject(o, "completion")) {
    s.completion = Within("completion", [&] { return report::SummaryFrom(*c); });
  }
  if (const json::object* x = OptionalObject(o, "outcomes")) {
    s.outcomes = Within("outcomes", [&] { return report::OutcomesFrom(*x); });
  }
  for (const json::value& depth : Array(o, "backlog")) {
    if (depth.is_uint64()) {
      s.backlog.push_back(depth.get_uint64());
    } else if (depth.is_int64() && depth.get_int64() >= 0) {
      s.backlog.push_back(static_cast<std::uint64_t>(depth.get_int64()));
    } else {
      throw std::runtime_error("an element of \"backlog\" is not a whole number >= 0");
    }
  }
  s.backlog_slope_per_s = f.Number("backlog_slope_per_s");
  s.backlog_slope_interval = Within("backlog_slope_interval", [&] {
    return report::OptionalInterval(o, "backlog_slope_interval");
  });
  s.drain_s = f.Number("drain_s");
  s.drained = f.Bool("drained");
  s.cpu_ms_per_request = f.Number("cpu_ms_per_request");
  if (const json::object* g = OptionalObject(o, "generator")) {
    s.generator = Within("generator", [&] { return report::GeneratorAuditFrom(*g); });
  }
  s.interrupted = f.Bool("interrupted");
  s.answer_ok = f.Bool("answer_ok");
  s.answer_problems = Strings(o, "answer_problems");
  s.sustainable_ok = f.Bool("sustainable_ok");
  s.sustainable_problems = Strings(o, "sustainable_problems");
  if (o.contains("mix")) {
    s.mix = f.String("mix");
    s.scale = OptionalNumber(o, "scale");
    s.scenarios = Elements(o, "scenarios", StepFrom);
  }
  return s;
}

json::object ToJson(const PhysicalLimit& l) {
  return {{"name", l.name}, {"rps", l.rps}, {"method", l.method}, {"details", l.details}};
}

PhysicalLimit LimitFrom(const json::object& o) {
  JsonFields f(o);
  return {f.String("name"), f.Number("rps"), f.String("method"), f.Object("details")};
}

json::object ToJson(const Knees& k) {
  json::object o{{"arch", k.arch},
                 {"scenario", k.scenario},
                 {"answer_slo", ToJson(k.answer_slo)},
                 {"completion_slo", ToJson(k.completion_slo)},
                 {"answer_knee_rps", report::ToJson(k.answer_knee_rps)},
                 {"answer_bound", k.answer_bound},
                 {"sustainable_rps", report::ToJson(k.sustainable_rps)},
                 {"sustainable_bound", k.sustainable_bound},
                 {"limit_rps", report::ToJson(k.limit_rps)},
                 {"limit_source", k.limit_source},
                 {"stop_reason", k.stop_reason}};
  if (!k.mix.empty()) {
    o["mix"] = k.mix;
    o["answer_knee_scale"] = report::ToJson(k.answer_knee_scale);
    o["sustainable_scale"] = report::ToJson(k.sustainable_scale);
    o["answer_broke_first"] = json::array(k.answer_broke_first.begin(), k.answer_broke_first.end());
    o["sustainable_broke_first"] =
        json::array(k.sustainable_broke_first.begin(), k.sustainable_broke_first.end());
  }
  return o;
}

Knees KneesFrom(const json::object& o) {
  JsonFields f(o);
  Knees k;
  k.arch = f.String("arch");
  k.scenario = f.String("scenario");
  k.answer_slo = Within("answer_slo", [&] { return SloFrom(f.Object("answer_slo")); });
  k.completion_slo = Within("completion_slo", [&] { return SloFrom(f.Object("completion_slo")); });
  k.answer_knee_rps = OptionalNumber(o, "answer_knee_rps");
  k.answer_bound = Bound(f, "answer_bound");
  k.sustainable_rps = OptionalNumber(o, "sustainable_rps");
  k.sustainable_bound = Bound(f, "sustainable_bound");
  k.limit_rps = OptionalNumber(o, "limit_rps");
  k.limit_source = f.String("limit_source");
  k.stop_reason = f.String("stop_reason");
  if (o.contains("mix")) {
    k.mix = f.String("mix");
    k.answer_knee_scale = OptionalNumber(o, "answer_knee_scale");
    k.sustainable_scale = OptionalNumber(o, "sustainable_scale");
    k.answer_broke_first = Strings(o, "answer_broke_first");
    k.sustainable_broke_first = Strings(o, "sustainable_broke_first");
  }
  return k;
}

// The keys a reader knows are exactly those ToJson writes, so a key of the file that is not
// in the file written back from what was read is one nobody reads: a typo, or a writer
// newer than this reader. Either way the figures it meant would be silently lost.
void RejectUnknownKeys(const json::value& read, const json::value& written,
                       const std::string& where) {
  auto at = [&](const std::string& inner) { return where.empty() ? inner : where + inner; };
  if (read.is_object() && written.is_object()) {
    for (const auto& [key, value] : read.get_object()) {
      const json::value* known = written.get_object().if_contains(key);
      std::string name = at((where.empty() ? "" : ".") + std::string(key));
      if (known == nullptr) throw std::runtime_error(name + ": unknown field");
      RejectUnknownKeys(value, *known, name);
    }
  } else if (read.is_array() && written.is_array() &&
             read.get_array().size() == written.get_array().size()) {
    for (std::size_t i = 0; i < read.get_array().size(); ++i) {
      RejectUnknownKeys(read.get_array()[i], written.get_array()[i],
                        at("[" + std::to_string(i) + "]"));
    }
  }
}

}  // namespace

const Knees* SweepResults::KneesOf(const std::string& arch, const std::string& scenario) const {
  for (const Knees& k : knees) {
    if (k.arch == arch && k.scenario == scenario) return &k;
  }
  return nullptr;
}

bool SweepResults::IsMix() const {
  return std::any_of(steps.begin(), steps.end(),
                     [](const SweepStep& s) { return !s.mix.empty(); }) ||
         std::any_of(knees.begin(), knees.end(), [](const Knees& k) { return !k.mix.empty(); });
}

std::string MixKey(std::string_view profile) { return "mix:" + std::string(profile); }

std::string MixProfileOf(std::string_view key) {
  return key.starts_with("mix:") ? std::string(key.substr(4)) : std::string();
}

boost::json::object ToJson(const SweepResults& sweep) {
  json::array limits, steps, knees;
  for (const PhysicalLimit& l : sweep.limits) limits.push_back(ToJson(l));
  for (const SweepStep& s : sweep.steps) steps.push_back(ToJson(s));
  for (const Knees& k : sweep.knees) knees.push_back(ToJson(k));
  return {{"schema", kSweepSchema},
          {"created_at", sweep.created_at},
          {"git_commit", sweep.git_commit},
          {"machine", sweep.machine},
          {"versions", sweep.versions},
          {"settings", sweep.settings},
          {"interrupted", sweep.interrupted},
          {"limits", limits},
          {"steps", steps},
          {"knees", knees}};
}

SweepResults SweepResultsFromJson(const boost::json::value& value) {
  if (!value.is_object()) throw std::runtime_error("sweep: not a JSON object");
  const json::object& o = value.get_object();
  JsonFields f(o);
  SweepResults sweep;
  sweep.schema = f.String("schema");
  if (sweep.schema != kSweepSchema) {
    throw std::runtime_error("sweep: schema '" + sweep.schema + "' is not " + kSweepSchema);
  }
  sweep.created_at = f.String("created_at");
  sweep.git_commit = f.String("git_commit");
  sweep.machine = f.Object("machine");
  sweep.versions = f.Object("versions");
  sweep.settings = f.Object("settings");
  sweep.interrupted = f.Bool("interrupted");
  sweep.limits = Elements(o, "limits", LimitFrom);
  sweep.steps = Elements(o, "steps", StepFrom);
  sweep.knees = Elements(o, "knees", KneesFrom);
  RejectUnknownKeys(value, ToJson(sweep), "");
  return sweep;
}

SweepResults LoadSweep(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return SweepResultsFromJson(json::parse(text.str()));
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

void SaveSweep(const SweepResults& sweep, const std::string& path) {
  std::ofstream out(path);
  out << json::serialize(ToJson(sweep)) << "\n";
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace flowbench::sweep
