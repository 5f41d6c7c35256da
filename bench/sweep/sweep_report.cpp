#include "bench/sweep/sweep_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "bench/report/aggregate.hpp"
#include "bench/report/html_parts.hpp"
#include "bench/report/reports.hpp"
#include "common/domain/catalogue.hpp"

namespace flowbench::sweep {
namespace {

namespace json = boost::json;
using report::Millis;
using report::Number;

// The builds in the sweep, sync first as in every report.
std::vector<std::string> Archs(const SweepResults& sweep) {
  std::vector<std::string> archs;
  for (const char* arch : {"sync", "async"}) {
    bool present = std::any_of(sweep.steps.begin(), sweep.steps.end(),
                               [&](const SweepStep& s) { return s.arch == arch; }) ||
                   std::any_of(sweep.knees.begin(), sweep.knees.end(),
                               [&](const Knees& k) { return k.arch == arch; });
    if (present) archs.emplace_back(arch);
  }
  return archs;
}

// The scenarios in the sweep, in contract order (an id the catalogue does not know last).
std::vector<std::string> ScenarioIds(const SweepResults& sweep) {
  std::set<std::string> present;
  for (const SweepStep& s : sweep.steps) present.insert(s.scenario);
  for (const Knees& k : sweep.knees) present.insert(k.scenario);
  std::vector<std::string> ids;
  for (const ScenarioSpec& spec : Scenarios()) {
    if (present.erase(std::string(spec.id)) > 0) ids.emplace_back(spec.id);
  }
  ids.insert(ids.end(), present.begin(), present.end());
  return ids;
}

std::string Title(const std::string& scenario) {
  const ScenarioSpec* spec = FindScenario(scenario);
  return spec ? scenario + ": " + std::string(spec->title) : scenario;
}

// One build and scenario's steps, by offered rate.
std::vector<const SweepStep*> StepsOf(const SweepResults& sweep, const std::string& arch,
                                      const std::string& scenario) {
  std::vector<const SweepStep*> steps;
  for (const SweepStep& s : sweep.steps) {
    if (s.arch == arch && s.scenario == scenario) steps.push_back(&s);
  }
  std::stable_sort(steps.begin(), steps.end(), [](const SweepStep* a, const SweepStep* b) {
    return a->offered_rps < b->offered_rps;
  });
  return steps;
}

// Three significant figures at most: scenario 4's rates are fractions of one per second.
std::string Rate(double rps) {
  char text[32];
  if (rps >= 100) {
    std::snprintf(text, sizeof text, "%.0f", rps);
  } else if (rps >= 10) {
    std::snprintf(text, sizeof text, "%.1f", rps);
  } else {
    std::snprintf(text, sizeof text, "%.3g", rps);
  }
  return text;
}

std::string Rps(double rps) { return Rate(rps) + " req/s"; }

// Why a knee was not found, in words (sweep_results.hpp lists the bounds).
std::string BoundWords(const std::string& bound) {
  if (bound == "below-from") return "not found: even the lowest rate offered failed";
  if (bound == "not-reached-at-max")
    return "not reached at --max: still passing at the highest rate";
  if (bound == "generator-invalid")
    return "not found: the load generator could not keep its schedule beyond";
  if (bound == "interrupted") return "not found: interrupted (Ctrl-C) before it";
  if (bound == "not-judged") return "not found: a step beyond could not be judged (no request due)";
  return bound;
}

// "1200 req/s", or, when the search did not find the knee, what it knows and why not.
std::string KneeCell(const std::optional<double>& rps, const std::string& bound) {
  if (bound == "found" && rps) return "**" + Rps(*rps) + "**";
  std::string known = rps ? "≥ " + Rps(*rps) + " " : "";
  return known + "(" + BoundWords(bound) + ")";
}

std::string ScaleText(double scale) {
  char text[32];
  std::snprintf(text, sizeof text, "x%.3g", scale);
  return text;
}

// A mix's knee: its total rate and its scale.
std::string MixKneeCell(const std::optional<double>& rps, const std::optional<double>& scale,
                        const std::string& bound) {
  std::string cell = KneeCell(rps, bound);
  return scale ? cell + " at " + ScaleText(*scale) : cell;
}

std::string OfLimit(const std::optional<double>& rps, const std::optional<double>& limit) {
  if (!rps || !limit || *limit <= 0) return "-";
  double percent = 100.0 * *rps / *limit;
  // Two significant digits below 10 %: 0.07 % is not 0 %.
  return Number(percent, percent >= 10 ? 0 : percent >= 1 ? 1 : 2) + " %";
}

// "answer p99 ≤ 200 ms"
std::string SloWords(const Slo& slo) {
  double percent = slo.quantile * 100;
  return slo.figure + " p" + Number(percent, percent == std::floor(percent) ? 0 : 1) + " ≤ " +
         Millis(slo.limit_s);
}

// A Markdown table cell must not hold a '|' (it would split the cell).
std::string Cell(std::string text) {
  std::replace(text.begin(), text.end(), '|', '/');
  return text;
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

std::string Verdicts(const SweepStep& s) {
  std::string answer = s.answer_ok ? "answer ok" : "answer ✗ " + Joined(s.answer_problems);
  std::string work =
      s.sustainable_ok ? "sustainable ok" : "sustainable ✗ " + Joined(s.sustainable_problems);
  return Cell(answer + "; " + work + (s.interrupted ? "; interrupted" : ""));
}

// "AMD EPYC, 2 cores, 24 GiB, Linux 6.1.0": what the results file says of the machine.
std::string MachineWords(const json::object& machine) {
  std::string words;
  auto add = [&](const std::string& part) { words += (words.empty() ? "" : ", ") + part; };
  if (const json::value* cpu = machine.if_contains("cpu_model"); cpu && cpu->is_string()) {
    add(std::string(cpu->get_string()));
  }
  if (const json::value* cores = machine.if_contains("cores"); cores && cores->is_number()) {
    add(Number(cores->to_number<double>(), 0) + " cores");
  }
  if (const json::value* memory = machine.if_contains("memory_bytes");
      memory && memory->is_number()) {
    add(Number(memory->to_number<double>() / (1024.0 * 1024 * 1024), 0) + " GiB");
  }
  if (const json::value* kernel = machine.if_contains("kernel"); kernel && kernel->is_string()) {
    add(std::string(kernel->get_string()));
  }
  return words.empty() ? "an unrecorded machine" : words;
}

std::string Intro(const SweepResults& sweep) {
  std::ostringstream md;
  md << "# flowbench sweep\n\n"
     << "Created " << sweep.created_at << " from commit `" << sweep.git_commit << "` on "
     << MachineWords(sweep.machine) << ".\n\n";
  if (sweep.interrupted) {
    md << "> Interrupted (Ctrl-C): the steps measured until then are kept; the rest never ran, "
          "so some knees are bounds only.\n\n";
  }
  std::vector<std::string> archs = Archs(sweep), ids = ScenarioIds(sweep);
  if (sweep.IsMix()) {
    md << "Swept: a load profile's mix (";
    for (std::size_t i = 0; i < ids.size(); ++i) md << (i ? ", " : "") << "`" << ids[i] << "`";
    md << "): every step offers all its scenarios at once (open loop, Poisson, the same "
          "schedules for both builds), each at a scale factor times its rate in the profile, for ";
    for (std::size_t i = 0; i < archs.size(); ++i) md << (i ? " and " : "") << archs[i];
    md << ": " << sweep.steps.size()
       << " steps. The rates shown are the total offered rate (the scale beside them). The "
          "**answer knee** is the highest scale at which every scenario's answers kept their own "
          "SLO and the error budget; the **sustainable rate** the highest at which every "
          "scenario's accepted work kept up. Which scenario broke first is named with each "
          "knee. Every setting in force is in `sweep.json` under `settings`.\n\n";
    return md.str();
  }
  md << "Swept: the offered rate (open loop, Poisson, the same schedule for both builds) of ";
  for (std::size_t i = 0; i < ids.size(); ++i) md << (i ? ", " : "") << "`" << ids[i] << "`";
  md << ", one scenario at a time, for ";
  for (std::size_t i = 0; i < archs.size(); ++i) md << (i ? " and " : "") << archs[i];
  md << ": " << sweep.steps.size()
     << " steps. The **answer knee** is the highest offered rate whose answers kept their SLO "
        "and error budget; the **sustainable rate** the highest at which the accepted work kept "
        "up (no growing backlog, completion within its SLO, a bounded drain, nothing lost). "
        "Every setting in force (the SLOs, the driver, each scenario's range, the workload and "
        "both builds' own settings) is in `sweep.json` under `settings`.\n\n";
  if (const json::value* network = sweep.settings.if_contains("network");
      network && network->is_object()) {
    md << "Network: " << report::NetworkText(report::NetworkFromJson(network->get_object()))
       << ".\n\n";
  }
  return md.str();
}

std::string LimitsSection(const SweepResults& sweep) {
  std::ostringstream md;
  md << "## Physical limits\n\nWhat this machine allows, measured in the same sweep.\n\n";
  if (sweep.limits.empty()) return md.str() + "None measured.\n\n";
  md << "| limit | rate | how |\n|---|---|---|\n";
  for (const PhysicalLimit& l : sweep.limits) {
    md << "| " << l.name << " | " << Rate(l.rps) << "/s | " << Cell(l.method) << " |\n";
  }
  md << "\n";
  return md.str();
}

std::string KneesSection(const SweepResults& sweep) {
  std::ostringstream md;
  md << "## Knees\n\n"
     << "| build | scenario | answer knee | sustainable rate | limit | answer knee / limit | "
        "sustainable / limit | SLOs | search stopped |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  for (const std::string& id : ScenarioIds(sweep)) {
    for (const std::string& arch : Archs(sweep)) {
      const Knees* k = sweep.KneesOf(arch, id);
      if (k == nullptr) continue;
      if (!k->mix.empty()) {
        md << "| " << arch << " | " << id << " | "
           << MixKneeCell(k->answer_knee_rps, k->answer_knee_scale, k->answer_bound) << " | "
           << MixKneeCell(k->sustainable_rps, k->sustainable_scale, k->sustainable_bound)
           << " | - | - | - | each scenario's own: " << SloWords(k->answer_slo) << ", "
           << SloWords(k->completion_slo) << " beyond its work | " << Cell(k->stop_reason)
           << " |\n";
        continue;
      }
      md << "| " << arch << " | " << id << " | " << KneeCell(k->answer_knee_rps, k->answer_bound)
         << " | " << KneeCell(k->sustainable_rps, k->sustainable_bound) << " | "
         << (k->limit_rps ? Rps(*k->limit_rps) + " (" + k->limit_source + ")" : "-") << " | "
         << OfLimit(k->answer_knee_rps, k->limit_rps) << " | "
         << OfLimit(k->sustainable_rps, k->limit_rps) << " | " << SloWords(k->answer_slo) << ", "
         << SloWords(k->completion_slo) << " | " << Cell(k->stop_reason) << " |\n";
    }
  }
  md << "\n";
  return md.str();
}

// "2.03 % (dropped 1,065, timeout 3)": the rate, and what the errors were.
std::string ErrorsCell(const SweepStep& s) {
  std::string cell = report::Percent(s.error_rate);
  std::string kinds;
  auto add = [&](const char* name, std::uint64_t n) {
    if (n == 0) return;
    kinds += (kinds.empty() ? "" : ", ") + std::string(name) + " " + std::to_string(n);
  };
  add("connect", s.error_kinds.connect);
  add("timeout", s.error_kinds.timeout);
  add("status", s.error_kinds.status);
  add("check", s.error_kinds.check);
  add("dropped", s.dropped);
  add("cut", s.cut);
  return kinds.empty() ? cell : cell + " (" + kinds + ")";
}

std::string StepsTable(const SweepResults& sweep, const std::string& id) {
  std::ostringstream md;
  md << "| build | step | offered | achieved | answer p99 | completion p99 | errors | "
        "backlog slope/s | drain | CPU ms/request | generator valid | verdicts |\n"
     << "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const std::string& arch : Archs(sweep)) {
    for (const SweepStep* s : StepsOf(sweep, arch, id)) {
      std::string generator = !s->generator ? "-"
                              : s->generator->valid
                                  ? "yes"
                                  : "**no**: " + Cell(Joined(s->generator->problems));
      md << "| " << arch << " | " << s->index << " (" << s->phase
         << (s->scale ? ", " + ScaleText(*s->scale) : "") << ") | " << Rate(s->offered_rps) << " | "
         << Rate(s->achieved_rps) << " | " << Millis(s->answer.p99) << " | "
         << (s->completion ? Millis(s->completion->p99) : "-") << " | " << ErrorsCell(*s) << " | "
         << Number(s->backlog_slope_per_s, 1) << " | "
         << (s->drained ? Millis(s->drain_s) : "> " + Millis(s->drain_s) + " (not drained)")
         << " | " << Number(s->cpu_ms_per_request, 2) << " | " << generator << " | " << Verdicts(*s)
         << " |\n";
    }
  }
  md << "\n";
  return md.str();
}

// The steps of a mix by scenario: each scenario's own figures and verdicts at every scale.
std::string MixScenariosTable(const SweepResults& sweep, const std::string& id) {
  std::ostringstream md;
  md << "Each scenario within each step:\n\n"
     << "| build | step | scenario | offered | achieved | answer p99 | completion p99 | errors | "
        "backlog slope/s | verdicts |\n"
     << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const std::string& arch : Archs(sweep)) {
    for (const SweepStep* step : StepsOf(sweep, arch, id)) {
      for (const SweepStep& s : step->scenarios) {
        md << "| " << arch << " | " << step->index << " ("
           << (step->scale ? ScaleText(*step->scale) : "-") << ") | " << s.scenario << " | "
           << Rate(s.offered_rps) << " | " << Rate(s.achieved_rps) << " | " << Millis(s.answer.p99)
           << " | " << (s.completion ? Millis(s.completion->p99) : "-") << " | " << ErrorsCell(s)
           << " | " << Number(s.backlog_slope_per_s, 1) << " | " << Verdicts(s) << " |\n";
      }
    }
  }
  md << "\n";
  return md.str();
}

