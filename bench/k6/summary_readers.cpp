#include "bench/k6/summary_readers.hpp"

#include <boost/json.hpp>

#include "bench/k6/k6_error.hpp"

namespace flowbench::k6 {
namespace json = boost::json;
namespace {

const json::object& MetricsOf(const json::value& document, const std::string& source) {
  const json::object* root = document.if_object();
  const json::value* metrics = root ? root->if_contains("metrics") : nullptr;
  if (metrics == nullptr || !metrics->is_object()) {
    throw K6FormatError(source + ": not a k6 summary (no \"metrics\" object)");
  }
  return metrics->get_object();
}

// A metric's type when the source does not say, from which stats it carries.
std::string InferType(const compare::MetricSummary& m) {
  if (m.stats.contains("avg") || m.stats.contains("med")) return "trend";
  if (m.stats.contains("passes") || m.stats.contains("fails")) return "rate";
  if (m.stats.contains("count")) return "counter";
  if (m.stats.contains("value")) return "gauge";
  return "";
}

void ReadNumbers(const json::object& from, compare::MetricSummary& into) {
  for (const auto& [stat, value] : from) {
    if (value.is_number()) into.stats[std::string(stat)] = value.to_number<double>();
  }
}

// k6 calls a rate metric's share of non-zero samples "value" in summary-export, "rate" in
// handleSummary; keep both spellings so thresholds and tables find it either way.
void AliasRate(compare::MetricSummary& m) {
  if (m.type != "rate") return;
  if (auto v = m.Stat("value"); v && !m.stats.contains("rate")) m.stats["rate"] = *v;
  if (auto v = m.Stat("rate"); v && !m.stats.contains("value")) m.stats["value"] = *v;
}

void ReadChecks(const json::value* group, std::vector<compare::CheckSummary>& into) {
  if (group == nullptr || !group->is_object()) return;
  const json::object& g = group->get_object();
  auto read_one = [&](const json::value& check, std::string fallback_name) {
    if (!check.is_object()) return;
    const json::object& c = check.get_object();
    compare::CheckSummary s;
    const json::value* name = c.if_contains("name");
    s.name = name && name->is_string() ? std::string(name->get_string()) : std::move(fallback_name);
    if (const json::value* p = c.if_contains("passes"); p && p->is_number())
      s.passes = static_cast<std::uint64_t>(p->to_number<double>());
    if (const json::value* f = c.if_contains("fails"); f && f->is_number())
      s.fails = static_cast<std::uint64_t>(f->to_number<double>());
    into.push_back(std::move(s));
  };
  if (const json::value* checks = g.if_contains("checks")) {
    if (checks->is_object()) {
      for (const auto& [name, check] : checks->get_object()) read_one(check, std::string(name));
    } else if (checks->is_array()) {
      for (const json::value& check : checks->get_array()) read_one(check, "");
    }
  }
  if (const json::value* groups = g.if_contains("groups")) {
    if (groups->is_object()) {
      for (const auto& [name, sub] : groups->get_object()) ReadChecks(&sub, into);
    } else if (groups->is_array()) {
      for (const json::value& sub : groups->get_array()) ReadChecks(&sub, into);
    }
  }
}

// k6's own time metrics, and the completion latency flowbench adds to the summaries it
// writes (milliseconds, like k6's trends).
bool IsTimeMetric(std::string_view key) {
  return compare::IsK6TimeMetric(key) || key.substr(0, key.find('{')) == "flowbench_completion";
}

const json::value* RootGroup(const json::value& document) {
  return document.get_object().if_contains("root_group");
}

}  // namespace

compare::RunSummary SummaryExportFromJson(const json::value& document, std::string source) {
  compare::RunSummary run;
  run.format = "k6 summary-export";
  for (const auto& [key, value] : MetricsOf(document, source)) {
    if (!value.is_object()) continue;
    compare::MetricSummary m;
    ReadNumbers(value.get_object(), m);
    if (const json::value* t = value.get_object().if_contains("thresholds"); t && t->is_object()) {
      for (const auto& [expression, failed] : t->get_object()) {
        m.thresholds.push_back({std::string(expression), failed.is_bool()
                                                             ? std::optional(failed.get_bool())
                                                             : std::nullopt});
      }
    }
    m.type = InferType(m);
    m.is_time = IsTimeMetric(key);
    AliasRate(m);
    run.metrics.emplace(std::string(key), std::move(m));
  }
  ReadChecks(RootGroup(document), run.checks);
  run.source = std::move(source);
  return run;
}

compare::RunSummary HandleSummaryFromJson(const json::value& document, std::string source) {
  compare::RunSummary run;
  run.format = "k6 handleSummary";
  for (const auto& [key, value] : MetricsOf(document, source)) {
    if (!value.is_object()) continue;
    const json::object& o = value.get_object();
    compare::MetricSummary m;
    if (const json::value* values = o.if_contains("values"); values && values->is_object()) {
      ReadNumbers(values->get_object(), m);
    }
    const json::value* type = o.if_contains("type");
    m.type = type && type->is_string() ? std::string(type->get_string()) : InferType(m);
    const json::value* contains = o.if_contains("contains");
    m.is_time = contains && contains->is_string() ? contains->get_string() == "time"
                                                  : compare::IsK6TimeMetric(key);
    if (const json::value* t = o.if_contains("thresholds"); t && t->is_object()) {
      for (const auto& [expression, outcome] : t->get_object()) {
        const json::value* ok =
            outcome.is_object() ? outcome.get_object().if_contains("ok") : nullptr;
        m.thresholds.push_back({std::string(expression), ok && ok->is_bool()
                                                             ? std::optional(!ok->get_bool())
                                                             : std::nullopt});
      }
    }
    AliasRate(m);
    run.metrics.emplace(std::string(key), std::move(m));
  }
  ReadChecks(RootGroup(document), run.checks);
  if (const json::value* state = document.get_object().if_contains("state");
      state && state->is_object()) {
    if (const json::value* ms = state->get_object().if_contains("testRunDurationMs");
        ms && ms->is_number()) {
      run.duration_s = ms->to_number<double>() / 1000.0;
    }
  }
  run.source = std::move(source);
  return run;
}

bool LooksLikeHandleSummary(const json::value& document) {
  const json::object* root = document.if_object();
  const json::value* metrics = root ? root->if_contains("metrics") : nullptr;
  if (metrics == nullptr || !metrics->is_object()) return false;
  for (const auto& [key, value] : metrics->get_object()) {
    if (value.is_object() && value.get_object().contains("values")) return true;
  }
  return metrics->get_object().empty() && root->contains("state");
}

bool LooksLikeSummaryExport(const json::value& document) {
  const json::object* root = document.if_object();
  const json::value* metrics = root ? root->if_contains("metrics") : nullptr;
  return metrics != nullptr && metrics->is_object() && !LooksLikeHandleSummary(document);
}

}  // namespace flowbench::k6
