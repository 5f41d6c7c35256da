// flowbench demo <scenario> | outage: the classroom demo (bench/demo/README.md). It uses the
// builds `flowbench up` started in the state directory, or starts the missing ones itself
// on free ports, and stops what it started when it ends (Ctrl-C included). With --gateway, its
// requests go through a gateway it starts in front of each build.
#include <CLI/CLI.hpp>
#include <atomic>
#include <cmath>
#include <csignal>
#include <iostream>
#include <memory>
#include <sstream>

#include "bench/cli/commands.hpp"
#include "bench/cli/run_support.hpp"
#include "bench/demo/demo_scenarios.hpp"
#include "bench/demo/outage.hpp"
#include "bench/demo/scenario_demo.hpp"
#include "bench/network/detached_relays.hpp"
#include "bench/network/relayed_parts.hpp"
#include "bench/run/gateway_hop.hpp"
#include "common/domain/workload_settings.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/ports.hpp"
#include "common/service/launcher.hpp"
#include "common/service/pass_through_args.hpp"

namespace flowbench::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void OnDemoInterrupt(int) {
  g_interrupted = true;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

struct DemoCommandOptions {
  infra::InfraOptions infra;
  std::string what;  // a scenario or "outage"
  std::string arch = "both";
  bool step = false;
  int timeout_s = 60;
  WorkloadSettings workload;
  PassThroughArgs service_args;
  NetworkFlags network_flags;  // --network, resolved into network
  network::NetworkProfile network;
  bool gateway = false;  // --gateway: the demo's requests go through a gateway per build
  run::GatewayHopOptions gateway_options;
  // outage only
  std::string outage_service = "email";
  double outage_seconds = 10;
  double before_seconds = 3;
  double after_seconds = 5;
  double rate = 4;
};

std::chrono::milliseconds Seconds(double s) {
  return std::chrono::milliseconds(static_cast<long long>(s * 1000));
}

// The builds the demo shows: the running ones of `flowbench up`, else its own, which it stops
// (with the infrastructure, when it started that too) when it goes out of scope.
class DemoBuilds {
 public:
  DemoBuilds(const DemoCommandOptions& o, const std::vector<Arch>& archs)
      : state_dir_(o.infra.state_dir) {
    for (Arch arch : archs) {
      if (std::optional<RunningSystem> running = LoadSystem(state_dir_, arch)) {
        RequireHealthy(*running);
        RunningSystem direct = *running;  // what `down` needs, whatever the demo connects to
        if (std::optional<network::DetachedRelays> relays = UpsNetwork(o, arch)) {
          relays->links.RouteDriver(*running);  // the demo's requests cross the links too
          std::cout << "Using the " << ArchName(arch)
                    << " build started by `flowbench up --network " << relays->profile.name
                    << "` (logs in " << running->run_dir.string() << "), through its links.\n";
        } else {
          std::cout << "Using the " << ArchName(arch)
                    << " build started by `flowbench up` (logs in " << running->run_dir.string()
                    << ").\n";
        }
        builds_.push_back({std::move(*running), false, std::move(direct)});
        continue;
      }
      if (!infra_) {
        infra::UpResult up = infra::InfraUp(o.infra);
        infra_ = up.state;
        infra_started_here_ = !up.reused;
      }
      std::cout << "No " << ArchName(arch) << " build running in " << state_dir_.string()
                << ": starting one for this demo (stopped at the end)...\n"
                << std::flush;
      SystemOptions options;
      options.arch = arch;
      options.bin_dir = ExecutableDir();
      options.run_dir = state_dir_ / "run" / ("demo-" + std::string(ArchName(arch)));
      options.port_base = infra::FindFreePortBase(10);
      options.pg_url = infra_->pg_url;
      options.amqp_url = infra_->amqp_url;
      options.extra_args = ToArgs(o.workload);
      std::vector<std::string> pass_through = o.service_args.For(arch);
      options.extra_args.insert(options.extra_args.end(), pass_through.begin(), pass_through.end());
      // --network: relays in front of every part, in this process, closed with the demo.
      network::RelayedParts* links = nullptr;
      if (o.network.Relayed()) {
        links = links_
                    .emplace_back(std::make_unique<network::RelayedParts>(
                        o.network, arch, options.port_base, infra_->pg_url, infra_->amqp_url))
                    .get();
        links->Endpoints().Route(options);
      }
      try {
        RunningSystem started = StartSystem(options);
        builds_.push_back({started, true, started});
        // The demo's requests reach each service through its link, as its peers do.
        if (links != nullptr) links->Endpoints().RouteDriver(builds_.back().system);
      } catch (const std::exception& e) {
        StopOurs();
        throw std::runtime_error("cannot start the " + std::string(ArchName(arch)) +
                                 " build for the demo: " + e.what());
      }
    }
    if (!infra_) infra_ = infra::LoadInfraState(state_dir_);
  }
  ~DemoBuilds() { StopOurs(); }
  DemoBuilds(const DemoBuilds&) = delete;
  DemoBuilds& operator=(const DemoBuilds&) = delete;