// What broke first at a mix's lowest failing scale, and why: "scenario4 (completion p99 ...)".
std::string BrokeFirst(const SweepResults& sweep, const Knees& k, bool answer) {
  const std::vector<std::string>& names = answer ? k.answer_broke_first : k.sustainable_broke_first;
  if (names.empty()) return "nothing broke";
  const std::optional<double>& passed = answer ? k.answer_knee_scale : k.sustainable_scale;
  // The lowest failing scale: the lowest step of this build above the knee that failed.
  const SweepStep* failed = nullptr;
  for (const SweepStep* s : StepsOf(sweep, k.arch, k.scenario)) {
    bool ok = answer ? s->answer_ok : s->sustainable_ok;
    if (!ok && s->scale && (!passed || *s->scale > *passed) &&
        (failed == nullptr || *s->scale < *failed->scale)) {
      failed = s;
    }
  }
  std::string text;
  for (const std::string& name : names) {
    std::string why;
    if (failed != nullptr) {
      for (const SweepStep& s : failed->scenarios) {
        if (s.scenario == name) why = Joined(answer ? s.answer_problems : s.sustainable_problems);
      }
    }
    text += (text.empty() ? "" : "; ") + name + (why.empty() ? "" : " (" + why + ")");
  }
  return (failed != nullptr ? "at " + ScaleText(*failed->scale) + ": " : "") + text;
}

