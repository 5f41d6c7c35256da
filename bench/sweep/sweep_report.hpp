// sweep.md and sweep.html from a SweepResults, and two sweeps lined up side by side
// (`flowbench compare a/sweep.json b/sweep.json`). The HTML is self-contained (Chart.js
// inlined, as report.html): per scenario, answer p99 and completion p99 against offered rate
// for both builds (log-log), the backlog slope against offered rate, the knees marked; and a
// table of knees with the physical limits beside them.
#pragma once

#include <filesystem>
#include <string>

#include "bench/sweep/sweep_results.hpp"

namespace flowbench::sweep {

std::string SweepMarkdown(const SweepResults& sweep);
std::string SweepHtml(const SweepResults& sweep);
// Writes DIR/sweep.md and DIR/sweep.html (sweep.json is the caller's); returns the HTML's path.
std::filesystem::path WriteSweepReports(const SweepResults& sweep,
                                        const std::filesystem::path& dir);
// Markdown: the knees of `a` and `b` per build and scenario, with b / a.
std::string CompareSweeps(const SweepResults& a, const std::string& a_label, const SweepResults& b,
                          const std::string& b_label);

}  // namespace flowbench::sweep