  struct Build {
    RunningSystem system;  // as the demo reaches it (with --network, each service's link)
    bool started_here;
    RunningSystem direct;  // its services' own ports
  };
  std::vector<Build>& builds() { return builds_; }
  std::string amqp_url() const { return infra_ ? infra_->amqp_url : std::string(); }
  // A build of `flowbench up` whose service was restarted: `flowbench down` needs the new pid.
  void Remember(const Build& build) const {
    if (build.started_here) return;
    RunningSystem saved = build.direct;  // the new pids, the services' own ports
    for (std::size_t i = 0; i < saved.services.size(); ++i) {
      saved.services[i].pid = build.system.services[i].pid;
    }
    SaveSystem(state_dir_, saved);
  }

 private:
  // The network of the build `up` started: its relay process's links, when it has one. The
  // demo's --network must be that one (the links are up's, not the demo's to change).
  std::optional<network::DetachedRelays> UpsNetwork(const DemoCommandOptions& o, Arch arch) const {
    std::optional<network::DetachedRelays> relays = network::LoadDetachedRelays(state_dir_, arch);
    std::string build =
        "the " + std::string(ArchName(arch)) + " build of `flowbench up` in " + state_dir_.string();
    if (relays && !network::IsRunning(*relays, state_dir_)) {
      throw std::runtime_error(build + " has lost its relay process (" +
                               std::to_string(relays->pid) +
                               "): run `flowbench up --network ...` again to restart it");
    }
    if (o.network.Relayed() && !relays) {
      throw std::runtime_error(build + " runs without --network: run `flowbench up --network " +
                               o.network.name +
                               "`, or `flowbench down` and let the demo start "
                               "its own behind the emulated network");
    }
    if (o.network.Relayed() && relays &&
        (relays->profile.name != o.network.name ||
         relays->profile.one_way_delay_ms != o.network.one_way_delay_ms ||
         relays->profile.jitter_ms != o.network.jitter_ms ||
         relays->profile.loss != o.network.loss)) {
      throw std::runtime_error(build + " runs behind the network '" + relays->profile.name +
                               "', not the one asked for ('" + o.network.name +
                               "'): ask for that one, or run `flowbench up` with this one");
    }
    return relays;
  }
  void RequireHealthy(const RunningSystem& system) const {
    for (const ServiceHealth& h : CheckSystem(system)) {
      if (!h.healthy) {
        throw std::runtime_error("the " + std::string(ArchName(system.arch)) + " build in " +
                                 state_dir_.string() + " is not healthy (" + h.name + ": " +
                                 h.detail +
                                 "). Run `flowbench up` to restart it, or `flowbench down` and let "
                                 "the demo start its own.");
      }
    }
  }
  void StopOurs() {
    for (Build& b : builds_) {
      if (b.started_here) StopSystem(b.system);
    }
    builds_.clear();
    links_.clear();
    if (infra_started_here_) {
      infra::InfraDown(state_dir_);
      infra_started_here_ = false;
    }
  }

