// flowbench infra up|down|status|restart: the embedded PostgreSQL and RabbitMQ.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "bench/cli/commands.hpp"
#include "bench/cli/node_links_launch.hpp"
#include "bench/cli/run_support.hpp"
#include "common/domain/secrets.hpp"
#include "common/infra/infra.hpp"

namespace flowbench::cli {
namespace {

// Exit codes of `infra status`, as `systemctl status` uses them.
constexpr int kUnhealthy = 1;
constexpr int kNotStarted = 3;

// Passwords are masked unless asked for: a status is pasted into tickets and chats, and a
// terminal's scrollback is read over shoulders. `--show-secrets` is for who needs them (psql,
// the management UI).
void PrintStatus(const std::vector<infra::ComponentStatus>& status, bool show_secrets = false) {
  auto shown = [show_secrets](const std::string& text) {
    return show_secrets ? text : RedactSecrets(text);
  };
  for (const infra::ComponentStatus& c : status) {
    std::printf("%-11s %-9s %-8s %s\n            %s\n", c.name.c_str(),
                c.healthy ? "healthy" : "DOWN", c.managed ? "embedded" : "external",
                shown(c.url).c_str(), shown(c.detail).c_str());
    if (show_secrets && !c.password.empty()) {
      std::printf("            password %s\n", c.password.c_str());
    }
  }
}

int Up(const infra::InfraOptions& options, const network::NetworkProfile& network) {
  infra::UpResult result = InfraUpWithNodeLinks(options, network);
  if (result.reused) {
    std::printf("already running in %s; reusing it\n", options.state_dir.c_str());
  } else {
    std::printf("started in %.1f s (state: %s)\n", result.seconds,
                infra::StateFile(options.state_dir).c_str());
  }
  PrintStatus(infra::InfraStatus(options.state_dir));
  PrintNodeLinksStatus(options.state_dir);
  return 0;
}

int Status(const infra::InfraOptions& options, bool show_secrets) {
  std::vector<infra::ComponentStatus> status = infra::InfraStatus(options.state_dir);
  if (status.empty()) {
    std::printf("nothing started in %s (run `flowbench infra up`)\n", options.state_dir.c_str());
    return kNotStarted;
  }
  PrintStatus(status, show_secrets);
  bool links_up = PrintNodeLinksStatus(options.state_dir);
  if (!show_secrets) std::printf("(passwords hidden: --show-secrets prints them)\n");
  if (!links_up) {
    std::printf(
        "\nthe RabbitMQ node links' relay process is gone: the nodes are partitioned "
        "(`flowbench infra down` then `flowbench infra up --network ...` starts afresh)\n");
    return kUnhealthy;
  }
  for (const infra::ComponentStatus& c : status) {
    if (!c.healthy) {
      std::printf(
          "\nsomething is down: `flowbench infra up` starts it again on its port and data "
          "(`flowbench infra down` then `up` starts afresh, empty)\n");
      return kUnhealthy;
    }
  }
  return 0;
}

int Restart(const infra::InfraOptions& options, const std::string& name) {
  std::optional<infra::Component> component = infra::ParseComponent(name);
  if (!component)
    throw CLI::ValidationError("restart", "'" + name + "' is not postgres or rabbitmq");
  infra::RestartComponent(options.state_dir, *component);
  std::printf("%s restarted on its port and data\n",
              std::string(infra::ComponentName(*component)).c_str());
  PrintStatus(infra::InfraStatus(options.state_dir));
  return 0;
}

int Down(const infra::InfraOptions& options) {
  bool had_state = infra::LoadInfraState(options.state_dir).has_value();
  infra::InfraDown(options.state_dir);
  std::printf(had_state ? "stopped\n" : "nothing was running\n");
  StopNodeLinks(options.state_dir);  // after the nodes: a link closed under a cluster partitions it
  return 0;
}

}  // namespace

void AddInfraCommand(CLI::App& app) {
  CLI::App* infra_cmd =
      app.add_subcommand("infra", "the embedded PostgreSQL and RabbitMQ (private, loopback only)");
  infra_cmd->require_subcommand(1);
  auto options = std::make_shared<infra::InfraOptions>();
  infra::BindInfraOptions(*infra_cmd, *options);

  // The options are the `infra` command's; fallthrough() lets them follow `up` as well
  // (`flowbench infra up --state-dir D`). CLI11 runs a callback inside parse(); the exit code
  // leaves through CLI::RuntimeError, which app.exit() turns into the process's exit code without
  // printing anything.
  auto exit_with = [](int code) {
    if (code != 0) throw CLI::RuntimeError(code);
  };
  auto network_flags = std::make_shared<NetworkFlags>();
  CLI::App* up = infra_cmd->add_subcommand(
      "up", "start both servers (or reuse running ones), wait until ready");
  // --network: the links between the nodes of a cluster it starts (--rabbitmq-nodes 2 or more).
  BindNetworkFlags(*up, *network_flags);
  up->callback([options, network_flags, exit_with] {
      exit_with(Up(*options, ResolveNetworkFlags(*network_flags)));
    })->fallthrough();
  auto show_secrets = std::make_shared<bool>(false);
  CLI::App* status = infra_cmd->add_subcommand("status", "is each server alive and answering?");
  status->add_flag("--show-secrets", *show_secrets,
                   "print the servers' passwords (hidden by default)");
  status
      ->callback([options, show_secrets, exit_with] { exit_with(Status(*options, *show_secrets)); })
      ->fallthrough();
  auto component = std::make_shared<std::string>();
  CLI::App* restart = infra_cmd->add_subcommand(
      "restart", "stop one server if it runs, start it again on the same port and data");
  restart->add_option("component", *component, "postgres | rabbitmq")
      ->required()
      ->check(CLI::IsMember({"postgres", "postgresql", "rabbitmq"}));
  restart->callback([options, component, exit_with] { exit_with(Restart(*options, *component)); })
      ->fallthrough();
  infra_cmd->add_subcommand("down", "stop exactly what `infra up` started, remove its data")
      ->callback([options, exit_with] { exit_with(Down(*options)); })
      ->fallthrough();
}

}  // namespace flowbench::cli