std::string ScenarioHeading(const SweepResults& sweep, const std::string& id) {
  std::ostringstream md;
  md << "## " << Title(id) << "\n\n";
  for (const std::string& arch : Archs(sweep)) {
    const Knees* mix = sweep.KneesOf(arch, id);
    if (mix != nullptr && !mix->mix.empty()) {
      md << "- " << arch << ": answer knee (every scenario within its own answer SLO): "
         << MixKneeCell(mix->answer_knee_rps, mix->answer_knee_scale, mix->answer_bound)
         << "; broke first " << Cell(BrokeFirst(sweep, *mix, true)) << "\n"
         << "- " << arch << ": sustainable rate (every scenario's work keeping up): "
         << MixKneeCell(mix->sustainable_rps, mix->sustainable_scale, mix->sustainable_bound)
         << "; broke first " << Cell(BrokeFirst(sweep, *mix, false)) << "\n";
      continue;
    }
    if (const Knees* k = sweep.KneesOf(arch, id)) {
      md << "- " << arch << ": answer knee (" << SloWords(k->answer_slo)
         << "): " << KneeCell(k->answer_knee_rps, k->answer_bound) << "; sustainable rate ("
         << SloWords(k->completion_slo)
         << "): " << KneeCell(k->sustainable_rps, k->sustainable_bound) << "\n";
    }
  }
  md << "\n";
  return md.str();
}

