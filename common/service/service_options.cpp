#include "common/service/service_options.hpp"

#include <CLI/CLI.hpp>
#include <stdexcept>

namespace flowbench {

int DefaultPortBase(Arch arch) { return arch == Arch::kSync ? 8000 : 8100; }

int ServiceOptions::PortOf(std::string_view name) const {
  const ServiceSpec* spec = FindService(name);
  if (spec == nullptr) throw std::invalid_argument("unknown service '" + std::string(name) + "'");
  int contract_base = DefaultPortBase(arch);
  int base = port_base == 0 ? contract_base : port_base;
  return base + (spec->Port(arch) - contract_base);
}

std::string ServiceOptions::PeerUrl(std::string_view name) const {
  for (const std::string& peer : peers) {
    std::size_t eq = peer.find('=');
    if (eq != std::string::npos && std::string_view(peer).substr(0, eq) == name) {
      return peer.substr(eq + 1);
    }
  }
  return "http://127.0.0.1:" + std::to_string(PortOf(name));
}

void BindServiceOptions(CLI::App& app, ServiceOptions& o) {
  const char* group = "Service";
  app.add_option("--host", o.host, "address to listen on")
      ->envname("FLOWBENCH_HOST")
      ->capture_default_str()
      ->group(group);
  app.add_option("--port-base", o.port_base,
                 "ports are BASE+1..BASE+10 in contract order (0: 8000 sync, 8100 async)")
      ->envname("FLOWBENCH_PORT_BASE")
      ->check(CLI::Range(0, 65000))
      ->capture_default_str()
      ->group(group);
  app.add_option("--peer", o.peers, "NAME=URL of another service (repeatable)")
      ->envname("FLOWBENCH_PEERS")
      ->delimiter(',')
      ->group(group);
  app.add_flag("--fault-injection", o.fault_injection,
               "offer PUT /fault/slow (flowbench run --fault slow:...); off in a deployment")
      ->envname("FLOWBENCH_FAULT_INJECTION")
      ->group(group);
  app.add_option("--completion-journal", o.completion_journal_dir,
                 "also append the completion records to DIR/<arch>-<service>.completions, "
                 "continued by a restarted process")
      ->envname("FLOWBENCH_COMPLETION_JOURNAL")
      ->group(group);
  app.add_option("--otlp-endpoint", o.otlp_endpoint,
                 "send the spans of sampled traces over OTLP/HTTP to URL/v1/traces "
                 "(Jaeger: http://jaeger:4318); off when empty")
      ->envname("FLOWBENCH_OTLP_ENDPOINT")
      ->group(group);
  infra::BindInfraOptions(app, o.infra);
  BindDatabaseSettings(app, o.database);
  BindWorkloadSettings(app, o.workload);
}

std::filesystem::path ServiceOptions::CompletionJournal() const {
  if (completion_journal_dir.empty()) return {};
  return std::filesystem::path(completion_journal_dir) /
         (std::string(ArchName(arch)) + "-" + service + ".completions");
}

void ResolveServiceOptions(ServiceOptions& o) {
  if (FindService(o.service) == nullptr) {
    throw std::invalid_argument("unknown service '" + o.service + "'");
  }
  for (const std::string& peer : o.peers) {
    std::size_t eq = peer.find('=');
    if (eq == std::string::npos || FindService(peer.substr(0, eq)) == nullptr ||
        peer.find("://") == std::string::npos) {
      throw std::invalid_argument("--peer '" + peer +
                                  "' is not NAME=URL with a known service name, such as "
                                  "payment=http://payment:8002");
    }
  }
  o.database.url = infra::ResolvePgUrl(o.infra);
  o.database.schema = std::string(ArchName(o.arch));
}

boost::json::object SettingsInForce(const ServiceOptions& options, boost::json::object transport) {
  return {{"service", options.service},
          {"arch", ArchName(options.arch)},
          {"workload", ToJson(options.workload)},
          {"database", ToJson(options.database)},
          {"transport", std::move(transport)}};
}

}  // namespace flowbench
