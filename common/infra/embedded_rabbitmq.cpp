#include "common/infra/embedded_rabbitmq.hpp"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "common/amqp/connection.hpp"
#include "common/domain/json_fields.hpp"
#include "common/domain/secrets.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/process.hpp"

namespace flowbench::infra {
namespace fs = std::filesystem;
namespace {

// The broker script proper, not /usr/sbin/rabbitmq-server (that wrapper switches to the
// rabbitmq user and the packaged node's settings).
const fs::path kServer = "/usr/lib/rabbitmq/bin/rabbitmq-server";
const fs::path kCtl = "/usr/lib/rabbitmq/bin/rabbitmqctl";

fs::path FindEpmd() {
  for (const char* candidate : {"/usr/bin/epmd", "/usr/lib/erlang/bin/epmd"}) {
    if (fs::exists(candidate)) return candidate;
  }
  throw std::runtime_error(
      "epmd not found: install Erlang with `sudo apt-get install "
      "rabbitmq-server` (or run compose/install-deps.sh)");
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

Environment NodeEnvironment(const RabbitInstance& r) {
  Environment env{
      {"HOME", r.dir.string()},  // the Erlang cookie lands here
      {"ERL_EPMD_PORT", std::to_string(r.epmd_port)},
      {"RABBITMQ_NODENAME", r.node},
      {"RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"},
      {"RABBITMQ_NODE_PORT", std::to_string(r.amqp_port)},
      {"RABBITMQ_DIST_PORT", std::to_string(r.dist_port)},
      {"RABBITMQ_MNESIA_BASE", (r.dir / "mnesia").string()},
      {"RABBITMQ_LOG_BASE", (r.dir / "log").string()},
      {"RABBITMQ_CONFIG_FILE", (r.dir / "rabbitmq.conf").string()},
      {"RABBITMQ_ADVANCED_CONFIG_FILE", (r.dir / "advanced.config").string()},
      {"RABBITMQ_CONF_ENV_FILE", (r.dir / "rabbitmq-env.conf").string()},
      {"RABBITMQ_ENABLED_PLUGINS_FILE", (r.dir / "enabled_plugins").string()},
      {"RABBITMQ_PID_FILE", (r.dir / "rabbit.pid").string()},
  };
  // Node links: the node is named after an address (127.0.2.N), which takes long names; the
  // server and rabbitmqctl alike.
  if (!r.dist_listen_host.empty()) env["RABBITMQ_USE_LONGNAME"] = "true";
  return env;
}

}  // namespace

void StopRabbit(const RabbitInstance& r);
void StopRabbitNode(const RabbitInstance& r);

namespace {

// Waits (up to 90 s) until the node accepts an AMQP login; stops it and throws otherwise
// (a node started again on its data keeps that data for a later try).
void WaitUntilReady(const RabbitInstance& r, bool keep_data) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  std::string last_error;
  for (;;) {
    if (!IsAlive(r.pid)) {
      Terminate(r.epmd_pid, std::chrono::seconds(2));
      throw std::runtime_error("RabbitMQ exited during start-up. Its output:\n" +
                               Tail(r.dir / "log" / "server.log"));
    }
    if (IsPortOpen(r.amqp_port)) {
      try {
        AmqpConnection probe(r.url, std::chrono::seconds(2), "flowbench-infra-probe");
        return;
      } catch (const AmqpError& e) {
        last_error = e.what();  // the listener is up before the node accepts logins
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      if (keep_data) {
        StopRabbitNode(r);
      } else {
        StopRabbit(r);
      }
      throw std::runtime_error("RabbitMQ did not accept an AMQP login within 90 s (" + last_error +
                               "). Its output:\n" + Tail(r.dir / "log" / "server.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

namespace {

void CheckInstalled() {
  if (!fs::exists(kServer)) {
    throw std::runtime_error(
        "RabbitMQ not found at " + kServer.string() +
        ". Install it with `sudo apt-get install rabbitmq-server` (or run "
        "compose/install-deps.sh), or give --amqp-url for an existing broker.");
  }
}

// A node's ports, name and URLs; epmd_port 0: a private epmd of its own. `link_number` N > 0:
// the node of a cluster with node links, listening for the distribution on 127.0.1.N and
// named after 127.0.2.N (RabbitNodeLinks); 0: short names on localhost.
RabbitInstance PlanNode(fs::path dir, const std::string& password, int epmd_port,
                        int link_number = 0) {
  RabbitInstance r;
  r.dir = std::move(dir);
  r.amqp_port = FindFreePort();
  r.management_port = FindFreePort();
  r.prometheus_port = FindFreePort();
  r.dist_port = FindFreePort();
  r.epmd_port = epmd_port != 0 ? epmd_port : FindFreePort();
  r.node = "flowbench-" + std::to_string(r.amqp_port) + "@localhost";
  if (link_number > 0) {
    r.dist_listen_host = "127.0.1." + std::to_string(link_number);
    r.node = "flowbench-" + std::to_string(r.amqp_port) + "@127.0.2." + std::to_string(link_number);
  }
  r.password = password;
  r.url =
      "amqp://" + r.user + ":" + r.password + "@127.0.0.1:" + std::to_string(r.amqp_port) + "/%2f";
  r.management_url = "http://127.0.0.1:" + std::to_string(r.management_port);
  return r;
}

// The node's config files; `extra_config` is appended to rabbitmq.conf, `env_config` is its
// rabbitmq-env.conf (read by the server script at every start, restarts included).
void WriteNodeFiles(const RabbitInstance& r, const std::string& extra_config,
                    const std::string& env_config) {
  fs::remove_all(r.dir / "mnesia");  // leftovers of a crashed instance
  fs::create_directories(r.dir / "log");
  WritePrivateFile(r.dir / "rabbitmq.conf",
                   "listeners.tcp.default = 127.0.0.1:" + std::to_string(r.amqp_port) + "\n" +
                       "management.tcp.ip = 127.0.0.1\n" +
                       "management.tcp.port = " + std::to_string(r.management_port) + "\n" +
                       "prometheus.tcp.ip = 127.0.0.1\n" + "prometheus.tcp.port = " +
                       std::to_string(r.prometheus_port) + "\n" + "loopback_users = none\n" +
                       "default_user = " + r.user + "\n" + "default_pass = " + r.password + "\n" +
                       "default_user_tags.administrator = true\n" + extra_config);
  WriteFile(r.dir / "enabled_plugins", "[rabbitmq_management,rabbitmq_prometheus].\n");
  WriteFile(r.dir / "rabbitmq-env.conf",
            "# flowbench: everything else is set in the environment\n" + env_config);
}

pid_t SpawnEpmd(const RabbitInstance& r) {
  return SpawnDaemon({FindEpmd().string(), "-port", std::to_string(r.epmd_port)},
                     NodeEnvironment(r), r.dir / "log" / "epmd.log");
}

pid_t SpawnNode(const RabbitInstance& r) {
  return SpawnDaemon({kServer.string()}, NodeEnvironment(r), r.dir / "log" / "server.log");
}

}  // namespace

RabbitInstance StartRabbit(fs::path dir) {
  CheckInstalled();
  // Not guest/guest, which every local user knows: a generated password for the node's only
  // user (the default user replaces guest on the node's first boot).
  RabbitInstance r = PlanNode(std::move(dir), RandomSecret(), 0);
  WriteNodeFiles(r, "", "");
  // Our own epmd on a private port, started first so we know its PID and can stop it.
  r.epmd_pid = SpawnEpmd(r);
  r.pid = SpawnNode(r);
  WaitUntilReady(r, /*keep_data=*/false);
  return r;
}

std::vector<std::string> RabbitRunningNodes(const RabbitInstance& instance) {
  boost::json::value status =
      boost::json::parse(RabbitCtl(instance, {"cluster_status", "--formatter", "json"}));
  std::vector<std::string> running;
  for (const boost::json::value& node : status.as_object().at("running_nodes").as_array()) {
    running.emplace_back(node.as_string());
  }
  return running;
}

std::string RabbitDistNameHost(const RabbitInstance& instance) {
  return instance.node.substr(instance.node.find('@') + 1);
}

namespace {

// The Erlang VM's own arguments for a node with node links. The distribution is started by
// the VM itself (-name), not by RabbitMQ's prelaunch: the prelaunch first checks that the
// distribution port is free by listening on it on every address, and the node's link relay
// holds that port on 127.0.2.N, before the node starts and across its restarts. The node then
// listens on its own address alone, on its fixed port (what epmd tells the dialling nodes).
std::string LinkedNodeErlArgs(const RabbitInstance& r) {
  std::string port = std::to_string(r.dist_port);
  std::string erlang_address = r.dist_listen_host;  // 127.0.1.N as the Erlang term {127,0,1,N}
  std::replace(erlang_address.begin(), erlang_address.end(), '.', ',');
  return " -name " + r.node + " -kernel inet_dist_listen_min " + port + " inet_dist_listen_max " +
         port + " inet_dist_use_interface {" + erlang_address + "}";
}

}  // namespace

std::vector<RabbitInstance> StartRabbitCluster(const fs::path& dir, int count,
                                               const RabbitNodeLinks& node_links) {
  if (count < 1) throw std::invalid_argument("a RabbitMQ cluster needs at least one node");
  if (count == 1) return {StartRabbit(dir)};
  CheckInstalled();
  const std::string password = RandomSecret();
  // One cookie for every node and for rabbitmqctl (which reads HOME/.erlang.cookie): the nodes
  // of a cluster authenticate each other with it.
  const std::string cookie = RandomSecret();
  std::vector<RabbitInstance> nodes;
  for (int i = 0; i < count; ++i) {
    fs::path node_dir = i == 0 ? dir : fs::path(dir.string() + "-" + std::to_string(i + 1));
    nodes.push_back(
        PlanNode(node_dir, password, i == 0 ? 0 : nodes.front().epmd_port, node_links ? i + 1 : 0));
  }
  // Node 1 boots first and forms the cluster (it discovers nobody); nodes 2.. then boot at
  // once, find node 1 by classic config and join it. All at once saves ~4 s on 2 cores but
  // races: a node joining while node 1 still boots can make node 1's boot fail
  // ("incompatible_feature_flags ... All replicas on diskfull nodes are not active yet"), seen
  // with delayed node links under load (rabbit_node_links_test in CI).
  const std::string join =
      "cluster_formation.peer_discovery_backend = classic_config\n"
      "cluster_formation.classic_config.nodes.1 = " +
      nodes.front().node +
      "\n"
      "cluster_formation.discovery_retry_limit = 180\n"
      "cluster_formation.discovery_retry_interval = 500\n";
  // Schedulers that sleep instead of spinning when idle: three nodes share 2 cores here, and
  // a spinning idle scheduler takes CPU from the busy nodes and the services.
  const std::string idle_schedulers = "+sbwt none +sbwtdcpu none +sbwtdio none";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    std::string erl_args = idle_schedulers;
    if (node_links) erl_args += LinkedNodeErlArgs(nodes[i]);
    WriteNodeFiles(nodes[i], i == 0 ? "" : join,
                   "SERVER_ADDITIONAL_ERL_ARGS=\"" + erl_args + "\"\n");
    WritePrivateFile(nodes[i].dir / ".erlang.cookie", cookie);
  }
  if (node_links) node_links(nodes);  // before any node dials another
  nodes.front().epmd_pid = SpawnEpmd(nodes.front());

  auto stop_all = [&nodes] {  // a node not spawned yet has no pid: nothing to stop
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) StopRabbit(*it);
  };
  try {
    nodes.front().pid = SpawnNode(nodes.front());
    WaitUntilReady(nodes.front(), /*keep_data=*/false);
    for (std::size_t i = 1; i < nodes.size(); ++i) nodes[i].pid = SpawnNode(nodes[i]);
    for (std::size_t i = 1; i < nodes.size(); ++i) WaitUntilReady(nodes[i], /*keep_data=*/false);
    // A node that found nobody to join would run alone and still accept logins.
    std::vector<std::string> running = RabbitRunningNodes(nodes.front());
    if (running.size() != nodes.size()) {
      std::string names;
      for (const std::string& n : running) names += " " + n;
      throw std::runtime_error("the RabbitMQ cluster formed with " +
                               std::to_string(running.size()) + " of " +
                               std::to_string(nodes.size()) + " nodes running:" + names);
    }
  } catch (...) {
    stop_all();
    throw;
  }
  return nodes;
}

void StopRabbit(const RabbitInstance& r) {
  pid_t beam = 0;
  std::ifstream(r.dir / "rabbit.pid") >> beam;
  // SIGTERM to the script makes it stop the node properly and wait for it.
  Terminate(r.pid, std::chrono::seconds(30));
  if (beam > 0) Terminate(beam, std::chrono::seconds(10));
  Terminate(r.epmd_pid, std::chrono::seconds(5));
  std::error_code ignored;  // already gone is what we want
  fs::remove_all(r.dir / "mnesia", ignored);
}

namespace {
pid_t BeamPid(const RabbitInstance& r) {
  pid_t beam = 0;
  std::ifstream(r.dir / "rabbit.pid") >> beam;
  return beam;
}
}  // namespace

void StopRabbitNode(const RabbitInstance& r) {
  pid_t beam = BeamPid(r);
  Terminate(r.pid, std::chrono::seconds(30));
  if (beam > 0) Terminate(beam, std::chrono::seconds(10));
}

void KillRabbitNode(const RabbitInstance& r) {
  pid_t beam = BeamPid(r);
  if (IsAlive(r.pid)) ::kill(r.pid, SIGKILL);
  if (beam > 0 && IsAlive(beam)) ::kill(beam, SIGKILL);
  WaitForExit(r.pid, std::chrono::seconds(10));
  if (beam > 0) WaitForExit(beam, std::chrono::seconds(10));
}

RabbitInstance StartRabbitAgain(RabbitInstance r) {
  if (IsAlive(r.pid))
    throw std::runtime_error("RabbitMQ still runs (pid " + std::to_string(r.pid) + ")");
  if (pid_t beam = BeamPid(r); beam > 0 && IsAlive(beam)) Terminate(beam, std::chrono::seconds(10));
  // A cluster's nodes 2.. use node 1's epmd: only a dead one with nothing on its port is ours
  // to start again.
  if (!IsAlive(r.epmd_pid) && !IsPortOpen(r.epmd_port)) r.epmd_pid = SpawnEpmd(r);
  // Same node name, ports and mnesia directory: durable queues and persistent messages are
  // back after the restart, a cluster node rejoins its cluster, and clients reconnect to the
  // same URL.
  r.pid = SpawnNode(r);
  WaitUntilReady(r, /*keep_data=*/true);
  return r;
}

pid_t RabbitBeamPid(const RabbitInstance& instance) { return BeamPid(instance); }

std::string RabbitCtl(const RabbitInstance& instance, const std::vector<std::string>& args) {
  std::vector<std::string> argv{kCtl.string(), "-n", instance.node};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult result = RunCommand(argv, NodeEnvironment(instance), std::chrono::seconds(60));
  if (result.exit_code != 0) {
    std::string command;
    for (const std::string& a : args) command += " " + a;
    throw std::runtime_error("rabbitmqctl" + command + " failed (exit " +
                             std::to_string(result.exit_code) + "): " + result.output);
  }
  return result.output;
}

RabbitInstance RestartRabbit(const RabbitInstance& instance) {
  StopRabbitNode(instance);
  return StartRabbitAgain(instance);
}

boost::json::object ToJson(const RabbitInstance& r) {
  return {{"dir", r.dir.string()},
          {"node", r.node},
          {"amqp_port", r.amqp_port},
          {"management_port", r.management_port},
          {"prometheus_port", r.prometheus_port},
          {"dist_port", r.dist_port},
          {"epmd_port", r.epmd_port},
          {"pid", r.pid},
          {"epmd_pid", r.epmd_pid},
          {"user", r.user},
          {"password", r.password},
          {"url", r.url},
          {"management_url", r.management_url},
          {"dist_listen_host", r.dist_listen_host}};
}

RabbitInstance RabbitFromJson(const boost::json::object& json) {
  JsonFields f(json);
  RabbitInstance r;
  r.dir = f.String("dir");
  r.node = f.String("node");
  r.amqp_port = static_cast<int>(f.Integer("amqp_port"));
  r.management_port = static_cast<int>(f.Integer("management_port"));
  r.prometheus_port = static_cast<int>(f.Integer("prometheus_port"));
  r.dist_port = static_cast<int>(f.Integer("dist_port"));
  r.epmd_port = static_cast<int>(f.Integer("epmd_port"));
  r.pid = static_cast<pid_t>(f.Integer("pid"));
  r.epmd_pid = static_cast<pid_t>(f.Integer("epmd_pid"));
  // A state file of an older flowbench: its node has RabbitMQ's guest/guest.
  r.user = f.OptionalString("user").value_or("guest");
  r.password = f.OptionalString("password").value_or("guest");
  r.url = f.String("url");
  r.management_url = f.String("management_url");
  r.dist_listen_host = f.OptionalString("dist_listen_host").value_or("");  // older: no links
  return r;
}

}  // namespace flowbench::infra
