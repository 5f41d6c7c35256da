#include "common/infra/embedded_rabbitmq.hpp"

#include <signal.h>

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
  return Environment{
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

RabbitInstance StartRabbit(fs::path dir) {
  if (!fs::exists(kServer)) {
    throw std::runtime_error(
        "RabbitMQ not found at " + kServer.string() +
        ". Install it with `sudo apt-get install rabbitmq-server` (or run "
        "compose/install-deps.sh), or give --amqp-url for an existing broker.");
  }
  RabbitInstance r;
  r.dir = std::move(dir);
  r.amqp_port = FindFreePort();
  r.management_port = FindFreePort();
  r.prometheus_port = FindFreePort();
  r.dist_port = FindFreePort();
  r.epmd_port = FindFreePort();
  r.node = "flowbench-" + std::to_string(r.amqp_port) + "@localhost";
  // Not guest/guest, which every local user knows: a generated password for the node's only
  // user (the default user replaces guest on the node's first boot).
  r.password = RandomSecret();
  r.url =
      "amqp://" + r.user + ":" + r.password + "@127.0.0.1:" + std::to_string(r.amqp_port) + "/%2f";
  r.management_url = "http://127.0.0.1:" + std::to_string(r.management_port);

  fs::remove_all(r.dir / "mnesia");  // leftovers of a crashed instance
  fs::create_directories(r.dir / "log");
  WritePrivateFile(r.dir / "rabbitmq.conf",
                   "listeners.tcp.default = 127.0.0.1:" + std::to_string(r.amqp_port) + "\n" +
                       "management.tcp.ip = 127.0.0.1\n" +
                       "management.tcp.port = " + std::to_string(r.management_port) + "\n" +
                       "prometheus.tcp.ip = 127.0.0.1\n" + "prometheus.tcp.port = " +
                       std::to_string(r.prometheus_port) + "\n" + "loopback_users = none\n" +
                       "default_user = " + r.user + "\n" + "default_pass = " + r.password + "\n" +
                       "default_user_tags.administrator = true\n");
  WriteFile(r.dir / "enabled_plugins", "[rabbitmq_management,rabbitmq_prometheus].\n");
  WriteFile(r.dir / "rabbitmq-env.conf", "# flowbench: everything is set in the environment\n");

  Environment env = NodeEnvironment(r);
  // Our own epmd on a private port, started first so we know its PID and can stop it.
  r.epmd_pid = SpawnDaemon({FindEpmd().string(), "-port", std::to_string(r.epmd_port)}, env,
                           r.dir / "log" / "epmd.log");
  r.pid = SpawnDaemon({kServer.string()}, env, r.dir / "log" / "server.log");

  WaitUntilReady(r, /*keep_data=*/false);
  return r;
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
  Environment env = NodeEnvironment(r);
  if (!IsAlive(r.epmd_pid)) {
    r.epmd_pid = SpawnDaemon({FindEpmd().string(), "-port", std::to_string(r.epmd_port)}, env,
                             r.dir / "log" / "epmd.log");
  }
  // Same node name, ports and mnesia directory: durable queues and persistent messages are
  // back after the restart, and clients reconnect to the same URL.
  r.pid = SpawnDaemon({kServer.string()}, env, r.dir / "log" / "server.log");
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
          {"management_url", r.management_url}};
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
  return r;
}

}  // namespace flowbench::infra