  std::filesystem::path state_dir_;
  std::vector<Build> builds_;
  std::vector<std::unique_ptr<network::RelayedParts>> links_;  // --network, per build started here
  std::optional<infra::InfraState> infra_;
  bool infra_started_here_ = false;
};

// `--gateway`: a flowbench-gateway in front of each build the demo shows (run --gateway's,
// bench/run/gateway_hop.hpp: a free port, a secret of its own, one customer token), stopped
// when this goes, before the builds. As with run --gateway, it reaches the services directly
// even with --network (the relays' ports are not the consecutive ones it expects).
class DemoGateways {
 public:
  DemoGateways(const DemoCommandOptions& o, DemoBuilds& builds) {
    if (!o.gateway) return;
    run::GatewayHopOptions options = o.gateway_options;
    options.subject = "flowbench-demo";
    for (DemoBuilds::Build& build : builds.builds()) {
      const RunningSystem& system = build.system;
      std::string arch(ArchName(system.arch));
      const run::RunGateway& gateway = *gateways_.emplace_back(std::make_unique<run::RunGateway>(
          system.arch, system.port_base, o.infra.state_dir / "run" / ("demo-gateway-" + arch),
          options));
      std::cout << "The " << arch << " build's requests go through a gateway on port "
                << gateway.port() << " (rate limit " << options.rate_limit << "; log "
                << gateway.log().string() << ").\n";
      access_.push_back(
          demo::GatewayAccess{gateway.port(), gateway.Authorization(), gateway.log()});
    }
  }
  // The gateway in front of the i-th build; nullopt without --gateway.
  std::optional<demo::GatewayAccess> For(std::size_t i) const {
    if (i >= access_.size()) return std::nullopt;
    return access_[i];
  }

