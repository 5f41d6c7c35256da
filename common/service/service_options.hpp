// What every service process of either build is told on its command line: who it is, where
// it listens, where its peers and servers are, and the shared workload. Bound to flags and
// FLOWBENCH_* environment variables the same way in every executable.
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/db/database.hpp"
#include "common/domain/catalogue.hpp"
#include "common/domain/workload_settings.hpp"
#include "common/infra/infra.hpp"

namespace CLI {
class App;
}

namespace flowbench {

struct ServiceOptions {
  Arch arch = Arch::kSync;
  std::string service;             // "user", ... (fixed by the executable)
  std::string host = "127.0.0.1";  // --host: bind address (0.0.0.0 in a container)
  // --port-base: ports are base + 1 .. base + 10 in contract order; 0 means the contract's
  // (8000 sync, 8100 async). Tests move a whole build to free ports with one number.
  int port_base = 0;
  // --peer NAME=URL (repeatable): where another service is, when not on this host at the
  // port-base port (Docker Compose: --peer payment=http://payment:8002).
  std::vector<std::string> peers;
  infra::InfraOptions infra;  // --state-dir, --pg-url, --amqp-url
  DatabaseSettings database;  // pool size and timeouts; schema = the arch name
  WorkloadSettings workload;
  // --fault-injection: adds PUT /fault/slow, through which `flowbench run --fault slow:...`
  // slows this process's simulated work (CONTRACT §5.2). Off unless asked for: a deployment
  // must not offer a stranger a way to slow it down.
  bool fault_injection = false;
  // --completion-journal DIR: the completion records (CONTRACT §5.1) are also appended to
  // DIR/<arch>-<service>.completions, and a restarted process continues them: a killed
  // service does not take its unread records with it. `flowbench run` passes its run
  // directory; empty: in memory only.
  std::string completion_journal_dir;
  std::filesystem::path CompletionJournal() const;  // empty when not journaled
  // --otlp-endpoint URL: the spans of sampled traces go out over OTLP/HTTP (JSON) to
  // URL/v1/traces (Jaeger: http://jaeger:4318). Empty (the default): no export.
  std::string otlp_endpoint;

  int port() const { return PortOf(service); }
  int PortOf(std::string_view service_name) const;
  std::string PeerUrl(std::string_view service_name) const;  // "http://host:port"
};

int DefaultPortBase(Arch arch);  // 8000 / 8100

// Adds every option above to `app` (the arch and service name are set by main).
void BindServiceOptions(CLI::App& app, ServiceOptions& options);

// What a service reports at GET /settings (with its runtime's transport settings added): the
// workload and database settings it really runs with, defaults included, so a report can
// show that both builds did the same work rather than assume it.
boost::json::object SettingsInForce(const ServiceOptions& options, boost::json::object transport);

// After parsing: fills database.url and schema from the flags or the infra state file, and
// checks the peers. Throws with a message that names the flag to fix.
void ResolveServiceOptions(ServiceOptions& options);

}  // namespace flowbench
