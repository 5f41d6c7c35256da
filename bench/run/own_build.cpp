#include "bench/run/own_build.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/network/detached_relays.hpp"
#include "bench/network/relayed_parts.hpp"
#include "bench/run/fault_injector.hpp"
#include "bench/run/gateway_hop.hpp"
#include "bench/run/samplers.hpp"
#include "bench/run/settings_scrape.hpp"
#include "common/amqp/connection.hpp"
#include "common/db/database.hpp"
#include "common/db/schema.hpp"
#include "common/domain/topology.hpp"
#include "common/infra/ports.hpp"
#include "common/service/launcher.hpp"

namespace flowbench::run {
namespace {

// The value of `--name V` or `--name=V` in the services' arguments, else of the environment
// variable the services read too (a flag wins over the environment, as in the services).
std::optional<long long> ServiceSetting(const std::vector<std::string>& args, std::string_view name,
                                        const char* env) {
  std::optional<std::string> text;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name && i + 1 < args.size()) text = args[i + 1];
    if (args[i].starts_with(std::string(name) + "=")) text = args[i].substr(name.size() + 1);
  }
  if (!text) {
    if (const char* value = std::getenv(env)) text = value;
  }
  if (!text) return std::nullopt;
  try {
    return std::stoll(*text);
  } catch (const std::exception&) {
    return std::nullopt;  // the service refuses it at start, with a message of its own
  }
}

// The retry delays are part of the delay queues' names, so the names to purge depend on the
// schedule the async services are started with.
topology::RetrySchedule ServiceRetrySchedule(const std::vector<std::string>& service_args) {
  topology::RetrySchedule schedule;
  if (auto attempts =
          ServiceSetting(service_args, "--retry-attempts", "FLOWBENCH_RETRY_ATTEMPTS")) {
    schedule.attempts = static_cast<int>(*attempts);
  }
  if (auto base =
          ServiceSetting(service_args, "--retry-base-delay-ms", "FLOWBENCH_RETRY_BASE_DELAY_MS")) {
    schedule.base_delay = std::chrono::milliseconds(*base);
  }
  return schedule;
}

// Fresh tables and empty queues (the builds' services must not be running: a consumer's
// unacknowledged messages survive a purge). Every queue the async build declares is purged,
// its delay queues and dead-letter queues too: a retry copy left from an earlier run would
// come back into this one.
void ResetState(Arch arch, const infra::InfraState& infra,
                const std::vector<std::string>& service_args) {
  DatabaseSettings db;
  db.url = infra.pg_url;
  db.schema = std::string(ArchName(arch));
  ResetSchema(*Connect(db), db.schema);
  if (arch == Arch::kAsync) {
    AmqpConnection amqp(infra.amqp_url, std::chrono::seconds(5), "flowbench-driver-reset");
    for (const std::string& q : topology::DeclaredQueues(ServiceRetrySchedule(service_args))) {
      if (amqp.QueueDepth(q)) amqp.PurgeQueue(q);
    }
  }
}

std::vector<std::string> ServiceArgs(const RunOptions& o, Arch arch) {
  std::vector<std::string> args = ToArgs(o.workload);
  std::vector<std::string> pass_through = o.service_args.For(arch);
  args.insert(args.end(), pass_through.begin(), pass_through.end());
  if (NeedsFaultInjection(o.faults)) args.emplace_back("--fault-injection");
  return args;
}

// The driver reaches each service through its link, as the other services do.
void RouteThroughLinks(MeasuredBuild& system, const network::RelayedParts& links) {
  for (ServiceEndpoint& s : system.services) s.port = links.ServicePort(s.name);
}

std::vector<report::LinkRoundTrip> ToRoundTrips(const std::vector<network::LinkRtt>& links) {
  std::vector<report::LinkRoundTrip> measured;
  for (const network::LinkRtt& l : links) {
    measured.push_back({l.name, l.rtt_ms, l.direct_ms, l.relay_port});
  }
  return measured;
}

