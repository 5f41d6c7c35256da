// The ten services of one build that a run drives and observes: started by flowbench on this
// machine (processes it can read in /proc), or a deployment given with `--target` (reached
// only through its HTTP endpoints: routes, /health, /metrics).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/domain/catalogue.hpp"
#include "common/service/launcher.hpp"

namespace flowbench::run {

struct ServiceEndpoint {
  std::string name;  // "user", ...
  std::string host;  // what the load engine connects to
  int port = 0;
  pid_t pid = 0;            // > 0: a process flowbench started; 0: not ours to look into
  std::string Url() const;  // http://host:port (an IPv6 host in brackets)
};

// `run --gateway`: the build's API gateway, which every scenario request goes through.
struct GatewayEndpoint {
  std::string host;
  int port = 0;
  std::string authorization;  // "Bearer <jwt>": every request carries it
  std::string Url() const;
};

struct MeasuredBuild {
  Arch arch = Arch::kSync;
  std::vector<ServiceEndpoint> services;  // in contract order
  bool started_by_flowbench = true;
  std::optional<GatewayEndpoint> gateway;  // scenario requests go through it (not the scrapes)

  const ServiceEndpoint& Service(std::string_view name) const;
};

MeasuredBuild FromRunningSystem(const RunningSystem& running);

}  // namespace flowbench::run
