#include "bench/run/target.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <future>
#include <optional>

#include "bench/run/rabbitmq_management.hpp"
#include "common/http/json_client.hpp"

namespace flowbench::run {
namespace {

constexpr const char* kShape =
    "expected HOST (both builds at the contract's ports) or sync=URL / async=URL with URL "
    "http://HOST[:PORT], PORT the user service's (the other nine follow it), e.g. "
    "--target sync=http://10.0.0.5:8001,async=http://10.0.0.5:8101";

[[noreturn]] void Bad(const std::string& value, const std::string& why) {
  throw std::invalid_argument("--target '" + value + "': " + why + "; " + kShape);
}

int ContractFirstPort(Arch arch) { return arch == Arch::kSync ? 8001 : 8101; }

// "http://HOST[:PORT][/]", "HOST[:PORT]", "[IPv6][:PORT]": the host, and the port if given.
std::pair<std::string, int> HostAndPort(const std::string& value, std::string url,
                                        int default_port) {
  if (std::size_t scheme = url.find("://"); scheme != std::string::npos) {
    if (url.substr(0, scheme) != "http")
      Bad(value, "only http:// (the load engine speaks plain HTTP)");
    url = url.substr(scheme + 3);
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.find('/') != std::string::npos) Bad(value, "no path: the routes are the contract's");
  std::string host = url, port_text;
  if (!url.empty() && url.front() == '[') {
    std::size_t close = url.find(']');
    if (close == std::string::npos) Bad(value, "an IPv6 address without its ']'");
    host = url.substr(1, close - 1);
    if (close + 1 < url.size()) {
      if (url[close + 1] != ':') Bad(value, "unexpected text after the IPv6 address");
      port_text = url.substr(close + 2);
    }
  } else if (std::size_t colon = url.rfind(':'); colon != std::string::npos) {
    host = url.substr(0, colon);
    port_text = url.substr(colon + 1);
  }
  if (host.empty()) Bad(value, "no host");
  int port = default_port;
  if (!port_text.empty()) {
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size())
      Bad(value, "a port is a number");
  }
  if (port < 1 || port + 9 > 65535)
    Bad(value, "the port must leave room for ten services (1 .. 65526)");
  return {host, port};
}

// "" when the service answers /health as itself, else a line saying what is wrong.
std::string HealthProblem(const ServiceEndpoint& s, Arch build) {
  std::string arch(ArchName(build));
  std::string where = "  " + arch + "-" + s.name + " at " + s.Url() + "/health: ";
  http::JsonResponse r = http::JsonClient(s.Url()).Get("/health");
  if (r.status == 0) return where + "no answer (" + r.error + ")\n";
  if (r.status != 200) {
    return where + "status " + std::to_string(r.status) + " " + r.body.substr(0, 200) + "\n";
  }
  // Every service says who it is: a port of the other build, or of another service, is
  // caught here rather than as a run full of errors.
  const boost::json::object* o = r.Object();
  const boost::json::value* said_service = o ? o->if_contains("service") : nullptr;
  const boost::json::value* said_arch = o ? o->if_contains("arch") : nullptr;
  if (said_service && said_arch && said_service->is_string() && said_arch->is_string() &&
      (said_service->get_string() != s.name || said_arch->get_string() != arch)) {
    return where + "answers as " + std::string(said_arch->get_string()) + "-" +
           std::string(said_service->get_string()) + ", not " + arch + "-" + s.name +
           " (a wrong port?)\n";
  }
  return "";
}

}  // namespace

std::vector<TargetBuild> ParseTargets(const std::vector<std::string>& values,
                                      const std::vector<Arch>& archs) {
  std::vector<TargetBuild> targets;
  bool host_form = false, arch_form = false;
  for (const std::string& value : values) {
    std::size_t eq = value.find('=');
    if (eq == std::string::npos) {
      if (host_form || arch_form) Bad(value, "a bare HOST is the only --target then");
      host_form = true;
      for (Arch arch : archs) {
        auto [host, port] = HostAndPort(value, value, ContractFirstPort(arch));
        if (port != ContractFirstPort(arch)) {
          Bad(value,
              "with a bare HOST the ports are the contract's; give sync=URL / async=URL for "
              "others");
        }
        targets.push_back({arch, host, port});
      }
      continue;
    }
    if (host_form) Bad(value, "a bare HOST is the only --target then");
    arch_form = true;
    std::optional<Arch> arch = ParseArch(value.substr(0, eq));
    if (!arch) Bad(value, "'" + value.substr(0, eq) + "' is not a build (sync, async)");
    for (const TargetBuild& t : targets) {
      if (t.arch == *arch)
        Bad(value, "the " + std::string(ArchName(*arch)) + " build is given twice");
    }
    auto [host, port] = HostAndPort(value, value.substr(eq + 1), ContractFirstPort(*arch));
    targets.push_back({*arch, host, port});
  }
  if (targets.empty())
    throw std::invalid_argument(std::string("--target: nothing to run; ") + kShape);
  // The contract's order, sync first, as a run without --target.
  std::stable_sort(targets.begin(), targets.end(),
                   [](const TargetBuild& a, const TargetBuild& b) { return a.arch < b.arch; });
  return targets;
}

MeasuredBuild TargetSystem(const TargetBuild& target) {
  MeasuredBuild system;
  system.arch = target.arch;
  system.started_by_flowbench = false;
  int port = target.first_port;
  for (const ServiceSpec& spec : Services()) {
    system.services.push_back({std::string(spec.name), target.host, port++, 0});
  }
  return system;
}

std::string RequireTargetReady(const std::vector<MeasuredBuild>& systems,
                               const RabbitManagement* management) {
  // All at once: an unreachable host costs one connect timeout, not twenty.
  std::vector<std::future<std::string>> checks;
  for (const MeasuredBuild& system : systems) {
    for (const ServiceEndpoint& s : system.services) {
      checks.push_back(std::async(std::launch::async, HealthProblem, s, system.arch));
    }
  }
  std::string problems;
  for (std::future<std::string>& check : checks) problems += check.get();
  std::string version = "not known (no --rabbitmq-management-url)";
  if (management != nullptr) {
    try {
      version = management->Version();
    } catch (const std::runtime_error& e) {
      problems += std::string("  ") + e.what() + "\n";
    }
  }
  if (!problems.empty()) {
    throw TargetNotReady("the --target deployment is not ready; nothing was run:\n" + problems);
  }
  return version;
}

}  // namespace flowbench::run
