#include "bench/demo/demo_scenarios.hpp"

#include <random>
#include <stdexcept>

#include "bench/load/scenario_requests.hpp"
#include "common/domain/scenario_ids.hpp"

namespace flowbench::demo {
namespace {

struct Alias {
  std::string_view name;
  std::string_view scenario;
};
constexpr Alias kAliases[] = {
    {"register", scenario::kEmailOnRegistration},
    {"email", scenario::kEmailOnRegistration},
    {"payment", scenario::kBackgroundPayment},
    {"product", scenario::kProductFanOut},
    {"fanout", scenario::kProductFanOut},
    {"report", scenario::kReportJob},
    {"order", scenario::kOrderSaga},
    {"saga", scenario::kOrderSaga},
    {"click", scenario::kClickBuffering},
};

}  // namespace

const ScenarioSpec& ResolveDemoScenario(std::string_view name) {
  std::string id(name);
  if (id.size() == 1 && id[0] >= '1' && id[0] <= '6') id = "scenario" + id;
  for (const Alias& alias : kAliases) {
    if (alias.name == name) id = alias.scenario;
  }
  if (const ScenarioSpec* spec = FindScenario(id)) return *spec;
  throw std::invalid_argument("unknown scenario '" + std::string(name) + "'; choose one of " +
                              DemoScenarioChoices());
}

std::string DemoScenarioChoices() {
  std::string choices;
  for (const ScenarioSpec& spec : Scenarios()) {
    if (!choices.empty()) choices += ", ";
    choices += std::string(spec.id);
    for (const Alias& alias : kAliases) {
      if (alias.scenario == spec.id) choices += "|" + std::string(alias.name);
    }
  }
  return choices;
}

std::string_view WhatToWatch(const ScenarioSpec& scenario, Arch arch) {
  const bool sync = arch == Arch::kSync;
  const std::string_view id = scenario.id;
  if (id == scenario::kEmailOnRegistration) {
    return sync ? "The user service holds the request open while email waits for SMTP: the "
                  "answer comes only after the email was sent."
                : "The user service answers 202 once the broker confirmed user_registered; "
                  "email sends the welcome email afterwards.";
  }
  if (id == scenario::kBackgroundPayment) {
    return sync ? "One thread of the payment service is blocked for the whole gateway call."
                : "202 at once; a worker waits for the gateway (a timer), a recorder settles "
                  "the payment: GET /payments/{id} goes processing -> succeeded.";
  }
  if (id == scenario::kProductFanOut) {
    return sync ? "Product calls search, cache and analytics one after another: the answer "
                  "waits for the sum of their delays."
                : "One publish to the fan-out exchange; search, cache and analytics each get "
                  "their own copy and work in parallel.";
  }
  if (id == scenario::kReportJob) {
    return sync ? "The CPU work runs on the request's thread: the client waits for the hash."
                : "202 with a job id; the report worker hashes on the CPU pool, GET /jobs/{id} "
                  "goes queued -> running -> completed.";
  }
  if (id == scenario::kOrderSaga) {
    return sync ? "One request orchestrates the saga: reserve, authorise (declined), "
                  "compensate by releasing the stock, answer 400."
                : "202 with a pending order; inventory, payment and order exchange events, and "
                  "payment_failed fans out to two compensations.";
  }
  return sync ? "One INSERT per click, before the answer."
              : "The answer comes once the broker has the click; the consumer writes clicks "
                "in batches.";
}

DemoRequest MakeDemoRequest(const ScenarioSpec& scenario) {
  std::mt19937_64 rng{std::random_device{}()};
  // A random iteration: scenario 3 sets the stock from it, so that the update is visible.
  std::uint64_t iteration = std::uniform_int_distribution<std::uint64_t>(0, 899)(rng);
  load::HttpRequestSpec spec = load::ScenarioRequestFactory(scenario)(rng, iteration);
  return DemoRequest{spec.method, spec.target, spec.body};
}

}  // namespace flowbench::demo
