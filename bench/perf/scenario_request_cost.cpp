// What the load engine spends per request of a scenario outside the network: its request
// factory (the body built) and its check (the answer read), --requests times, for callgrind:
//
//   valgrind --tool=callgrind scenario_request_cost --scenario scenario6 --requests 20000
//   valgrind --tool=callgrind scenario_request_cost --scenario scenario6 --requests 40000
//
// (the difference over 20000 is per request). The answer checked is a canned accepted one.
#include <CLI/CLI.hpp>
#include <iostream>
#include <random>
#include <string>

#include "bench/load/scenario_requests.hpp"

int main(int argc, char** argv) {
  using namespace flowbench;
  std::string id = "scenario6";
  std::string arch_name = "sync";
  int requests = 10'000;
  CLI::App app{"Request factory and check of one scenario, alone"};
  app.add_option("--scenario", id)->capture_default_str();
  app.add_option("--arch", arch_name)->check(CLI::IsMember({"sync", "async"}));
  app.add_option("--requests", requests)->check(CLI::Range(1, 10'000'000));
  CLI11_PARSE(app, argc, argv);
  const ScenarioSpec* spec = FindScenario(id);
  if (spec == nullptr) {
    std::cerr << "no scenario " << id << "\n";
    return 1;
  }
  const Arch arch = arch_name == "sync" ? Arch::kSync : Arch::kAsync;
  load::RequestFactory make = load::ScenarioRequestFactory(*spec);
  load::ResponseCheck check = load::ScenarioCheck(*spec, arch);
  const std::string body = R"({"status":"tracked"})";
  std::mt19937_64 rng(1);
  std::size_t bytes = 0, errors = 0;
  for (int i = 0; i < requests; ++i) {
    load::HttpRequestSpec request = make(rng, static_cast<std::uint64_t>(i));
    bytes += request.body.size();
    errors += check(load::HttpAnswer{spec->Status(arch), body}).has_value();
  }
  std::cout << bytes << " body bytes, " << errors << " failed checks\n";
  return 0;
}
