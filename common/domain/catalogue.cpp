#include "common/domain/catalogue.hpp"

#include <algorithm>

#include "common/domain/scenario_ids.hpp"

namespace flowbench {
namespace {

constexpr ServiceSpec kServices[] = {
    {"user", 8001, 8101},      {"payment", 8002, 8102}, {"product", 8003, 8103},
    {"report", 8004, 8104},    {"order", 8005, 8105},   {"analytics", 8006, 8106},
    {"email", 8007, 8107},     {"search", 8008, 8108},  {"cache", 8009, 8109},
    {"inventory", 8010, 8110},
};

constexpr std::chrono::milliseconds kOneSecond{1000};

constexpr ScenarioSpec kScenarios[] = {
    {scenario::kEmailOnRegistration, "Fire-and-forget email on registration", "user", "POST",
     "/register", 201, 202, 0, Loop::kClosed, kOneSecond},
    {scenario::kBackgroundPayment, "Background payment", "payment", "POST", "/process_payment", 200,
     202, 0, Loop::kClosed, kOneSecond},
    {scenario::kProductFanOut, "Fan-out of product updates", "product", "PUT", "/products/{id}",
     200, 200, 0, Loop::kClosed, kOneSecond},
    {scenario::kReportJob, "CPU report job", "report", "POST", "/generate_report", 200, 202, 0,
     Loop::kClosed, 2 * kOneSecond},
    {scenario::kOrderSaga, "Order saga with compensation", "order", "POST", "/create_order", 201,
     202, 400, Loop::kClosed, kOneSecond},
    {scenario::kClickBuffering, "Click buffering", "analytics", "POST", "/track_click", 200, 200, 0,
     Loop::kOpen, std::chrono::milliseconds(0)},
};

}  // namespace

std::string_view ArchName(Arch arch) { return arch == Arch::kSync ? "sync" : "async"; }

std::optional<Arch> ParseArch(std::string_view name) {
  if (name == "sync") return Arch::kSync;
  if (name == "async") return Arch::kAsync;
  return std::nullopt;
}

std::span<const ServiceSpec> Services() { return kServices; }
std::span<const ScenarioSpec> Scenarios() { return kScenarios; }

const ServiceSpec* FindService(std::string_view name) {
  auto it = std::find_if(std::begin(kServices), std::end(kServices),
                         [&](const ServiceSpec& s) { return s.name == name; });
  return it == std::end(kServices) ? nullptr : &*it;
}

const ScenarioSpec* FindScenario(std::string_view id) {
  auto it = std::find_if(std::begin(kScenarios), std::end(kScenarios),
                         [&](const ScenarioSpec& s) { return s.id == id; });
  return it == std::end(kScenarios) ? nullptr : &*it;
}

}  // namespace flowbench