// --- sweep.html: the Markdown's tables, and per scenario two Chart.js charts. ---

struct ChartPoint {
  double x = 0, y = 0;
};

json::object Line(const std::string& label, const std::vector<ChartPoint>& points,
                  const char* colour, bool dashed, double point_radius = 3) {
  json::array data;
  for (const ChartPoint& p : points) data.push_back({{"x", p.x}, {"y", p.y}});
  json::object line{{"label", label},        {"data", data},
                    {"borderColor", colour}, {"backgroundColor", colour},
                    {"showLine", true},      {"pointRadius", point_radius},
                    {"borderWidth", 2}};
  if (dashed) line["borderDash"] = json::array{6, 4};
  return line;
}

// A vertical line at a knee, from the bottom of the chart to its top, labelled in the legend.
json::object KneeMarker(const std::string& label, double x, double y_low, double y_high,
                        const char* colour) {
  json::object marker = Line(label, {{x, y_low}, {x, y_high}}, colour, true, 0);
  marker["borderWidth"] = 1;
  return marker;
}

std::pair<double, double> Span(const std::vector<double>& values) {
  if (values.empty()) return {1, 1};
  return {*std::min_element(values.begin(), values.end()),
          *std::max_element(values.begin(), values.end())};
}

// The offered rate's axis; a mix's is the total, and says which scale a rate is.
std::string XTitle(const SweepResults& sweep, const std::string& id) {
  for (const SweepStep& s : sweep.steps) {
    if (s.scenario == id && s.scale && *s.scale > 0) {
      return "total offered rate (req/s, log) = scale x " + Rate(s.offered_rps / *s.scale) +
             " req/s";
    }
  }
  return "offered rate (req/s, log)";
}

