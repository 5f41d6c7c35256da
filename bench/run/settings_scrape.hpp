// The settings in force, as the services themselves report them at GET /settings (defaults
// included), rather than what the driver passed on their command lines. Gathered per build,
// they let a report show that both builds did the same work and which transport settings
// (pools, prefetch, confirm mode, ...) shaped each build's figures.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace flowbench::run {

// (service name, base URL) of one build's services.
using ServiceUrls = std::vector<std::pair<std::string, std::string>>;

// One build's settings: {"workload", "database", "transport"} as most of its services
// report them, "reported_by" (how many did), "exceptions" (service -> its own document,
// for services whose settings differ) and "not_reported" (services that did not answer:
// their settings are unknown, not assumed).
boost::json::object FetchSettingsInForce(const ServiceUrls& services);

// The same from documents already fetched (nullopt: no answer); what the unit test checks.
boost::json::object SummariseSettings(
    const std::vector<std::pair<std::string, std::optional<boost::json::object>>>& documents);

// Whether every build reported one and the same workload (the same work, the same delays).
// False when a build reported none.
bool SameWorkload(const boost::json::object& in_force_per_arch);

// The queue type the async build's services reported in force (`transport.queue_type`), from
// FetchSettingsInForce's documents per build; nullopt when no async build reported one.
std::optional<std::string> ReportedQueueType(const boost::json::object& in_force_per_arch);

}  // namespace flowbench::run