std::vector<report::LinkRoundTrip> MeasureLinks(const network::RelayedParts& links) {
  return ToRoundTrips(links.Measure());
}

// The options InfraUp gets: with --network, a cluster it starts gets node links from `links`.
infra::InfraOptions WithNodeLinks(infra::InfraOptions options, network::RabbitNodeLinkHost* links) {
  if (links != nullptr) options.rabbitmq_node_links = links->Hook();
  return options;
}

std::unique_ptr<network::RabbitNodeLinkHost> NodeLinksFor(const RunOptions& o) {
  // One node has no link to another; 0 nodes asked for: a broker reused as it runs.
  if (!o.network.Relayed() || o.infra.rabbitmq_nodes < 2) return nullptr;
  return std::make_unique<network::RabbitNodeLinkHost>(o.network, o.seed);
}

}  // namespace

void RecordSettingsInForce(const MeasuredBuild& system, boost::json::object& settings) {
  boost::json::value& in_force = settings["in_force"];
  if (!in_force.is_object()) in_force = boost::json::object();
  std::string_view arch = ArchName(system.arch);
  if (in_force.as_object().contains(arch)) return;
  ServiceUrls urls;
  for (const ServiceEndpoint& s : system.services) urls.emplace_back(s.name, s.Url());
  in_force.as_object()[arch] = FetchSettingsInForce(urls);
}

std::vector<report::LinkRoundTrip> LinksOf(const std::vector<report::ProfileRun>& runs) {
  std::vector<report::LinkRoundTrip> links;
  for (const report::ProfileRun& run : runs) {
    links.insert(links.end(), run.network_links.begin(), run.network_links.end());
  }
  return links;
}

report::Network NetworkOf(const RunOptions& o, const std::vector<report::LinkRoundTrip>& measured) {
  report::Network n;
  n.profile = o.network.name;
  n.one_way_delay_ms = o.network.one_way_delay_ms;
  n.jitter_ms = o.network.jitter_ms;
  n.loss = o.network.loss;
  n.netem_available = network::NetemAvailable();
  // The relay is the only method implemented: where a kernel has netem, it would be the
  // cheaper one (bench/network/NETWORK.md), but the relay works everywhere, the same way.
  n.method = o.network.Relayed() ? "relay" : "none";
  std::vector<double> rtts;
  for (const report::LinkRoundTrip& link : measured) rtts.push_back(link.rtt_ms);
  if (!rtts.empty()) n.rtt_ms_measured = network::Median(rtts);
  return n;
}

EmbeddedInfra::EmbeddedInfra(const RunOptions& options)
    : state_dir_(options.infra.state_dir),
      node_links_(NodeLinksFor(options)),
      up_(infra::InfraUp(WithNodeLinks(options.infra, node_links_.get()))) {
  if (options.network.Relayed() && up_.state.rabbitmq && !up_.state.rabbitmq_peers.empty() &&
      up_.state.rabbitmq->dist_listen_host.empty()) {
    std::fprintf(stderr,
                 "flowbench: note: the RabbitMQ cluster already running in %s was started "
                 "without --network: its nodes talk to each other undelayed (`flowbench infra "
                 "down` first, and this run starts one with delayed node links)\n",
                 state_dir_.c_str());
  }
}

std::vector<report::LinkRoundTrip> EmbeddedInfra::MeasureNodeLinks() const {
  if (node_links_ != nullptr && !node_links_->Links().empty()) {
    return ToRoundTrips(node_links_->Measure());
  }
  // A cluster reused as it runs, started by `infra up --network`: its links' relay process.
  std::optional<network::DetachedNodeLinks> detached = network::LoadDetachedNodeLinks(state_dir_);
  if (!detached || !network::IsRunning(*detached, state_dir_)) return {};
  std::vector<network::LinkRtt> measured;
  for (const network::RelayLink& link : detached->links) {
    measured.push_back(network::MeasureLink(link));
  }
  return ToRoundTrips(measured);
}

