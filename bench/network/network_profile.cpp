#include "bench/network/network_profile.hpp"

#include <stdexcept>

namespace flowbench::network {
namespace {

std::chrono::microseconds Micros(double ms) {
  return std::chrono::microseconds(static_cast<long long>(ms * 1000.0 + 0.5));
}

}  // namespace

std::chrono::microseconds NetworkProfile::Delay() const { return Micros(one_way_delay_ms); }
std::chrono::microseconds NetworkProfile::Jitter() const { return Micros(jitter_ms); }

std::vector<NetworkProfile> KnownProfiles() {
  return {{"loopback", 0, 0, 0},
          {"lan", 0.25, 0.05, 0},
          {"zone", 1, 0.2, 0},
          {"region", 20, 2, 0},
          {"lossy", 0.25, 0.05, 0.005}};
}

NetworkProfile ResolveProfile(std::string_view name, std::optional<double> delay_ms,
                              std::optional<double> jitter_ms, std::optional<double> loss) {
  std::optional<NetworkProfile> found;
  std::string names;
  for (const NetworkProfile& p : KnownProfiles()) {
    if (p.name == name) found = p;
    names += (names.empty() ? "" : ", ") + p.name;
  }
  if (!found) {
    throw std::invalid_argument("--network '" + std::string(name) + "' is not a profile (" + names +
                                ")");
  }
  NetworkProfile profile = *found;
  if (delay_ms) profile.one_way_delay_ms = *delay_ms;
  if (jitter_ms) profile.jitter_ms = *jitter_ms;
  if (loss) profile.loss = *loss;
  bool overridden = delay_ms || jitter_ms || loss;
  if (overridden && profile.name == "loopback") profile.name = "custom";
  if (profile.one_way_delay_ms < 0 || profile.one_way_delay_ms > 10000) {
    throw std::invalid_argument("--network-delay-ms must be within 0..10000");
  }
  if (profile.jitter_ms < 0 || profile.jitter_ms > 10000) {
    throw std::invalid_argument("--network-jitter-ms must be within 0..10000");
  }
  if (profile.loss < 0 || profile.loss >= 1) {
    throw std::invalid_argument("--network-loss must be a probability within [0, 1)");
  }
  return profile;
}

}  // namespace flowbench::network
