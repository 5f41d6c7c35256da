// The JSON of the parts of results.json that other files hold too (sweep.json's steps carry
// the same latency summaries, outcomes, generator audits and intervals): written as
// results.json writes them, read as strictly, with messages that name the wrong field.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/report/results.hpp"
#include "common/domain/json_fields.hpp"

namespace flowbench::report {

boost::json::object ToJson(const LatencySummary& s);
LatencySummary SummaryFrom(const boost::json::object& o);
boost::json::object ToJson(const Outcomes& x);
Outcomes OutcomesFrom(const boost::json::object& o);
boost::json::object ToJson(const GeneratorAudit& g);
GeneratorAudit GeneratorAuditFrom(const boost::json::object& o);
boost::json::object ToJson(const Interval& i);
boost::json::value ToJson(const std::optional<Interval>& i);  // null when nullopt
Interval IntervalFrom(const boost::json::object& o);
boost::json::value ToJson(const std::optional<double>& x);  // null when nullopt

// Strict reading of what JsonFields does not cover: arrays, their elements, optional objects
// and numbers (absent or null: nullptr / nullopt), counts.
const boost::json::array& Array(const boost::json::object& o, std::string_view key);
const boost::json::object& Element(const boost::json::value& v, std::string_view array);
std::vector<std::string> Strings(const boost::json::object& o, std::string_view key);
const boost::json::object* OptionalObject(const boost::json::object& o, std::string_view key);
std::optional<double> OptionalNumber(const boost::json::object& o, std::string_view key);
std::optional<Interval> OptionalInterval(const boost::json::object& o, std::string_view key);
std::uint64_t Count(const JsonFields& f, std::string_view key);  // a whole number >= 0

}  // namespace flowbench::report
