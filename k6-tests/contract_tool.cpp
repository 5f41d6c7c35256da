// The C++ side of the k6 contract test: prints the scenario catalogue the services use as
// JSON, and parses request bodies with the services' own parsers, so the k6 script's table
// (k6-tests/lib/contract.js) is checked against the code, not against a copy of it.
//
//   contract_tool catalogue      -> {"services": [...], "scenarios": [...], "profiles": [...]}
//   contract_tool parse < NDJSON -> one line per input line {"scenario", "path", "body"}:
//                                   {"ok": true} or {"ok": false, "status": 422, "error": "..."}
#include <boost/json.hpp>
#include <chrono>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "common/domain/catalogue.hpp"
#include "common/domain/errors.hpp"
#include "common/domain/profiles.hpp"
#include "common/domain/requests.hpp"
#include "common/domain/scenario_ids.hpp"

namespace {

using flowbench::ClientError;

boost::json::object Catalogue() {
  boost::json::array services;
  for (const flowbench::ServiceSpec& s : flowbench::Services()) {
    services.push_back(
        {{"name", s.name}, {"sync_port", s.sync_port}, {"async_port", s.async_port}});
  }
  boost::json::array scenarios;
  for (const flowbench::ScenarioSpec& s : flowbench::Scenarios()) {
    scenarios.push_back({{"id", s.id},
                         {"title", s.title},
                         {"service", s.service},
                         {"method", s.method},
                         {"path", s.path},
                         {"sync_status", s.sync_status},
                         {"async_status", s.async_status},
                         {"sync_failure_status", s.sync_failure_status},
                         {"think_time_s", std::chrono::duration<double>(s.think_time).count()}});
  }
  boost::json::array profiles;
  for (const flowbench::Profile& p : flowbench::Profiles()) {
    profiles.push_back({{"name", p.name},
                        {"vus", boost::json::array(p.vus.begin(), p.vus.end())},
                        {"rate", p.click_rate},
                        {"duration_s", p.duration.count()}});
  }
  return {{"services", std::move(services)},
          {"scenarios", std::move(scenarios)},
          {"profiles", std::move(profiles)}};
}

// Parses `body` as the request of `scenario`; a path with an id ("/products/2") must carry a
// valid one. Throws ClientError exactly as a service front would answer.
void ParseRequest(std::string_view scenario, std::string_view path, std::string_view body) {
  const flowbench::ScenarioSpec* spec = flowbench::FindScenario(scenario);
  if (spec == nullptr)
    throw std::invalid_argument("unknown scenario '" + std::string(scenario) + "'");
  std::string_view pattern = spec->path;
  std::size_t hole = pattern.find("{id}");
  if (hole == std::string_view::npos) {
    if (path != pattern)
      throw flowbench::NotFound("path '" + std::string(path) + "' is not " + std::string(pattern));
  } else if (path.substr(0, hole) != pattern.substr(0, hole) ||
             !flowbench::ParseId(path.substr(hole))) {
    throw flowbench::NotFound("path '" + std::string(path) + "' does not match " +
                              std::string(pattern));
  }
  namespace id = flowbench::scenario;
  if (scenario == id::kEmailOnRegistration) flowbench::ParseRegistration(body);
  if (scenario == id::kBackgroundPayment) flowbench::ParsePaymentRequest(body);
  if (scenario == id::kProductFanOut) flowbench::ParseProductUpdate(body);
  if (scenario == id::kReportJob) flowbench::ParseReportRequest(body);
  if (scenario == id::kOrderSaga) flowbench::ParseOrderRequest(body);
  if (scenario == id::kClickBuffering) flowbench::ParseClickRequest(body);
}

int ParseLines() {
  std::string line;
  while (std::getline(std::cin, line)) {
    boost::json::object answer;
    try {
      boost::json::object input = boost::json::parse(line).as_object();
      ParseRequest(input.at("scenario").as_string(), input.at("path").as_string(),
                   input.at("body").as_string());
      answer = {{"ok", true}};
    } catch (const ClientError& e) {
      answer = {{"ok", false}, {"status", e.status()}, {"error", e.detail()}};
    } catch (const std::exception& e) {
      answer = {{"ok", false}, {"status", 0}, {"error", e.what()}};
    }
    std::cout << boost::json::serialize(answer) << '\n';
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string_view command = argc == 2 ? argv[1] : "";
  if (command == "catalogue") {
    std::cout << boost::json::serialize(Catalogue()) << '\n';
    return 0;
  }
  if (command == "parse") return ParseLines();
  std::cerr << "usage: contract_tool catalogue | contract_tool parse < requests.ndjson\n";
  return 2;
}
