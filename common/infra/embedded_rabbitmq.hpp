// A private RabbitMQ node from the Debian package: its own node name, ports, epmd, data and
// log directories, with the management and Prometheus plugins. Never touches the packaged
// node (rabbit@host on 5672) or the system epmd.
#pragma once

#include <sys/types.h>

#include <boost/json.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace flowbench::infra {

struct RabbitInstance {
  std::filesystem::path dir;  // HOME (Erlang cookie), config, mnesia/, log/
  std::string node;           // flowbench-<port>@localhost, or @127.0.2.N with node links
  int amqp_port = 0;
  int management_port = 0;
  int prometheus_port = 0;
  int dist_port = 0;
  int epmd_port = 0;
  pid_t pid = 0;                   // the rabbitmq-server script: SIGTERM stops the node cleanly
  pid_t epmd_pid = 0;              // our private epmd
  std::string user = "flowbench";  // the node's administrator, created at its first boot
  std::string password;            // generated; also in DIR/rabbitmq.conf (0600)
  std::string url;                 // amqp://flowbench:PASSWORD@127.0.0.1:PORT/%2f
  std::string management_url;      // http://127.0.0.1:PORT (user and password as above)
  // A cluster with node links (RabbitNodeLinks): the only address the node listens on for the
  // Erlang distribution, 127.0.1.N, while its name is flowbench-<port>@127.0.2.N (long
  // names), the address of its link's relay. Empty: short names, every address (no links).
  std::string dist_listen_host;
};

// Where the other nodes dial node `instance` (its name's host): its link's relay address
// (127.0.2.N) with node links, else "localhost".
std::string RabbitDistNameHost(const RabbitInstance& instance);

// Called with the planned nodes of a cluster before any of them starts: it must make
// RabbitDistNameHost(node):dist_port reach node.dist_listen_host:dist_port for every node
// (a relay per node: bench/network/rabbit_node_links.hpp) and keep it so while the cluster
// runs, a node's restart included. The nodes find each other (and rabbitmqctl finds a node)
// only through it.
using RabbitNodeLinks = std::function<void(const std::vector<RabbitInstance>&)>;

// Starts the node and waits (up to 90 s) until an AMQP login succeeds.
RabbitInstance StartRabbit(std::filesystem::path dir);
// Starts a cluster of `nodes` such nodes (dirs DIR, DIR-2, DIR-3, ...) that share one epmd (the
// first node's), one Erlang cookie and one user, all at once: nodes 2.. join node 1 by classic
// config peer discovery, retrying until it is up. Returns once every node accepts a login and
// node 1 reports all of them running; otherwise stops them all and throws. The first node
// owns the epmd (the others have epmd_pid 0). With `node_links` (and more than one node) each
// node listens for the distribution on 127.0.1.N only and is named after 127.0.2.N, where
// `node_links` puts the link between the nodes (RabbitNodeLinks).
std::vector<RabbitInstance> StartRabbitCluster(const std::filesystem::path& dir, int nodes,
                                               const RabbitNodeLinks& node_links = {});
// The nodes the cluster reports running, asked of `instance` (rabbitmqctl cluster_status).
std::vector<std::string> RabbitRunningNodes(const RabbitInstance& instance);
// Stops the node, then its epmd, and removes its data (mnesia).
void StopRabbit(const RabbitInstance& instance);
// Stops the node and starts it again on the same ports with the same data (its epmd stays),
// as a broker restart does; returns the instance with the new pid. For fault tests.
RabbitInstance RestartRabbit(const RabbitInstance& instance);
// Stops the node cleanly (its script, then its Erlang VM), keeping its data and its epmd.
void StopRabbitNode(const RabbitInstance& instance);
// SIGKILL to the node's script and Erlang VM at once: a crash, nothing flushed or closed.
void KillRabbitNode(const RabbitInstance& instance);
// Starts a stopped or crashed node again on its ports and data (durable queues and
// persistent messages come back), its epmd too if that died; returns the new pid.
RabbitInstance StartRabbitAgain(RabbitInstance instance);

// Runs `rabbitmqctl -n <node> args...` against the node (with its HOME and epmd port) and
// returns its output; throws when it fails. For fault tests: a resource alarm is
// {"set_vm_memory_high_watermark", "0"}, lifted by {"set_vm_memory_high_watermark", "0.4"}.
std::string RabbitCtl(const RabbitInstance& instance, const std::vector<std::string>& args);
// The node's Erlang VM (beam), from its pid file; 0 when it has none.
pid_t RabbitBeamPid(const RabbitInstance& instance);

boost::json::object ToJson(const RabbitInstance& instance);
RabbitInstance RabbitFromJson(const boost::json::object& json);

}  // namespace flowbench::infra
