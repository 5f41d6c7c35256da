#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "bench/report/aggregate.hpp"
#include "bench/report/reports.hpp"

namespace flowbench::report {
namespace {

namespace json = boost::json;

// Chart.js from Debian's libjs-chart.js, inlined so the report opens offline.
constexpr const char* kChartJs = "/usr/share/javascript/chart.js/chart.min.js";

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Inline markup of the Markdown report: `code` only.
std::string Inline(const std::string& text) {
  std::string escaped = Escape(text), out;
  bool code = false;
  for (char c : escaped) {
    if (c == '`') {
      out += code ? "</code>" : "<code>";
      code = !code;
    } else {
      out += c;
    }
  }
  return out;
}

// The tables of the HTML report are the Markdown report's own, converted: one place
// computes every figure, so the two reports can never disagree. Only the constructs
// MarkdownReport writes are handled: headings, tables, code fences, paragraphs.
std::string MarkdownToHtml(const std::string& markdown) {
  std::istringstream lines(markdown);
  std::ostringstream html;
  std::string line;
  bool in_table = false, in_code = false, header_row = false;
  while (std::getline(lines, line)) {
    if (line.rfind("```", 0) == 0) {
      html << (in_code ? "</pre>\n" : "<pre>");
      in_code = !in_code;
      continue;
    }
    if (in_code) {
      html << Escape(line) << "\n";
      continue;
    }
    if (!line.empty() && line[0] == '|') {
      if (line.rfind("|---", 0) == 0) continue;
      if (!in_table) {
        html << "<table>\n";
        in_table = header_row = true;
      }
      html << "<tr>";
      std::size_t start = 1, bar;
      while ((bar = line.find('|', start)) != std::string::npos) {
        std::string cell = line.substr(start, bar - start);
        cell.erase(0, cell.find_first_not_of(' '));
        cell.erase(cell.find_last_not_of(' ') + 1);
        html << (header_row ? "<th>" : "<td>") << Inline(cell) << (header_row ? "</th>" : "</td>");
        start = bar + 1;
      }
      html << "</tr>\n";
      header_row = false;
      continue;
    }
    if (in_table) {
      html << "</table>\n";
      in_table = false;
    }
    if (line.rfind("### ", 0) == 0) {
      html << "<h3>" << Inline(line.substr(4)) << "</h3>\n";
    } else if (line.rfind("## ", 0) == 0) {
      html << "<h2>" << Inline(line.substr(3)) << "</h2>\n";
    } else if (line.rfind("# ", 0) == 0) {
      html << "<h1>" << Inline(line.substr(2)) << "</h1>\n";
    } else if (!line.empty()) {
      html << "<p>" << Inline(line) << "</p>\n";
    }
  }
  if (in_table) html << "</table>\n";
  return html.str();
}

// JSON inside a <script> element must not contain "</" (it could close the element).
std::string ScriptSafe(std::string text) {
  for (std::size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) {
    text.replace(at, 2, "<\\/");
  }
  return text;
}

std::string ReadChartJs() {
  std::ifstream in(kChartJs);
  if (!in) {
    throw std::runtime_error(std::string("Chart.js not found at ") + kChartJs +
                             ": install it with `sudo apt-get install libjs-chart.js` (or run "
                             "compose/install-deps.sh)");
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const char* Colour(const std::string& arch, int shade = 0) {
  if (arch == "sync") return shade == 0 ? "#d9534f" : "#f0a8a6";
  return shade == 0 ? "#337ab7" : "#9cc3e6";
}

// A bar chart of one figure per profile, a dataset per architecture.
json::object ProfileBars(const RunResults& r, const std::string& title, const std::string& unit,
                         const std::function<double(const ProfileRun&)>& figure) {
  json::array labels(r.profiles.begin(), r.profiles.end()), datasets;
  for (const std::string& a : Archs(r)) {
    json::array values;
    for (const std::string& p : r.profiles) values.push_back(Across(r.Runs(a, p), figure).mean);
    datasets.push_back({{"label", a}, {"data", values}, {"backgroundColor", Colour(a)}});
  }
  return {{"title", title}, {"unit", unit},     {"type", "bar"},
          {"log", false},   {"labels", labels}, {"datasets", datasets}};
}

// Answer p95 next to completion p95, per scenario, for one profile (log scale: ms to s).
json::object AckVersusCompletion(const RunResults& r, const std::string& profile) {
  std::vector<std::string> ids = ScenarioIds(r);
  json::array labels(ids.begin(), ids.end()), datasets;
  for (const std::string& a : Archs(r)) {
    json::array answer, completion;
    for (const std::string& id : ids) {
      std::vector<const ProfileRun*> runs;
      for (const ProfileRun* run : r.Runs(a, profile)) {
        if (run->Scenario(id)) runs.push_back(run);
      }
      answer.push_back(Across(runs, [&](const ProfileRun& run) {
                         return run.Scenario(id)->latency.p95 * 1000;
                       }).mean);
      bool measured = !runs.empty();
      for (const ProfileRun* run : runs) measured &= run->Scenario(id)->completion.has_value();
      completion.push_back(
          measured ? json::value(Across(runs,
                                        [&](const ProfileRun& run) {
                                          return run.Scenario(id)->completion->p95 * 1000;
                                        })
                                     .mean)
                   : json::value(nullptr));
    }
    datasets.push_back(
        {{"label", a + " answer p95"}, {"data", answer}, {"backgroundColor", Colour(a, 0)}});
    datasets.push_back({{"label", a + " completion p95"},
                        {"data", completion},
                        {"backgroundColor", Colour(a, 1)}});
  }
  return {{"title", "Answer vs completion p95 per scenario (" + profile + ")"},
          {"unit", "ms"},
          {"type", "bar"},
          {"log", true},
          {"labels", labels},
          {"datasets", datasets}};
}

// Cumulative share of requests at or below each latency, per architecture (first repeat).
json::object Distribution(const RunResults& r, const std::string& profile) {
  json::array datasets;
  for (const std::string& a : Archs(r)) {
    std::vector<const ProfileRun*> runs = r.Runs(a, profile);
    if (runs.empty()) continue;
    std::map<double, std::uint64_t> merged;
    std::uint64_t total = 0;
    for (const ScenarioResult& s : runs.front()->scenarios) {
      for (const Bucket& b : s.distribution) {
        merged[b.le] += b.count;
        total += b.count;
      }
    }
    json::array points;
    std::uint64_t seen = 0;
    for (const auto& [le, count] : merged) {
      seen += count;
      points.push_back({{"x", le * 1000}, {"y", total == 0 ? 0.0 : 100.0 * seen / total}});
    }
    datasets.push_back({{"label", a},
                        {"data", points},
                        {"borderColor", Colour(a)},
                        {"backgroundColor", Colour(a)},
                        {"pointRadius", 0}});
  }
  return {
      {"title", "Latency distribution, all scenarios (" + profile + "): % of requests at or below"},
      {"unit", "%"},
      {"type", "line"},
      {"log", false},
      {"xlog", true},
      {"datasets", datasets}};
}

json::object QueueDepth(const ProfileRun& run) {
  json::array datasets;
  static constexpr const char* kPalette[] = {"#337ab7", "#5cb85c", "#f0ad4e", "#d9534f", "#5bc0de",
                                             "#9b59b6", "#34495e", "#e67e22", "#1abc9c", "#7f8c8d"};
  int i = 0;
  for (const QueueSeries& q : run.queues) {
    if (q.Peak() == 0) continue;
    json::array points;
    for (std::size_t k = 0; k < q.t.size() && k < q.depth.size(); ++k) {
      points.push_back({{"x", q.t[k]}, {"y", q.depth[k]}});
    }
    const char* colour = kPalette[i++ % 10];
    datasets.push_back({{"label", q.queue},
                        {"data", points},
                        {"borderColor", colour},
                        {"backgroundColor", colour},
                        {"pointRadius", 0}});
  }
  return {{"title", "Queue depth over time (" + run.arch + ", " + run.profile + ", repeat " +
                        std::to_string(run.repeat) + ")"},
          {"unit", "messages"},
          {"type", "line"},
          {"log", false},
          {"xlog", false},
          {"datasets", datasets}};
}

json::array Charts(const RunResults& r) {
  json::array charts;
  charts.push_back(ProfileBars(r, "p95 latency by profile", "ms",
                               [](const ProfileRun& run) { return run.overall.p95 * 1000; }));
  charts.push_back(ProfileBars(r, "Error rate by profile", "%", [](const ProfileRun& run) {
    return run.Requests() == 0 ? 0.0 : 100.0 * double(run.Errors()) / double(run.Requests());
  }));
  charts.push_back(ProfileBars(r, "Throughput by profile", "req/s", [](const ProfileRun& run) {
    return run.duration_seconds == 0 ? 0.0 : double(run.Requests()) / run.duration_seconds;
  }));
  for (const std::string& profile : r.profiles) charts.push_back(AckVersusCompletion(r, profile));
  for (const std::string& profile : r.profiles) charts.push_back(Distribution(r, profile));
  for (const ProfileRun& run : r.runs) {
    if (run.repeat == 1 && !run.queues.empty()) charts.push_back(QueueDepth(run));
  }
  return charts;
}

constexpr const char* kStyle = R"css(
body { font: 14px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f4f4f4; }
pre { background: #f7f7f7; padding: 0.7em; overflow-x: auto; white-space: pre-wrap; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; }
.chart { border: 1px solid #ddd; padding: 0.5em; height: 320px; }
)css";

// Draws every chart from the data the C++ side computed; no figure is computed here.
constexpr const char* kDrawCharts = R"js(
for (const [i, spec] of charts.entries()) {
  const canvas = document.getElementById('chart' + i);
  const scales = {
    y: { type: spec.log ? 'logarithmic' : 'linear', title: { display: true, text: spec.unit } },
  };
  if (spec.type === 'line') {
    scales.x = { type: spec.xlog ? 'logarithmic' : 'linear',
                 title: { display: true, text: spec.xlog ? 'ms' : 'seconds since load start' } };
  }
  new Chart(canvas, {
    type: spec.type,
    data: { labels: spec.labels, datasets: spec.datasets },
    options: { animation: false, maintainAspectRatio: false, parsing: spec.type !== 'line' ? undefined : false,
               plugins: { title: { display: true, text: spec.title } }, scales },
  });
}
document.body.dataset.chartsDrawn = String(charts.length);
)js";

}  // namespace

std::string HtmlReport(const RunResults& r) {
  json::array charts = Charts(r);
  std::ostringstream html;
  html << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       << "<title>flowbench report</title>\n<style>" << kStyle << "</style>\n"
       << "<script>/* Chart.js 3.9.1, MIT licence, from Debian's libjs-chart.js */\n"
       << ReadChartJs() << "\n</script>\n</head>\n<body>\n";
  std::string tables = MarkdownToHtml(MarkdownReport(r));
  // The title first, then the charts, then every table.
  std::size_t after_intro = tables.find("<h2>");
  html << tables.substr(0, after_intro) << "<h2>Charts</h2>\n<div class=\"charts\">\n";
  for (std::size_t i = 0; i < charts.size(); ++i) {
    html << "<div class=\"chart\"><canvas id=\"chart" << i << "\"></canvas></div>\n";
  }
  html << "</div>\n"
       << tables.substr(after_intro)
       << "<script>\nconst charts = " << ScriptSafe(json::serialize(charts)) << ";\n"
       << kDrawCharts << "</script>\n</body></html>\n";
  return html.str();
}

}  // namespace flowbench::report