EmbeddedInfra::~EmbeddedInfra() {
  if (up_.reused) return;
  try {
    infra::InfraDown(state_dir_);
  } catch (const std::exception& e) {
    // A destructor cannot throw (an exception may be on its way already): say it instead.
    std::fprintf(stderr,
                 "flowbench: stopping the embedded servers failed: %s\n"
                 "  `flowbench infra down --state-dir %s` stops them\n",
                 e.what(), state_dir_.c_str());
  }
}

std::optional<Measurement> MeasureOwnBuild(Arch arch, const EmbeddedInfra& servers,
                                           const Profile& profile, int repeat, std::uint64_t seed,
                                           const RunOptions& o, const std::atomic<bool>& stop,
                                           const ProgressPrinter& print,
                                           boost::json::object& settings) {
  const infra::InfraState& infra = servers.State();
  std::optional<Measurement> measurement;
  SystemOptions system_options;
  system_options.arch = arch;
  system_options.bin_dir = ExecutableDir();
  system_options.run_dir = o.infra.state_dir / "run" / ("run-" + std::string(ArchName(arch)));
  system_options.port_base = infra::FindFreePortBase(10);
  system_options.pg_url = infra.pg_url;
  system_options.amqp_url = infra.amqp_url;
  system_options.extra_args = ServiceArgs(o, arch);
  QueueObservation queues{nullptr, "none"};
  if (arch == Arch::kAsync) {
    queues = {AmqpQueueDepths(infra.amqp_url, ContractQueues()), "amqp"};
  }
  // Every run starts from empty tables, empty queues and fresh processes, reset before any
  // consumer runs: an earlier run's undrained backlog must not leak into this one (a
  // consumer would take it before a purge, then find its rows gone).
  ResetState(arch, infra, system_options.extra_args);
  // Fresh completion journals: a service killed by a fault and started again continues its
  // records (CONTRACT §5.1) instead of taking the unread ones with it.
  std::filesystem::path journals = system_options.run_dir / "completions";
  std::filesystem::remove_all(journals);
  std::filesystem::create_directories(journals);
  system_options.extra_args.push_back("--completion-journal=" + journals.string());
  // --network: the relays live as long as this measurement (closed on every way out).
  std::optional<network::RelayedParts> links;
  if (o.network.Relayed()) {
    links.emplace(o.network, arch, system_options.port_base, infra.pg_url, infra.amqp_url, seed);
    links->Endpoints().Route(system_options);
  }
  RunningSystem running = StartSystem(system_options);
  if (stop) {  // Ctrl-C while the services started: nothing to measure
    StopSystem(running);
    return std::nullopt;
  }
  try {
    MeasuredBuild system = FromRunningSystem(running);
    std::vector<report::LinkRoundTrip> link_rtts;
    if (links) {
      RouteThroughLinks(system, *links);
      link_rtts = MeasureLinks(*links);
      std::vector<report::LinkRoundTrip> node_links = servers.MeasureNodeLinks();
      link_rtts.insert(link_rtts.end(), node_links.begin(), node_links.end());
    }
    RecordSettingsInForce(system, settings);
    // --gateway: in front of the services, for this measurement only; stopped on every way
    // out. It reaches them directly (with --network, only the driver's hop to it is not
    // emulated: the relays' ports are not the consecutive ones the gateway expects).
    std::optional<RunGateway> gateway;
    if (o.gateway) {
      GatewayHopOptions gateway_options = o.gateway_options;
      gateway_options.otlp_endpoint = o.service_args.otlp_endpoint;  // spans beside the services'
      gateway.emplace(arch, system_options.port_base, system_options.run_dir / "gateway",
                      gateway_options);
      system.gateway = GatewayEndpoint{"127.0.0.1", gateway->port(), gateway->Authorization()};
    }
    measurement = MeasureOnce(system, queues, profile, repeat, seed, o, stop, print, &running,
                              links ? &*links : nullptr);
    measurement->run.network_links = std::move(link_rtts);
  } catch (...) {
    StopSystem(running);
    throw;
  }
  StopSystem(running);
  return measurement;
}

}  // namespace flowbench::run
