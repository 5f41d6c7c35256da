#include "bench/sweep/slo.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace flowbench::sweep {
namespace {

struct NamedQuantile {
  std::string_view name;
  double quantile;
};
constexpr NamedQuantile kQuantiles[] = {
    {"p50", 0.50}, {"p90", 0.90}, {"p95", 0.95}, {"p99", 0.99}, {"p99.9", 0.999}};

double Seconds(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

}  // namespace

void ApplySloFlag(std::string_view text, SloAllowances& allowances) {
  const std::string what = "--slo '" + std::string(text) + "'";
  std::size_t colon = text.find(':');
  std::size_t less = text.find('<');
  if (colon == std::string_view::npos || less == std::string_view::npos || less < colon) {
    throw std::invalid_argument(what + " is not like answer:p99<200ms or completion:p99<5s");
  }
  std::string_view figure = text.substr(0, colon);
  std::string_view quantile = text.substr(colon + 1, less - colon - 1);
  std::string limit(text.substr(less + 1));
  Slo* slo = figure == "answer"       ? &allowances.answer
             : figure == "completion" ? &allowances.completion
                                      : nullptr;
  if (slo == nullptr) {
    throw std::invalid_argument(what + ": the figure is 'answer' or 'completion', not '" +
                                std::string(figure) + "'");
  }
  const NamedQuantile* named = nullptr;
  for (const NamedQuantile& q : kQuantiles) {
    if (q.name == quantile) named = &q;
  }
  if (named == nullptr) {
    throw std::invalid_argument(what + ": the quantile is one of p50, p90, p95, p99, p99.9");
  }
  std::size_t end = 0;
  double value = 0;
  try {
    value = std::stod(limit, &end);
  } catch (const std::exception&) {
    throw std::invalid_argument(what + ": '" + limit + "' is not a duration like 200ms or 5s");
  }
  std::string unit = limit.substr(end);
  double scale = unit == "ms" ? 1e-3 : unit == "s" ? 1.0 : unit == "m" ? 60.0 : -1;
  if (scale < 0 || !(value >= 0) || !std::isfinite(value)) {
    throw std::invalid_argument(what + ": '" + limit + "' is not a duration like 200ms or 5s");
  }
  slo->quantile = named->quantile;
  slo->limit_s = value * scale;
}

double ScenarioWorkSeconds(std::string_view scenario, const WorkloadSettings& w) {
  if (scenario == "scenario1") return Seconds(w.email_delay);
  if (scenario == "scenario2") return Seconds(w.payment_gateway_delay);
  if (scenario == "scenario3") {
    return Seconds(w.search_reindex_delay + w.cache_invalidation_delay + w.analytics_log_delay);
  }
  if (scenario == "scenario4") return Seconds(w.report_cpu_time);
  if (scenario == "scenario5") return Seconds(w.saga_payment_delay);
  if (scenario == "scenario6") return 0;
  throw std::invalid_argument("unknown scenario '" + std::string(scenario) + "'");
}

bool AnswerWaitsForWork(Arch arch, std::string_view /*scenario*/) { return arch == Arch::kSync; }

Slo AnswerSlo(Arch arch, std::string_view scenario, const WorkloadSettings& workload,
              const SloAllowances& allowances) {
  Slo slo = allowances.answer;
  if (AnswerWaitsForWork(arch, scenario)) slo.limit_s += ScenarioWorkSeconds(scenario, workload);
  return slo;
}

Slo CompletionSlo(std::string_view scenario, const WorkloadSettings& workload,
                  const SloAllowances& allowances) {
  Slo slo = allowances.completion;
  slo.limit_s += ScenarioWorkSeconds(scenario, workload);
  return slo;
}

double QuantileOf(const report::LatencySummary& s, double quantile) {
  if (quantile == 0.50) return s.p50;
  if (quantile == 0.90) return s.p90;
  if (quantile == 0.95) return s.p95;
  if (quantile == 0.99) return s.p99;
  if (quantile == 0.999) return s.p999;
  throw std::invalid_argument("no figure for quantile " + std::to_string(quantile));
}

std::string QuantileName(double quantile) {
  for (const NamedQuantile& q : kQuantiles) {
    if (q.quantile == quantile) return std::string(q.name);
  }
  return "q" + std::to_string(quantile);
}

}  // namespace flowbench::sweep