// Answer p99 and completion p99 (ms) against the offered rate, both axes logarithmic.
json::object LatencyChart(const SweepResults& sweep, const std::string& id) {
  json::array datasets;
  std::vector<double> xs, ys;
  const Knees* any = nullptr;
  for (const std::string& arch : Archs(sweep)) {
    std::vector<ChartPoint> answer, completion;
    for (const SweepStep* s : StepsOf(sweep, arch, id)) {
      // A logarithmic axis has no place for zero: such a point is left out, not drawn at 1.
      if (s->offered_rps <= 0) continue;
      xs.push_back(s->offered_rps);
      if (s->answer.p99 > 0) answer.push_back({s->offered_rps, s->answer.p99 * 1000});
      if (s->completion && s->completion->p99 > 0) {
        completion.push_back({s->offered_rps, s->completion->p99 * 1000});
      }
    }
    for (const ChartPoint& p : answer) ys.push_back(p.y);
    for (const ChartPoint& p : completion) ys.push_back(p.y);
    datasets.push_back(Line(arch + " answer p99", answer, report::Colour(arch, 0), false));
    datasets.push_back(Line(arch + " completion p99", completion, report::Colour(arch, 1), true));
    if (const Knees* k = sweep.KneesOf(arch, id)) any = k;
  }
  // A mix has no one SLO (each scenario has its own): its lines would mislead.
  if (any != nullptr && !any->mix.empty()) any = nullptr;
  if (any != nullptr) {
    ys.push_back(any->answer_slo.limit_s * 1000);
    ys.push_back(any->completion_slo.limit_s * 1000);
  }
  auto [x_low, x_high] = Span(xs);
  auto [y_low, y_high] = Span(ys);
  if (any != nullptr) {
    datasets.push_back(
        Line("answer SLO " + SloWords(any->answer_slo),
             {{x_low, any->answer_slo.limit_s * 1000}, {x_high, any->answer_slo.limit_s * 1000}},
             "#555", true, 0));
    datasets.push_back(Line(
        "completion SLO " + SloWords(any->completion_slo),
        {{x_low, any->completion_slo.limit_s * 1000}, {x_high, any->completion_slo.limit_s * 1000}},
        "#aaa", true, 0));
  }
  for (const std::string& arch : Archs(sweep)) {
    const Knees* k = sweep.KneesOf(arch, id);
    if (k == nullptr || !k->answer_knee_rps || *k->answer_knee_rps <= 0) continue;
    std::string label = arch + " answer knee " + Rps(*k->answer_knee_rps) +
                        (k->answer_bound == "found" ? "" : " (" + k->answer_bound + ")");
    datasets.push_back(
        KneeMarker(label, *k->answer_knee_rps, y_low, y_high, report::Colour(arch, 0)));
  }
  return {{"title", "Answer and completion p99 against offered rate, " + id},
          {"x_title", XTitle(sweep, id)},
          {"y_title", "p99 (ms, log)"},
          {"y_log", true},
          {"datasets", datasets}};
}

