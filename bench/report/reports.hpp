// The reports written next to results.json: report.md (tables), report.html (the same
// tables with charts, self-contained: opens offline), results.csv (one row per scenario run)
// and one k6-summary-compatible JSON per run, so k6 tooling can read ours.
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <string>

#include "bench/report/results.hpp"

namespace flowbench::report {

std::string MarkdownReport(const RunResults& results);
std::string HtmlReport(const RunResults& results);
std::string CsvReport(const RunResults& results);
// What `flowbench run` prints when it ends (plain text, at most 100 columns): per profile,
// scenario and build, the answer p99, the completion p99 ("≥" when a lower bound) and the
// outcomes (done/accepted and the others that are not zero).
std::string RunSummaryTable(const RunResults& results);
// The network in words, one table cell (`--network`): "zone: 1 ms ± 0.2 ms one way, by a
// delaying TCP relay per link; measured round trip 2.05 ms".
std::string NetworkText(const Network& network);
// What `k6 run --summary-export` writes, for one architecture x profile x repeat (times in ms).
boost::json::object K6Summary(const ProfileRun& run);

// Writes report.md, report.html, results.csv and k6-summary-<arch>-<profile>-<repeat>.json
// into `dir` (which holds results.json). Returns the path of report.html.
std::filesystem::path WriteReports(const RunResults& results, const std::filesystem::path& dir);

}  // namespace flowbench::report
