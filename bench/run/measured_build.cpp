#include "bench/run/measured_build.hpp"

#include <stdexcept>

#include "common/http/json_client.hpp"

namespace flowbench::run {

std::string ServiceEndpoint::Url() const { return http::BaseUrl(host, port); }

std::string GatewayEndpoint::Url() const { return http::BaseUrl(host, port); }

const ServiceEndpoint& MeasuredBuild::Service(std::string_view name) const {
  for (const ServiceEndpoint& s : services) {
    if (s.name == name) return s;
  }
  throw std::invalid_argument("no service '" + std::string(name) + "' in this system");
}

MeasuredBuild FromRunningSystem(const RunningSystem& running) {
  MeasuredBuild system;
  system.arch = running.arch;
  for (const RunningService& s : running.services) {
    system.services.push_back({s.name, "127.0.0.1", s.port, s.pid});
  }
  return system;
}

}  // namespace flowbench::run
