// Starts the ten services of one build as separate processes, waits until every /health
// answers 200, and stops them by PID. `flowbench up|down|status` and the builds'
// integration tests both use it, so tests run the system exactly as a user does.
#pragma once

#include <sys/types.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/domain/catalogue.hpp"

namespace flowbench {

struct SystemOptions {
  Arch arch = Arch::kSync;
  std::filesystem::path bin_dir;  // holds sync-user, async-user, ...
  std::filesystem::path run_dir;  // one log file per service: <arch>-<service>.log
  int port_base = 0;              // 0: the contract's ports
  std::string pg_url;
  std::string amqp_url;
  std::vector<std::string> extra_args;  // forwarded to every service (workload flags, ...)
  std::chrono::seconds ready_timeout{60};
};

struct RunningService {
  std::string name;
  pid_t pid = 0;
  int port = 0;
  std::filesystem::path log;
  std::vector<std::string> argv;  // how it was started, so that it can be started again
};

struct RunningSystem {
  Arch arch = Arch::kSync;
  int port_base = 0;
  std::filesystem::path run_dir;
  std::vector<RunningService> services;

  const RunningService& Service(std::string_view name) const;
  std::string Url(std::string_view name) const;  // http://127.0.0.1:PORT
};

// Spawns all ten (each with a fresh log; one left from an earlier start is kept as
// <log>.previous), waits for each /health. If one exits or stays unhealthy past the timeout,
// all are stopped and the error quotes that service's log.
RunningSystem StartSystem(const SystemOptions& options);

// SIGTERM to every service (each drains and exits), SIGKILL after `grace`.
void StopSystem(const RunningSystem& system,
                std::chrono::milliseconds grace = std::chrono::seconds(15));

// One service alone, e.g. to show what its callers do while it is away (`flowbench demo
// outage`): stops it like StopSystem; starts it again with its own argv (appending to its
// log), updates its pid and waits for its /health. A system loaded from the state directory must
// be saved again afterwards, or `flowbench down` would look for the old pid.
void StopService(const RunningService& service,
                 std::chrono::milliseconds grace = std::chrono::seconds(15));
void RestartService(RunningService& service,
                    std::chrono::milliseconds ready_timeout = std::chrono::seconds(60));

struct ServiceHealth {
  std::string name;
  bool alive = false;    // the process runs
  bool healthy = false;  // GET /health answered 200
  std::string detail;
};
std::vector<ServiceHealth> CheckSystem(const RunningSystem& system);

// <state dir>/system-<arch>.json: what `flowbench down` and `status` read.
void SaveSystem(const std::filesystem::path& state_dir, const RunningSystem& system);
std::optional<RunningSystem> LoadSystem(const std::filesystem::path& state_dir, Arch arch);
void ForgetSystem(const std::filesystem::path& state_dir, Arch arch);

// The directory of the running executable (where `flowbench` finds the service binaries).
std::filesystem::path ExecutableDir();

}  // namespace flowbench