// The backlog's slope (accepted work not yet done, per second) against the offered rate.
json::object BacklogChart(const SweepResults& sweep, const std::string& id) {
  json::array datasets;
  std::vector<double> ys;
  for (const std::string& arch : Archs(sweep)) {
    std::vector<ChartPoint> slope;
    for (const SweepStep* s : StepsOf(sweep, arch, id)) {
      if (s->offered_rps <= 0) continue;
      slope.push_back({s->offered_rps, s->backlog_slope_per_s});
      ys.push_back(s->backlog_slope_per_s);
    }
    datasets.push_back(Line(arch + " backlog slope", slope, report::Colour(arch, 0), false));
  }
  ys.push_back(0);
  auto [y_low, y_high] = Span(ys);
  for (const std::string& arch : Archs(sweep)) {
    const Knees* k = sweep.KneesOf(arch, id);
    if (k == nullptr || !k->sustainable_rps || *k->sustainable_rps <= 0) continue;
    std::string label = arch + " sustainable " + Rps(*k->sustainable_rps) +
                        (k->sustainable_bound == "found" ? "" : " (" + k->sustainable_bound + ")");
    datasets.push_back(
        KneeMarker(label, *k->sustainable_rps, y_low, y_high, report::Colour(arch, 1)));
  }
  return {{"title", "Backlog slope against offered rate, " + id},
          {"x_title", XTitle(sweep, id)},
          {"y_title", "backlog growth (requests/s)"},
          {"y_log", false},
          {"datasets", datasets}};
}

// Draws every chart from the data the C++ side computed; no figure is computed here.
constexpr const char* kDrawCharts = R"js(
for (const [i, spec] of charts.entries()) {
  new Chart(document.getElementById('sweepchart' + i), {
    type: 'scatter',
    data: { datasets: spec.datasets },
    options: {
      animation: false, maintainAspectRatio: false,
      plugins: { title: { display: true, text: spec.title } },
      scales: {
        x: { type: 'logarithmic', title: { display: true, text: spec.x_title } },
        y: { type: spec.y_log ? 'logarithmic' : 'linear', title: { display: true, text: spec.y_title } },
      },
    },
  });
}
document.body.dataset.chartsDrawn = String(charts.length);
)js";

}  // namespace

std::string SweepMarkdown(const SweepResults& sweep) {
  std::string md = Intro(sweep) + KneesSection(sweep) + LimitsSection(sweep);
  for (const std::string& id : ScenarioIds(sweep)) {
    md += ScenarioHeading(sweep, id) + StepsTable(sweep, id);
    if (!MixProfileOf(id).empty()) md += MixScenariosTable(sweep, id);
  }
  return md;
}

std::string SweepHtml(const SweepResults& sweep) {
  json::array charts;
  std::ostringstream html;
  html << report::HtmlHead("flowbench sweep")
       << report::MarkdownToHtml(Intro(sweep) + KneesSection(sweep) + LimitsSection(sweep));
  for (const std::string& id : ScenarioIds(sweep)) {
    html << report::MarkdownToHtml(ScenarioHeading(sweep, id)) << "<div class=\"charts\">\n";
    charts.push_back(LatencyChart(sweep, id));
    charts.push_back(BacklogChart(sweep, id));
    for (std::size_t i = charts.size() - 2; i < charts.size(); ++i) {
      html << "<div class=\"chart\"><canvas id=\"sweepchart" << i << "\"></canvas></div>\n";
    }
    html << "</div>\n" << report::MarkdownToHtml(StepsTable(sweep, id));
    if (!MixProfileOf(id).empty()) html << report::MarkdownToHtml(MixScenariosTable(sweep, id));
  }
  html << "<script>\nconst charts = " << report::ScriptSafe(json::serialize(charts)) << ";\n"
       << kDrawCharts << "</script>\n</body></html>\n";
  return html.str();
}

