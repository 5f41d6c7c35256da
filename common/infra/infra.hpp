// `flowbench infra up|down|status`: the embedded PostgreSQL and RabbitMQ that make flowbench
// work with no set-up, recorded in a state file (<state dir>/infra.json) that every other
// command reads. With --pg-url / --amqp-url an external server is used instead, and never
// started or stopped by us. The same functions are the fixture of the integration tests.
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/infra/embedded_postgres.hpp"
#include "common/infra/embedded_rabbitmq.hpp"

namespace CLI {
class App;
}

namespace flowbench::infra {

struct InfraOptions {
  std::filesystem::path state_dir = ".flowbench";  // --state-dir / FLOWBENCH_STATE_DIR
  std::string pg_url;          // --pg-url / FLOWBENCH_PG_URL: an external PostgreSQL
  std::string amqp_url;        // --amqp-url / FLOWBENCH_AMQP_URL: an external RabbitMQ
  std::string management_url;  // --rabbitmq-management-url: its HTTP API, when known
  // --rabbitmq-nodes / FLOWBENCH_RABBITMQ_NODES: the embedded RabbitMQ as a cluster of this
  // many nodes (1: a single node). 0, not given: what already runs is reused, else 1.
  int rabbitmq_nodes = 0;
  // Set by `--network` (not a flag of its own): a cluster started here gets links between its
  // nodes (StartRabbitCluster); empty, or a broker reused as it runs: none.
  RabbitNodeLinks rabbitmq_node_links;
};

void BindInfraOptions(CLI::App& app, InfraOptions& options);

struct InfraState {
  std::optional<PostgresInstance> postgres;    // set when we started it
  std::optional<RabbitInstance> rabbitmq;      // a cluster's node 1 (owns the epmd)
  std::vector<RabbitInstance> rabbitmq_peers;  // a cluster's nodes 2..N; empty for one node
  std::string pg_url;                          // what to connect to, ours or external
  // Ours on a cluster: every node's URL, comma-separated, node 1 first (AmqpConnection tries
  // them in turn).
  std::string amqp_url;
  std::string management_url;
  std::string started_at;
};

boost::json::object ToJson(const InfraState& state);
InfraState InfraStateFromJson(const boost::json::object& json);

std::filesystem::path StateFile(const std::filesystem::path& state_dir);
std::optional<InfraState> LoadInfraState(const std::filesystem::path& state_dir);

struct ComponentStatus {
  std::string name;      // "postgresql" | "rabbitmq" | a cluster's "rabbitmq-2", ...
  bool managed = false;  // started by flowbench (else external)
  bool healthy = false;
  std::string url;       // as the services get it: may hold a password (RedactSecrets to show)
  std::string password;  // an embedded server's generated password, empty when not ours
  std::string detail;    // "pid 123, port 5433" or what is wrong
};

// The number of RabbitMQ nodes: 1 + peers when ours, else the URLs given.
int RabbitNodeCount(const InfraState& state);

// Each component's health (each node of a cluster its own entry): for ours, the process is alive
// and answers; for an external one, it answers. Empty when nothing was started.
std::vector<ComponentStatus> InfraStatus(const std::filesystem::path& state_dir);

struct UpResult {
  InfraState state;
  bool reused = false;  // a healthy instance was already running in this state directory
  double seconds = 0;   // how long the start took
};

// Starts what is not external (PostgreSQL and RabbitMQ in parallel), waits until both answer
// and writes the state file. Reuses a healthy running instance; after a crash, starts only
// what died again, on its port and its data (running services keep their addresses).
UpResult InfraUp(const InfraOptions& options);

enum class Component { kPostgres, kRabbitmq };
// "postgres" | "postgresql" | "rabbitmq"; nullopt for anything else.
std::optional<Component> ParseComponent(const std::string& name);
std::string_view ComponentName(Component component);  // "postgres" | "rabbitmq"

// One embedded server stopped (when alive) and started again on the same port and data
// directory, the other left running; the state file is updated with the new pid. What a
// crash-restart does, and the fault injector's restart. Throws when it is not ours.
InfraState RestartComponent(const std::filesystem::path& state_dir, Component component);
// The faults of `flowbench run --fault`: a graceful stop keeping the data, or a SIGKILL (a
// crash); RestartComponent (or `infra up`) brings the server back.
void StopComponent(const std::filesystem::path& state_dir, Component component);
void KillComponent(const std::filesystem::path& state_dir, Component component);

// One node of the embedded RabbitMQ cluster (1 is the first, the epmd's owner; with one node
// only 1): SIGKILLed as a crash, and started again on its ports and data, where it rejoins the
// cluster (the state file gets its new pid). For `--fault broker-node-kill:N`. Throw when the
// broker is not ours or has no node N.
void KillRabbitNodeNumber(const std::filesystem::path& state_dir, int node);
InfraState RestartRabbitNodeNumber(const std::filesystem::path& state_dir, int node);

// Stops exactly the processes the state file names (by PID), removes their data and the
// state file. Nothing to stop is not an error.
void InfraDown(const std::filesystem::path& state_dir);

// The URLs a service or the driver should use: the flags when given, else the state file.
// Throws with a clear next step when neither says where the servers are.
std::string ResolvePgUrl(const InfraOptions& options);
std::string ResolveAmqpUrl(const InfraOptions& options);

}  // namespace flowbench::infra
