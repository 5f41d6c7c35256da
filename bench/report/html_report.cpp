#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "bench/report/aggregate.hpp"
#include "bench/report/html_parts.hpp"
#include "bench/report/reports.hpp"

namespace flowbench::report {
namespace {

namespace json = boost::json;

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

// --- Charts over time, drawn here as inline SVG: readable without JavaScript. ---

struct Series {
  std::string name;
  const char* colour;
  std::vector<std::pair<double, double>> points;  // (x, y); NaN y: no value, a gap
};

std::string Fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// A tick label with as many decimals as the axis needs.
std::string Tick(double value, double span) {
  return Fixed(value, span >= 50 ? 0 : span >= 5 ? 1 : span >= 0.5 ? 2 : 3);
}

std::string SvgLineChart(const std::string& title, const std::string& x_label,
                         const std::string& y_label, const std::vector<Series>& series) {
  constexpr double kWidth = 520, kHeight = 260, kLeft = 56, kRight = 12, kTop = 28, kBottom = 40;
  double x_max = 0, y_max = 0;
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) {
      x_max = std::max(x_max, x);
      if (!std::isnan(y)) y_max = std::max(y_max, y);
    }
  }
  if (x_max <= 0) x_max = 1;
  y_max = y_max <= 0 ? 1 : y_max * 1.05;
  auto px = [&](double x) { return kLeft + x / x_max * (kWidth - kLeft - kRight); };
  auto py = [&](double y) { return kHeight - kBottom - y / y_max * (kHeight - kTop - kBottom); };
  std::ostringstream svg;
  svg << "<div class=\"svg-chart\"><svg viewBox=\"0 0 " << kWidth << " " << kHeight
      << "\" role=\"img\" aria-label=\"" << Escape(title) << "\"><title>" << Escape(title)
      << "</title>\n<text x=\"" << kWidth / 2 << "\" y=\"16\" text-anchor=\"middle\" "
      << "font-weight=\"bold\">" << Escape(title) << "</text>\n";
  for (int i = 0; i <= 4; ++i) {  // horizontal grid lines with their values
    double y = y_max * i / 4;
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kWidth - kRight << "\" y1=\"" << Fixed(py(y), 1)
        << "\" y2=\"" << Fixed(py(y), 1) << "\" stroke=\"#e5e5e5\"/>"
        << "<text x=\"" << kLeft - 4 << "\" y=\"" << Fixed(py(y) + 4, 1)
        << "\" text-anchor=\"end\">" << Tick(y, y_max) << "</text>\n";
  }
  for (int i = 0; i <= 5; ++i) {
    double x = x_max * i / 5;
    svg << "<text x=\"" << Fixed(px(x), 1) << "\" y=\"" << kHeight - kBottom + 14
        << "\" text-anchor=\"middle\">" << Tick(x, x_max) << "</text>\n";
  }
  svg << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft << "\" y1=\"" << kTop << "\" y2=\""
      << kHeight - kBottom << "\" stroke=\"#888\"/><line x1=\"" << kLeft << "\" x2=\""
      << kWidth - kRight << "\" y1=\"" << kHeight - kBottom << "\" y2=\"" << kHeight - kBottom
      << "\" stroke=\"#888\"/>\n"
      << "<text x=\"" << (kLeft + kWidth - kRight) / 2 << "\" y=\"" << kHeight - 6
      << "\" text-anchor=\"middle\">" << Escape(x_label) << "</text>\n"
      << "<text transform=\"translate(12," << (kTop + kHeight - kBottom) / 2
      << ") rotate(-90)\" text-anchor=\"middle\">" << Escape(y_label) << "</text>\n";
  double legend_x = kLeft + 8;
  for (const Series& s : series) {
    // One polyline per stretch without gaps: a second without a value is not drawn as zero.
    std::string points;
    auto flush = [&] {
      if (!points.empty()) {
        svg << "<polyline fill=\"none\" stroke=\"" << s.colour
            << "\" stroke-width=\"1.5\" points=\"" << points << "\"/>\n";
      }
      points.clear();
    };
    for (const auto& [x, y] : s.points) {
      if (std::isnan(y)) {
        flush();
        continue;
      }
      points += (points.empty() ? "" : " ") + Fixed(px(x), 1) + "," + Fixed(py(y), 1);
    }
    flush();
    svg << "<rect x=\"" << legend_x << "\" y=\"" << kTop << "\" width=\"10\" height=\"10\" fill=\""
        << s.colour << "\"/><text x=\"" << legend_x + 14 << "\" y=\"" << kTop + 9 << "\">"
        << Escape(s.name) << "</text>\n";
    legend_x += 24 + 7 * static_cast<double>(s.name.size());
  }
  svg << "</svg></div>\n";
  return svg.str();
}