std::filesystem::path WriteSweepReports(const SweepResults& sweep,
                                        const std::filesystem::path& dir) {
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream out(dir / name);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
  };
  write("sweep.md", SweepMarkdown(sweep));
  write("sweep.html", SweepHtml(sweep));
  return dir / "sweep.html";
}

std::string CompareSweeps(const SweepResults& a, const std::string& a_label, const SweepResults& b,
                          const std::string& b_label) {
  auto ratio = [](const std::optional<double>& x, const std::optional<double>& y) {
    return x && y && *x > 0 ? Number(*y / *x, 2) + "x" : std::string("-");
  };
  auto rate = [](const Knees* k, const std::optional<double> Knees::*figure,
                 const std::string Knees::*bound) {
    if (k == nullptr) return std::string("-");
    const std::optional<double>& rps = k->*figure;
    // A mix's knee: the total rate, at its scale.
    const std::optional<double>& scale =
        figure == &Knees::answer_knee_rps ? k->answer_knee_scale : k->sustainable_scale;
    std::string at = scale ? " at " + ScaleText(*scale) : "";
    if (k->*bound == "found" && rps) return Rps(*rps) + at;
    return (rps ? "≥ " + Rps(*rps) + at + " " : std::string()) + "(" + k->*bound + ")";
  };
  auto value = [](const Knees* k, const std::optional<double> Knees::*figure) {
    return k ? k->*figure : std::nullopt;
  };
  if (a.IsMix() != b.IsMix()) {
    const std::string& mix = a.IsMix() ? a_label : b_label;
    const std::string& other = a.IsMix() ? b_label : a_label;
    throw std::invalid_argument(
        mix + " is a mix sweep (--mix: all scenarios at once) and " + other +
        " a sweep of one scenario at a time: their knees are not the same measure; compare a mix "
        "with a mix of the same profile, or two per-scenario sweeps");
  }
  std::ostringstream md;
  md << "### Sweeps: A = " << a_label << ", B = " << b_label << "\n\n"
     << "| build | scenario | answer knee A | answer knee B | B/A | sustainable A | "
        "sustainable B | B/A |\n|---|---|---|---|---|---|---|---|\n";
  std::vector<std::string> ids = ScenarioIds(a);
  for (const std::string& id : ScenarioIds(b)) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  for (const std::string& id : ids) {
    for (const char* arch : {"sync", "async"}) {
      const Knees* ka = a.KneesOf(arch, id);
      const Knees* kb = b.KneesOf(arch, id);
      if (ka == nullptr && kb == nullptr) continue;
      md << "| " << arch << " | " << id << " | "
         << rate(ka, &Knees::answer_knee_rps, &Knees::answer_bound) << " | "
         << rate(kb, &Knees::answer_knee_rps, &Knees::answer_bound) << " | "
         << ratio(value(ka, &Knees::answer_knee_rps), value(kb, &Knees::answer_knee_rps)) << " | "
         << rate(ka, &Knees::sustainable_rps, &Knees::sustainable_bound) << " | "
         << rate(kb, &Knees::sustainable_rps, &Knees::sustainable_bound) << " | "
         << ratio(value(ka, &Knees::sustainable_rps), value(kb, &Knees::sustainable_rps)) << " |\n";
    }
  }
  md << "\n| physical limit | A | B | B/A |\n|---|---|---|---|\n";
  std::vector<std::string> names;
  for (const SweepResults* sweep : {&a, &b}) {
    for (const PhysicalLimit& l : sweep->limits) {
      if (std::find(names.begin(), names.end(), l.name) == names.end()) names.push_back(l.name);
    }
  }
  auto limit = [](const SweepResults& sweep, const std::string& name) -> std::optional<double> {
    for (const PhysicalLimit& l : sweep.limits) {
      if (l.name == name) return l.rps;
    }
    return std::nullopt;
  };
  for (const std::string& name : names) {
    std::optional<double> la = limit(a, name), lb = limit(b, name);
    md << "| " << name << " | " << (la ? Rate(*la) + "/s" : "-") << " | "
       << (lb ? Rate(*lb) + "/s" : "-") << " | " << ratio(la, lb) << " |\n";
  }
  return md.str();
}

}  // namespace flowbench::sweep
