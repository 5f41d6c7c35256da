#include "bench/run/settings_scrape.hpp"

#include <map>

#include "common/http/json_client.hpp"

namespace flowbench::run {
namespace {

// GET base_url/settings; nullopt when the service does not answer 200 with a JSON object.
// (The summary lists it under not_reported: a service that predates /settings answers 404.)
std::optional<boost::json::object> FetchSettings(const std::string& base_url) {
  http::JsonResponse r = http::JsonClient(base_url).Get("/settings");
  if (r.status != 200 || r.Object() == nullptr) return std::nullopt;
  return *r.Object();
}

// The part of a document that two services of one build can share (not who they are).
boost::json::object Shared(boost::json::object document) {
  document.erase("service");
  document.erase("arch");
  return document;
}

}  // namespace

boost::json::object SummariseSettings(
    const std::vector<std::pair<std::string, std::optional<boost::json::object>>>& documents) {
  // The document most services report is the build's; the others are listed as exceptions.
  std::map<std::string, int> votes;
  std::map<std::string, boost::json::object> shared_of;
  for (const auto& [service, document] : documents) {
    if (!document) continue;
    boost::json::object shared = Shared(*document);
    std::string key = boost::json::serialize(shared);
    ++votes[key];
    shared_of.emplace(service, std::move(shared));
  }
  std::string majority;
  int most = 0;
  for (const auto& [service, document] : documents) {  // first reporter wins a tie
    if (!document) continue;
    std::string key = boost::json::serialize(shared_of.at(service));
    if (votes[key] > most) {
      most = votes[key];
      majority = key;
    }
  }

  boost::json::object summary;
  if (!majority.empty()) summary = boost::json::parse(majority).as_object();
  summary["reported_by"] = most;
  boost::json::object exceptions;
  boost::json::array not_reported;
  for (const auto& [service, document] : documents) {
    if (!document) {
      not_reported.emplace_back(service);
    } else if (boost::json::serialize(shared_of.at(service)) != majority) {
      exceptions[service] = shared_of.at(service);
    }
  }
  if (!exceptions.empty()) summary["exceptions"] = std::move(exceptions);
  if (!not_reported.empty()) summary["not_reported"] = std::move(not_reported);
  return summary;
}

boost::json::object FetchSettingsInForce(const ServiceUrls& services) {
  std::vector<std::pair<std::string, std::optional<boost::json::object>>> documents;
  for (const auto& [service, url] : services) documents.emplace_back(service, FetchSettings(url));
  return SummariseSettings(documents);
}

bool SameWorkload(const boost::json::object& in_force_per_arch) {
  const boost::json::value* first = nullptr;
  for (const auto& [arch, settings] : in_force_per_arch) {
    const boost::json::value* workload =
        settings.is_object() ? settings.as_object().if_contains("workload") : nullptr;
    if (workload == nullptr) return false;
    if (settings.as_object().if_contains("exceptions") != nullptr) {
      for (const auto& [service, own] : settings.at("exceptions").as_object()) {
        if (own.as_object().if_contains("workload") == nullptr || own.at("workload") != *workload) {
          return false;
        }
      }
    }
    if (first == nullptr)
      first = workload;
    else if (*workload != *first)
      return false;
  }
  return first != nullptr;
}

std::optional<std::string> ReportedQueueType(const boost::json::object& in_force_per_arch) {
  const boost::json::value* async = in_force_per_arch.if_contains("async");
  if (async == nullptr || !async->is_object()) return std::nullopt;
  const boost::json::value* transport = async->as_object().if_contains("transport");
  if (transport == nullptr || !transport->is_object()) return std::nullopt;
  const boost::json::value* type = transport->as_object().if_contains("queue_type");
  if (type == nullptr || !type->is_string()) return std::nullopt;
  return std::string(type->as_string());
}

}  // namespace flowbench::run