 private:
  std::vector<std::unique_ptr<run::RunGateway>> gateways_;
  std::vector<demo::GatewayAccess> access_;
};

std::vector<Arch> Archs(const std::string& name) {
  if (name == "both") return {Arch::kSync, Arch::kAsync};
  return {*ParseArch(name)};
}

void WaitForEnter() {
  if (g_interrupted) return;  // Ctrl-C: print the rest and stop
  std::cout << "      (Enter: next hop)" << std::flush;
  std::string ignored;
  if (!std::getline(std::cin, ignored)) std::cin.clear();  // no terminal: go on
}

int DemoScenario(const DemoCommandOptions& o) {
  const ScenarioSpec& scenario = demo::ResolveDemoScenario(o.what);  // before starting anything
  DemoBuilds builds(o, Archs(o.arch));
  DemoGateways gateways(o, builds);
  demo::DemoOptions options;
  options.answer_timeout = std::chrono::seconds(o.timeout_s);
  options.settle_timeout = std::chrono::seconds(o.timeout_s);
  options.interrupted = &g_interrupted;
  if (o.step) options.between_hops = WaitForEnter;
  int code = 0;
  for (std::size_t i = 0; i < builds.builds().size(); ++i) {
    std::cout << "\n";
    demo::DemoTarget target{&builds.builds()[i].system, builds.amqp_url(), gateways.For(i)};
    demo::DemoOutcome outcome = demo::RunScenarioDemo(scenario, target, options, std::cout);
    if (!outcome.finished) code = 1;
    if (g_interrupted) return 130;
  }
  return code;
}

int DemoOutage(const DemoCommandOptions& o) {
  demo::FindOutageStory(o.outage_service);  // a clear error before starting anything
  DemoBuilds builds(o, Archs(o.arch));
  DemoGateways gateways(o, builds);
  demo::OutageOptions options;
  options.service = o.outage_service;
  options.before = Seconds(o.before_seconds);
  options.outage = Seconds(o.outage_seconds);
  options.after = Seconds(o.after_seconds);
  options.rate = o.rate;
  options.catch_up_timeout = std::chrono::seconds(o.timeout_s);
  options.interrupted = &g_interrupted;
  if (o.gateway && o.gateway_options.rate_limit != "off") {
    // Three times what the bucket holds: a third gets through, the rest meets the limit.
    options.burst_requests = static_cast<int>(std::ceil(3 * o.gateway_options.burst));
    std::ostringstream limit;
    limit << o.gateway_options.rate_limit << ", burst " << o.gateway_options.burst;
    options.rate_limit = limit.str();
  }
  std::vector<demo::OutageBuild> outage_builds;
  for (std::size_t i = 0; i < builds.builds().size(); ++i) {
    DemoBuilds::Build& build = builds.builds()[i];
    outage_builds.push_back({&build.system, builds.amqp_url(),
                             [&builds, &build] { builds.Remember(build); }, gateways.For(i)});
  }
  demo::OutageReport report = demo::RunOutageDemo(options, outage_builds, std::cout);
  if (g_interrupted) return 130;
  for (const demo::OutageTally& t : report.builds) {
    if (t.arch == "async" && t.lost() != 0) return 1;  // the demo's claim did not hold
  }
  return 0;
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto o = std::make_shared<DemoCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "classroom demo: `demo <scenario>` narrates one traced request per build, hop by hop; "
      "`demo outage` stops email or payment under light load and shows what each build does");
  cmd->add_option("what", o->what,
                  "scenario1..scenario6 (or register, payment, product, report, "
                  "order, click), or outage")
      ->required();
  infra::BindInfraOptions(*cmd, o->infra);
  cmd->add_option("--arch", o->arch, "sync, async or both (one after the other)")
      ->check(CLI::IsMember({"sync", "async", "both"}))
      ->capture_default_str();
  cmd->add_flag("--step", o->step, "wait for Enter after each hop (to explain it)");
  cmd->add_option("--timeout", o->timeout_s,
                  "seconds to wait for the answer, and again for the work behind it")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  const char* outage = "Outage (demo outage only)";
  auto* service = cmd->add_option("--service", o->outage_service, "the service to stop")
                      ->check(CLI::IsMember({"email", "payment"}))
                      ->capture_default_str()
                      ->group(outage);
  auto* seconds = cmd->add_option("--seconds", o->outage_seconds, "how long it stays away")
                      ->check(CLI::Range(0.5, 3600.0))
                      ->capture_default_str()
                      ->group(outage);
  auto* before = cmd->add_option("--before", o->before_seconds, "seconds of load before it stops")
                     ->check(CLI::Range(0.0, 3600.0))
                     ->capture_default_str()
                     ->group(outage);
  auto* after = cmd->add_option("--after", o->after_seconds, "seconds of load after it is back")
                    ->check(CLI::Range(0.0, 3600.0))
                    ->capture_default_str()
                    ->group(outage);
  auto* rate = cmd->add_option("--rate", o->rate, "requests per second on each build")
                   ->check(CLI::Range(0.1, 100.0))
                   ->capture_default_str()
                   ->group(outage);
  BindWorkloadSettings(*cmd, o->workload);
  BindPassThroughArgs(*cmd, o->service_args);  // for the services the demo starts itself
  BindNetworkFlags(*cmd, o->network_flags);
  cmd->add_flag("--gateway", o->gateway,
                "send the demo's requests through an API gateway (flowbench-gateway) in front of "
                "each build, with a customer token minted for the demo; the timeline shows the "
                "gateway's hop, and `demo outage` with a rate limit ends with a burst")
      ->group("Gateway");
  BindGatewayLimitFlags(*cmd, o->gateway_options,
                        "the gateway's rate limit for the demo's one token: N/s, N/m or off; "
                        "`demo outage` then sends 3 x --gateway-burst requests at once "
                        "(e.g. 5/s with --gateway-burst 5)");
  cmd->callback([o, service, seconds, before, after, rate] {
    o->network = ResolveNetworkFlags(o->network_flags);
    std::signal(SIGINT, OnDemoInterrupt);
    int code = 0;
    if (o->what == "outage") {
      code = DemoOutage(*o);
    } else {
      for (CLI::Option* only_outage : {service, seconds, before, after, rate}) {
        if (only_outage->count() > 0) {
          throw CLI::ValidationError(only_outage->get_name(),
                                     "only `flowbench demo outage` takes it");
        }
      }
      code = DemoScenario(*o);
    }
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace flowbench::cli
