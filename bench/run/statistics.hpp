// TEMPORARY interface stub (replaced by the report branch's statistics.hpp at merge).
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "bench/report/results.hpp"
#include "bench/stats/latency_histogram.hpp"

namespace flowbench::run {

struct ScenarioHistograms {
  stats::LatencyHistogram answer, completion;
};
using RunHistograms = std::map<std::string, ScenarioHistograms>;

std::map<std::string, report::Interval> WithinRunIntervals(const ScenarioHistograms& histograms);
std::vector<report::ComparedFigure> CompareBuilds(const report::RunResults& results,
                                                  std::span<const RunHistograms> histograms);

}  // namespace flowbench::run
