// The services and scenarios of CONTRACT.md §1 and §3 as data: the one list that the
// services, the driver, the reports and the k6 checks all read, so none of them can drift.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string_view>

namespace flowbench {

enum class Arch { kSync, kAsync };
std::string_view ArchName(Arch arch);  // "sync" / "async"
std::optional<Arch> ParseArch(std::string_view name);

struct ServiceSpec {
  std::string_view name;  // "user"
  int sync_port;
  int async_port;
  int Port(Arch arch) const { return arch == Arch::kSync ? sync_port : async_port; }
};

// How the study loads a scenario (CONTRACT.md §6): virtual users that send, wait for the
// answer and think (closed), or requests started at a rate whatever the answers (open).
enum class Loop { kClosed, kOpen };

struct ScenarioSpec {
  std::string_view id;       // "scenario1": metric label, k6 scenario name, report key
  std::string_view title;    // "Fire-and-forget email on registration"
  std::string_view service;  // the service whose route starts it
  std::string_view method;
  std::string_view path;  // "/products/{id}": {id} is a product id 1-3
  int sync_status;        // the success status of CONTRACT.md §3
  int async_status;
  int sync_failure_status;  // scenario 5 only: the compensated order answers 400; else 0
  Loop loop;
  // Closed loop (CONTRACT.md §6): a virtual user's pause after each answer; 0 for the
  // arrival-rate scenario 6, whose pace the load generator sets.
  std::chrono::milliseconds think_time;
  int Status(Arch arch) const { return arch == Arch::kSync ? sync_status : async_status; }
};

std::span<const ServiceSpec> Services();
std::span<const ScenarioSpec> Scenarios();
const ServiceSpec* FindService(std::string_view name);
const ScenarioSpec* FindScenario(std::string_view id);

}  // namespace flowbench
