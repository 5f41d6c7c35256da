// `flowbench run --target`: drive a deployment flowbench did not start (Docker Compose,
// another machine). Nothing there is reset, started or stopped. Before any load every
// service must answer /health as the right service of the right build; then each is measured
// through its HTTP endpoints only: its routes, and its /metrics for completion latency and
// for CPU and memory (the process metrics every service exports).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "bench/run/measured_build.hpp"
#include "common/domain/catalogue.hpp"

namespace flowbench::run {

class RabbitManagement;

// One build of the deployment: its ten services on `host`, on consecutive ports in contract
// order from `first_port` (the user service's), as the contract lays them out (8001-8010,
// 8101-8110) and as `flowbench up --port-base` and the Compose files publish them.
struct TargetBuild {
  Arch arch = Arch::kSync;
  std::string host;
  int first_port = 0;
};

// The `--target` values, one of two forms:
//   HOST                   every build in `archs` on HOST at the contract's ports
//   sync=URL, async=URL    URL is http://HOST[:PORT], PORT the user service's (default 8001,
//                          8101); the builds named are the ones run
// Throws std::invalid_argument saying what is wrong and what it should look like.
std::vector<TargetBuild> ParseTargets(const std::vector<std::string>& values,
                                      const std::vector<Arch>& archs);

MeasuredBuild TargetSystem(const TargetBuild& target);

// Thrown before any load when the deployment is not ready; lists every problem with its URL.
class TargetNotReady : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// GET /health on every service of every build (200, and the service and build it names
// itself must be the expected ones: a wrong port shows here, not as a run of errors), and
// the management API's version when one is given. Returns the RabbitMQ version it reported.
std::string RequireTargetReady(const std::vector<MeasuredBuild>& systems,
                               const RabbitManagement* management);

}  // namespace flowbench::run
