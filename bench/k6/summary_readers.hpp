// k6's end-of-test summaries, both whole JSON documents:
//  - `k6 run --summary-export FILE`: metrics[name] = {"avg", "med", "p(95)", ...,
//    "thresholds": {expr: failed}} (true means the threshold FAILED), root_group.checks a map;
//  - handleSummary(data): metrics[name] = {"type", "contains", "values": {...},
//    "thresholds": {expr: {"ok": bool}}}, root_group.checks an array.
// Fields that older k6 versions lack (type, contains, thresholds, checks, state) are optional.
// Their percentiles are k6's own (interpolated between ranks), read as written
// (bench/stats/PERCENTILES.md).
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "bench/compare/run_summary.hpp"

namespace flowbench::k6 {

compare::RunSummary SummaryExportFromJson(const boost::json::value& document, std::string source);
compare::RunSummary HandleSummaryFromJson(const boost::json::value& document, std::string source);

// True when the document looks like handleSummary's data (metrics carry "values" objects).
bool LooksLikeHandleSummary(const boost::json::value& document);
// True when the document looks like a summary-export (metrics with flat stats).
bool LooksLikeSummaryExport(const boost::json::value& document);

}  // namespace flowbench::k6
