#include "bench/run/statistics.hpp"

#include <algorithm>
#include <optional>

#include "bench/stats/confidence.hpp"

namespace flowbench::run {
namespace {

using report::ComparedFigure;
using report::Interval;
using report::ProfileRun;
using report::ScenarioResult;

constexpr double kSecondsPerNanosecond = 1e-9;
constexpr int kRepeatsForStudentT = 3;

std::optional<Interval> Seconds(const std::optional<stats::Interval>& ns) {
  if (!ns) return std::nullopt;
  return Interval{ns->low * kSecondsPerNanosecond, ns->high * kSecondsPerNanosecond};
}

std::optional<Interval> Same(const std::optional<stats::Interval>& i) {
  if (!i) return std::nullopt;
  return Interval{i->low, i->high};
}

// What a compared figure is: which histogram, which percentile (0 for throughput), and how
// to read it off a scenario's result (nullopt: not measured there).
struct FigureSpec {
  bool completion = false;
  double percentile = 0;
};

FigureSpec SpecOf(std::string_view figure) {
  if (figure == "answer.p50") return {false, 50};
  if (figure == "answer.p99") return {false, 99};
  if (figure == "completion.p50") return {true, 50};
  if (figure == "completion.p99") return {true, 99};
  return {false, 0};  // throughput
}

std::optional<double> ValueOf(const ScenarioResult& s, const FigureSpec& spec) {
  if (spec.percentile == 0) return s.throughput_rps;
  const report::LatencySummary* summary = &s.latency;
  if (spec.completion) {
    if (!s.completion) return std::nullopt;
    summary = &*s.completion;
  }
  return spec.percentile == 50 ? summary->p50 : summary->p99;
}

// The scenario's histogram of one run, when there is one with samples.
const stats::LatencyHistogram* HistogramOf(const report::RunResults& results,
                                           std::span<const RunHistograms> histograms,
                                           const ProfileRun* run, const std::string& scenario,
                                           const FigureSpec& spec) {
  auto index = static_cast<std::size_t>(run - results.runs.data());
  if (index >= histograms.size()) return nullptr;
  auto found = histograms[index].find(scenario);
  if (found == histograms[index].end()) return nullptr;
  const stats::LatencyHistogram& h =
      spec.completion ? found->second.completion : found->second.answer;
  return h.Count() == 0 ? nullptr : &h;
}

// Runs of one build in the order of their repeats.
std::vector<const ProfileRun*> ByRepeat(std::vector<const ProfileRun*> runs) {
  std::stable_sort(runs.begin(), runs.end(),
                   [](const ProfileRun* a, const ProfileRun* b) { return a->repeat < b->repeat; });
  return runs;
}

double Mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

void FromRepeats(ComparedFigure& c, const std::vector<double>& sync,
                 const std::vector<double>& async, bool lower_bound) {
  c.method = "welch-log";
  c.sync_value = Mean(sync);
  c.async_value = Mean(async);
  if (c.async_value > 0) c.ratio = c.sync_value / c.async_value;
  // A lower bound's spread says nothing about where the true figure lies.
  if (lower_bound) return;
  c.sync_interval = Same(stats::MeanInterval(sync));
  c.async_interval = Same(stats::MeanInterval(async));
  if (std::optional<stats::RatioEstimate> r = stats::RatioInterval(sync, async)) {
    c.ratio = r->ratio;  // of the geometric means: the centre of the interval on logarithms
    c.ratio_interval = Interval{r->interval.low, r->interval.high};
    c.distinguishable = stats::Distinguishable(*r);
  }
}

void FromFirstRepeat(ComparedFigure& c, const ScenarioResult& sync, const ScenarioResult& async,
                     const FigureSpec& spec, const stats::LatencyHistogram* sync_histogram,
                     const stats::LatencyHistogram* async_histogram, bool lower_bound) {
  c.sync_value = *ValueOf(sync, spec);
  c.async_value = *ValueOf(async, spec);
  if (c.async_value > 0) c.ratio = c.sync_value / c.async_value;
  if (spec.percentile == 0) {
    c.method = "none";  // one count per build: nothing to estimate a spread from
    return;
  }
  c.method = "bonferroni";
  if (lower_bound) return;
  if (sync_histogram != nullptr) {
    c.sync_interval = Seconds(stats::PercentileInterval(*sync_histogram, spec.percentile));
  }
  if (async_histogram != nullptr) {
    c.async_interval = Seconds(stats::PercentileInterval(*async_histogram, spec.percentile));
  }
  if (sync_histogram == nullptr || async_histogram == nullptr) return;
  if (std::optional<stats::RatioEstimate> r =
          stats::PercentileRatioInterval(*sync_histogram, *async_histogram, spec.percentile)) {
    c.ratio = r->ratio;
    c.ratio_interval = Interval{r->interval.low, r->interval.high};
    c.distinguishable = stats::Distinguishable(*r);
  }
}

}  // namespace

std::map<std::string, report::Interval> WithinRunIntervals(const ScenarioHistograms& histograms) {
  struct Key {
    const char* name;
    bool completion;
    double percentile;
  };
  static constexpr Key kKeys[] = {{"answer.p50", false, 50},    {"answer.p90", false, 90},
                                  {"answer.p99", false, 99},    {"answer.p99.9", false, 99.9},
                                  {"completion.p50", true, 50}, {"completion.p99", true, 99}};
  std::map<std::string, report::Interval> intervals;
  for (const Key& key : kKeys) {
    const stats::LatencyHistogram& h = key.completion ? histograms.completion : histograms.answer;
    if (std::optional<Interval> i = Seconds(stats::PercentileInterval(h, key.percentile))) {
      intervals[key.name] = *i;
    }
  }
  return intervals;
}

std::vector<ComparedFigure> CompareBuilds(const report::RunResults& results,
                                          std::span<const RunHistograms> histograms) {
  std::vector<std::string> profiles;
  for (const ProfileRun& run : results.runs) {
    if (std::find(profiles.begin(), profiles.end(), run.profile) == profiles.end()) {
      profiles.push_back(run.profile);
    }
  }
  std::vector<ComparedFigure> compared;
  for (const std::string& profile : profiles) {
    std::vector<const ProfileRun*> sync = ByRepeat(results.Runs("sync", profile));
    std::vector<const ProfileRun*> async = ByRepeat(results.Runs("async", profile));
    if (sync.empty() || async.empty()) continue;
    bool repeats = sync.size() >= kRepeatsForStudentT && async.size() >= kRepeatsForStudentT;
    for (const ScenarioResult& first : sync.front()->scenarios) {
      const std::string& scenario = first.scenario;
      auto every_run_has = [&](const std::vector<const ProfileRun*>& runs) {
        return std::all_of(runs.begin(), runs.end(),
                           [&](const ProfileRun* run) { return run->Scenario(scenario); });
      };
      if (!every_run_has(sync) || !every_run_has(async)) continue;
      for (const char* figure : kComparedFigures) {
        FigureSpec spec = SpecOf(figure);
        // Per repeat, used only when every run measured it: a mean over some would mislead.
        std::vector<double> sync_values, async_values;
        bool measured = true, lower_bound = false;
        auto collect = [&](const std::vector<const ProfileRun*>& runs, std::vector<double>& out) {
          for (const ProfileRun* run : runs) {
            const ScenarioResult& s = *run->Scenario(scenario);
            std::optional<double> v = ValueOf(s, spec);
            if (!v) measured = false;
            if (v) out.push_back(*v);
            lower_bound |= spec.completion && s.completion_lower_bound;
          }
        };
        collect(sync, sync_values);
        collect(async, async_values);
        if (!measured) continue;
        ComparedFigure c;
        c.profile = profile;
        c.scenario = scenario;
        c.figure = figure;
        if (repeats) {
          FromRepeats(c, sync_values, async_values, lower_bound);
        } else {
          const ScenarioResult& s = *sync.front()->Scenario(scenario);
          const ScenarioResult& a = *async.front()->Scenario(scenario);
          // A completion histogram stands for the figure only when it was joined per request.
          bool per_request = !spec.completion || (s.completion_source == "per-request" &&
                                                  a.completion_source == "per-request");
          const stats::LatencyHistogram* sh =
              per_request ? HistogramOf(results, histograms, sync.front(), scenario, spec)
                          : nullptr;
          const stats::LatencyHistogram* ah =
              per_request ? HistogramOf(results, histograms, async.front(), scenario, spec)
                          : nullptr;
          FromFirstRepeat(c, s, a, spec, sh, ah, lower_bound);
        }
        compared.push_back(std::move(c));
      }
    }
  }
  return compared;
}

}  // namespace flowbench::run
