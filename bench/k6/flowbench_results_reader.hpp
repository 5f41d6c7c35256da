// flowbench's own results.json (schema flowbench.results/v1, bench/report/SCHEMA.md) as an
// input of `flowbench compare`. One file holds several runs (arch x profile x repeat), so its
// figures become k6-style sub-metrics tagged with the run they belong to, e.g.
//   http_req_duration{arch:async,profile:baseline}                   all scenarios
//   http_req_duration{arch:async,profile:baseline,scenario:scenario6}
//   flowbench_completion{arch:async,profile:baseline,scenario:scenario1}
// (also http_reqs, http_req_failed, dropped_iterations), and two files line up row by row.
// Repeats of one arch x profile are averaged, stat by stat, as report.md does.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "bench/stats/run_summary.hpp"

namespace flowbench::k6 {

inline constexpr const char* kFlowbenchResultsFormat = "flowbench results.json";

// True when the document says it is flowbench results (any version: an unknown one is then
// reported as such, not as an unknown format).
bool LooksLikeFlowbenchResults(const boost::json::value& document);
// Throws K6FormatError naming `source` for an unknown schema version or a malformed file.
stats::RunSummary FlowbenchResultsFromJson(const boost::json::value& document, std::string source);

}  // namespace flowbench::k6