const ProfileRun* FirstRepeat(const RunResults& r, const std::string& arch,
                              const std::string& profile) {
  const ProfileRun* first = nullptr;
  for (const ProfileRun* run : r.Runs(arch, profile)) {
    if (first == nullptr || run->repeat < first->repeat) first = run;
  }
  return first;
}

// Answer p99 per second of each scenario, and the backlog (every queue's depth summed) per
// second, each build's first repeat. Empty when no run has a per-second series (v1 files).
std::string ChartsOverTime(const RunResults& r) {
  bool any = false;
  for (const ProfileRun& run : r.runs) {
    for (const ScenarioResult& s : run.scenarios) any |= !s.timeseries.empty();
  }
  if (!any) return "";
  std::ostringstream html;
  html << "<h2>Over time</h2>\n<p>Each build's first repeat, second by second (by intended "
          "send time for the answers; a second without requests is a gap). Drawn without "
          "JavaScript.</p>\n<div class=\"charts\">\n";
  for (const std::string& profile : r.profiles) {
    for (const std::string& id : ScenarioIds(r)) {
      std::vector<Series> series;
      for (const std::string& a : Archs(r)) {
        const ProfileRun* run = FirstRepeat(r, a, profile);
        const ScenarioResult* s = run ? run->Scenario(id) : nullptr;
        if (s == nullptr || s->timeseries.empty()) continue;
        Series line{a, Colour(a), {}};
        for (const SecondSample& second : s->timeseries) {
          line.points.emplace_back(second.t,
                                   second.answer_p99 ? *second.answer_p99 * 1000 : std::nan(""));
        }
        series.push_back(std::move(line));
      }
      if (!series.empty()) {
        html << SvgLineChart("Answer p99 per second, " + id + " (" + profile + ")",
                             "seconds since the measured window began", "ms", series);
      }
    }
    std::vector<Series> backlog;
    for (const std::string& a : Archs(r)) {
      const ProfileRun* run = FirstRepeat(r, a, profile);
      if (run == nullptr || run->queues.empty()) continue;
      // The sampler reads every queue in one pass, so their samples share times; a time
      // missing from one queue (the broker did not answer) leaves that queue out of its sum.
      std::map<double, std::uint64_t> total;
      for (const QueueSeries& q : run->queues) {
        for (std::size_t k = 0; k < q.t.size() && k < q.depth.size(); ++k)
          total[q.t[k]] += q.depth[k];
      }
      Series line{a, Colour(a), {}};
      for (const auto& [t, depth] : total) line.points.emplace_back(t, static_cast<double>(depth));
      backlog.push_back(std::move(line));
    }
    if (!backlog.empty()) {
      html << SvgLineChart("Backlog: messages ready in all queues (" + profile + ")",
                           "seconds since the load started", "messages", backlog);
    }
  }
  html << "</div>\n";
  return html.str();
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
  html << HtmlHead("flowbench report");
  std::string tables = MarkdownToHtml(MarkdownReport(r));
  // The title, warnings and the experiment's design (v2) first, then the charts, then the
  // tables of figures. A v1 file has no design: its charts follow the title, as they always did.
  std::size_t after_intro = tables.find("<h2>p95 latency per profile</h2>");
  if (after_intro == std::string::npos) after_intro = tables.find("<h2>");
  html << tables.substr(0, after_intro) << "<h2>Charts</h2>\n<div class=\"charts\">\n";
  for (std::size_t i = 0; i < charts.size(); ++i) {
    html << "<div class=\"chart\"><canvas id=\"chart" << i << "\"></canvas></div>\n";
  }
  html << "</div>\n"
       << ChartsOverTime(r) << tables.substr(after_intro)
       << "<script>\nconst charts = " << ScriptSafe(json::serialize(charts)) << ";\n"
       << kDrawCharts << "</script>\n</body></html>\n";
  return html.str();
}

}  // namespace flowbench::report
