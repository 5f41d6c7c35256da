// flowbench's own results.json (schema flowbench.results/v2 or v1, bench/report/SCHEMA.md) as
// an input of `flowbench compare`. One file holds several runs (arch x profile x repeat), so its
// figures become k6-style sub-metrics tagged with the run they belong to, e.g.
//   http_req_duration{arch:async,profile:baseline}                   all scenarios
//   http_req_duration{arch:async,profile:baseline,scenario:scenario6}
//   flowbench_completion{arch:async,profile:baseline,scenario:scenario1}
// (also http_reqs, http_req_failed, dropped_iterations), and two files line up row by row.
// Repeats of one arch x profile are averaged, stat by stat, as report.md does.
//
// A selector picks one build's runs, `results.json#async` (or `#async/baseline` when the file
// holds several profiles): its figures then carry k6's own names, untagged by run
// (http_req_duration, http_req_duration{scenario:scenario6}, ...), so they line up with a k6
// run of the same build and `--threshold 'scenario6:p95<50ms'` applies as it does to k6.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "bench/compare/run_summary.hpp"

namespace flowbench::k6 {

inline constexpr const char* kFlowbenchResultsFormat = "flowbench results.json";

// True when the document says it is flowbench results (any version: an unknown one is then
// reported as such, not as an unknown format).
bool LooksLikeFlowbenchResults(const boost::json::value& document);
// Throws K6FormatError naming `source` for an unknown schema version or a malformed file.
// `selector`: "" (every run, tagged) or "arch" / "arch/profile"; a selector that matches no
// run, or several profiles, is a K6FormatError that lists what the file holds.
compare::RunSummary FlowbenchResultsFromJson(const boost::json::value& document, std::string source,
                                             const std::string& selector = "");

}  // namespace flowbench::k6
