// flowbench up|down|status: both builds' ten services as processes, on top of the embedded
// infrastructure (or external servers given by --pg-url / --amqp-url).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "bench/cli/commands.hpp"
#include "bench/cli/gateway_launch.hpp"
#include "bench/cli/node_links_launch.hpp"
#include "bench/cli/run_support.hpp"
#include "bench/network/detached_relays.hpp"
#include "common/domain/workload_settings.hpp"
#include "common/infra/infra.hpp"
#include "common/service/launcher.hpp"
#include "common/service/pass_through_args.hpp"

namespace flowbench::cli {
namespace {

struct SystemCommandOptions {
  infra::InfraOptions infra;
  std::string arch = "both";
  int port_base = 0;
  WorkloadSettings workload;
  bool keep_infra = false;
  bool gateway = false;  // --gateway: a flowbench-gateway in front of each build
  PassThroughArgs service_args;
  NetworkFlags network_flags;  // --network, resolved into network
  network::NetworkProfile network;
};

std::vector<Arch> Archs(const std::string& name) {
  if (name == "both") return {Arch::kSync, Arch::kAsync};
  return {*ParseArch(name)};
}

// `up --network`: the build's relays, in a process of their own that outlives `up`.
network::DetachedRelays StartRelays(const SystemCommandOptions& o, const SystemOptions& options) {
  network::DetachedRelaysRequest request;
  request.state_dir = o.infra.state_dir;
  request.arch = options.arch;
  request.profile = o.network;
  request.port_base = options.port_base;
  request.pg_url = options.pg_url;
  request.amqp_url = options.amqp_url;
  std::filesystem::create_directories(options.run_dir);
  return network::StartDetachedRelays(ExecutableDir() / "flowbench", request,
                                      options.run_dir / "relays.log");
}

// The gateway reaches each service through its link, as the services reach each other.
std::vector<std::string> GatewayUpstreams(const network::BuildLinks& links) {
  std::vector<std::string> args = links.PeerArgs();
  for (std::string& arg : args) {
    if (arg == "--peer") arg = "--upstream";
  }
  return args;
}

int Up(const SystemCommandOptions& o) {
  infra::UpResult infra_up = InfraUpWithNodeLinks(o.infra, o.network);
  std::printf("infrastructure %s (%s)\n", infra_up.reused ? "already running" : "started",
              infra::StateFile(o.infra.state_dir).c_str());
  for (Arch arch : Archs(o.arch)) {
    StopGateway(arch, o.infra.state_dir);  // in front of the services about to be restarted
    if (std::optional<RunningSystem> running = LoadSystem(o.infra.state_dir, arch)) {
      StopSystem(*running);  // `up` twice restarts with the settings given now
      ForgetSystem(o.infra.state_dir, arch);
    }
    network::StopDetachedRelays(o.infra.state_dir, arch);  // and with the network given now
    SystemOptions options;
    options.arch = arch;
    options.bin_dir = ExecutableDir();
    options.run_dir = o.infra.state_dir / "run" / std::string(ArchName(arch));
    // One base for both builds: sync on BASE+1..+10, async on BASE+101..+110, as the contract.
    options.port_base = o.port_base == 0 ? 0 : o.port_base + (arch == Arch::kAsync ? 100 : 0);
    options.pg_url = infra_up.state.pg_url;
    options.amqp_url = infra_up.state.amqp_url;
    options.extra_args = ToArgs(o.workload);
    std::vector<std::string> pass_through = o.service_args.For(arch);
    options.extra_args.insert(options.extra_args.end(), pass_through.begin(), pass_through.end());
    std::optional<network::DetachedRelays> relays;
    if (o.network.Relayed()) {
      relays = StartRelays(o, options);
      relays->links.Route(options);
    }
    RunningSystem system;
    try {
      system = StartSystem(options);
    } catch (...) {
      network::StopDetachedRelays(o.infra.state_dir, arch);
      throw;
    }
    SaveSystem(o.infra.state_dir, system);  // their own ports: `down` and `status` check them
    std::printf("%s build: 10 services healthy, logs in %s\n", std::string(ArchName(arch)).c_str(),
                system.run_dir.c_str());
    for (const RunningService& s : system.services) {
      if (relays) {
        std::printf("  %-10s http://127.0.0.1:%d  (pid %d; through its link: port %d)\n",
                    s.name.c_str(), s.port, s.pid, relays->links.ServicePort(s.name));
      } else {
        std::printf("  %-10s http://127.0.0.1:%d  (pid %d)\n", s.name.c_str(), s.port, s.pid);
      }
    }
    if (relays) {
      std::printf("  %-10s %s: relay process %d, %zu links\n", "network",
                  ProfileText(relays->profile).c_str(), relays->pid, relays->links.links.size());
    }
    if (o.gateway) {
      int port = StartGateway(
          arch, options.port_base, o.infra.state_dir, system.run_dir, o.service_args.otlp_endpoint,
          relays ? GatewayUpstreams(relays->links) : std::vector<std::string>{});
      std::printf("  %-10s http://127.0.0.1:%d  (token: flowbench token --role customer)\n",
                  "gateway", port);
    }
  }
  return 0;
}

int Down(const SystemCommandOptions& o) {
  for (Arch arch : Archs(o.arch)) {
    if (StopGateway(arch, o.infra.state_dir)) {
      std::printf("%s gateway stopped\n", std::string(ArchName(arch)).c_str());
    }
    if (std::optional<RunningSystem> system = LoadSystem(o.infra.state_dir, arch)) {
      StopSystem(*system);
      ForgetSystem(o.infra.state_dir, arch);
      std::printf("%s build stopped\n", std::string(ArchName(arch)).c_str());
    }
    // After the services, whose connections cross them; also a leftover of a killed relay.
    switch (network::StopDetachedRelays(o.infra.state_dir, arch)) {
      case network::RelayStop::kStopped:
        std::printf("%s relays stopped\n", std::string(ArchName(arch)).c_str());
        break;
      case network::RelayStop::kStaleRemoved:
        std::printf("%s relays: stale state file removed (its process was gone)\n",
                    std::string(ArchName(arch)).c_str());
        break;
      case network::RelayStop::kNone:
        break;
    }
  }
  bool any_left =
      LoadSystem(o.infra.state_dir, Arch::kSync) || LoadSystem(o.infra.state_dir, Arch::kAsync);
  if (!o.keep_infra && !any_left && infra::LoadInfraState(o.infra.state_dir)) {
    infra::InfraDown(o.infra.state_dir);
    std::printf("infrastructure stopped\n");
    StopNodeLinks(o.infra.state_dir);  // after the nodes, as `infra down`
  }
  return 0;
}

// The build's network (`up --network`): its profile, its relay process and every link; false
// when the relay process is gone (its services then reach nothing).
bool StatusOfRelays(const std::filesystem::path& state_dir, Arch arch) {
  std::optional<network::DetachedRelays> relays = network::LoadDetachedRelays(state_dir, arch);
  if (!relays) {
    std::printf("  %-10s none (loopback)\n", "network");
    return true;
  }
  bool running = network::IsRunning(*relays, state_dir);
  std::printf("  %-10s %-8s %s, relay process %d\n", "network", running ? "relaying" : "DOWN",
              ProfileText(relays->profile).c_str(), relays->pid);
  for (const network::RelayLink& l : relays->links.links) {
    std::printf("    %-10s 127.0.0.1:%d -> %s:%d\n", l.name.c_str(), l.listen_port,
                l.target_host.c_str(), l.target_port);
  }
  return running;
}

int Status(const SystemCommandOptions& o) {
  int code = 0;
  std::vector<infra::ComponentStatus> infra_status = infra::InfraStatus(o.infra.state_dir);
  if (infra_status.empty()) {
    std::printf("infrastructure: not started (run `flowbench up`)\n");
    return 3;
  }
  for (const infra::ComponentStatus& c : infra_status) {
    std::printf("%-11s %-8s %s  %s\n", c.name.c_str(), c.healthy ? "healthy" : "DOWN",
                c.url.c_str(), c.detail.c_str());
    if (!c.healthy) code = 1;
  }
  if (!PrintNodeLinksStatus(o.infra.state_dir)) code = 1;
  for (Arch arch : {Arch::kSync, Arch::kAsync}) {
    std::optional<RunningSystem> system = LoadSystem(o.infra.state_dir, arch);
    if (!system) {
      std::printf("%s build: not started\n", std::string(ArchName(arch)).c_str());
      continue;
    }
    std::printf("%s build (logs in %s):\n", std::string(ArchName(arch)).c_str(),
                system->run_dir.c_str());
    for (const ServiceHealth& h : CheckSystem(*system)) {
      std::printf("  %-10s %-8s %s\n", h.name.c_str(), h.healthy ? "healthy" : "DOWN",
                  h.detail.c_str());
      if (!h.healthy) code = 1;
    }
    if (std::optional<pid_t> gateway = RunningGateway(arch, o.infra.state_dir)) {
      std::printf("  %-10s %-8s pid %d\n", "gateway", "running", *gateway);
    }
    if (!StatusOfRelays(o.infra.state_dir, arch)) code = 1;
  }
  return code;
}

}  // namespace

void AddSystemCommands(CLI::App& app) {
  auto o = std::make_shared<SystemCommandOptions>();
  auto exit_with = [](int code) {
    if (code != 0) throw CLI::RuntimeError(code);
  };

  CLI::App* up = app.add_subcommand(
      "up", "start the embedded infrastructure (unless external) and the services of a build");
  infra::BindInfraOptions(*up, o->infra);
  up->add_option("--arch", o->arch, "sync, async or both")
      ->check(CLI::IsMember({"sync", "async", "both"}))
      ->capture_default_str();
  up->add_option(
        "--port-base", o->port_base,
        "sync on BASE+1..BASE+10, async on BASE+101..BASE+110 (0: the contract's 8001.., 8101..)")
      ->check(CLI::Range(0, 65000));
  BindWorkloadSettings(*up, o->workload);
  BindPassThroughArgs(*up, o->service_args);
  up->add_flag(
      "--gateway", o->gateway,
      "also start flowbench-gateway in front of each build, on its port base (8000, 8100)");
  BindNetworkFlags(*up, o->network_flags);
  up->callback([o, exit_with] {
    o->network = ResolveNetworkFlags(o->network_flags);
    exit_with(Up(*o));
  });

  CLI::App* down = app.add_subcommand(
      "down", "stop the services, then the embedded infrastructure (unless --keep-infra)");
  infra::BindInfraOptions(*down, o->infra);
  down->add_option("--arch", o->arch, "sync, async or both")
      ->check(CLI::IsMember({"sync", "async", "both"}))
      ->capture_default_str();
  down->add_flag("--keep-infra", o->keep_infra, "leave PostgreSQL and RabbitMQ running");
  down->callback([o, exit_with] { exit_with(Down(*o)); });

  CLI::App* status =
      app.add_subcommand("status", "health of the infrastructure and of every service");
  infra::BindInfraOptions(*status, o->infra);
  status->callback([o, exit_with] { exit_with(Status(*o)); });
}

}  // namespace flowbench::cli
