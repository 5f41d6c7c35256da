// This checkout's builds, measured on this machine, as `flowbench run` and `flowbench sweep`
// both do it: the embedded servers (started for the command unless already running, and then
// stopped when it ends), and one measurement of one build on a fresh state: tables and queues
// reset, the ten services started on private ports, measured, stopped.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <optional>

#include "bench/network/rabbit_node_links.hpp"
#include "bench/run/measure.hpp"
#include "bench/run/measured_build.hpp"
#include "bench/run/run_options.hpp"
#include "common/domain/catalogue.hpp"
#include "common/domain/profiles.hpp"
#include "common/infra/infra.hpp"

namespace flowbench::run {

// A command leaves the machine as it found it: the embedded servers it had to start itself
// are stopped when it ends, Ctrl-C and errors included; servers that were already running
// (`flowbench infra up`, `flowbench up`) are left running for the next command. With
// `--network` a RabbitMQ cluster started here gets links between its nodes, which live as long
// as this object; a cluster already running is taken as it is (its nodes' links, if any,
// are someone else's).
class EmbeddedInfra {
 public:
  explicit EmbeddedInfra(const RunOptions& options);
  EmbeddedInfra(const EmbeddedInfra&) = delete;
  EmbeddedInfra& operator=(const EmbeddedInfra&) = delete;
  ~EmbeddedInfra();

  const infra::InfraState& State() const { return up_.state; }
  // Each link between the RabbitMQ nodes with its round trip, measured now; empty without
  // node links (no --network, one node, or a cluster reused as it runs that was started
  // without them; one started by `infra up --network` has its links' relay process).
  std::vector<report::LinkRoundTrip> MeasureNodeLinks() const;

 private:
  std::filesystem::path state_dir_;
  // Before up_: the nodes are started through them, and stopped (~EmbeddedInfra) before them.
  std::unique_ptr<network::RabbitNodeLinkHost> node_links_;
  infra::UpResult up_;
};

// One measurement of `arch` (MeasureOnce) on a fresh state; its services' settings in force
// are recorded under settings["in_force"][arch] the first time; with --network its
// network_links include the links between the RabbitMQ nodes, if any. nullopt: `stop` was set while
// the services started (nothing was measured). The services are stopped either way.
std::optional<Measurement> MeasureOwnBuild(Arch arch, const EmbeddedInfra& servers,
                                           const Profile& profile, int repeat, std::uint64_t seed,
                                           const RunOptions& options, const std::atomic<bool>& stop,
                                           const ProgressPrinter& print,
                                           boost::json::object& settings);

// What results.json says of the network (`--network`): the profile asked for and the median
// round trip of every link measured (each run's network_links).
report::Network NetworkOf(const RunOptions& options,
                          const std::vector<report::LinkRoundTrip>& measured);
std::vector<report::LinkRoundTrip> LinksOf(const std::vector<report::ProfileRun>& runs);

// What the build's services report at GET /settings, recorded once per build (before its
// first measurement) under settings["in_force"][arch].
void RecordSettingsInForce(const MeasuredBuild& system, boost::json::object& settings);

}  // namespace flowbench::run
