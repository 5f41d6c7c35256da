// The emulated network of one build's run: a relay in front of every part, so that every
// connection one part opens to another crosses a link. One link per service (the driver's
// requests and the other services' calls reach the service through it: the services get
// `--peer NAME=<its relay>`), one in front of PostgreSQL and, for the async build, one in
// front of RabbitMQ (the services get the relays' URLs). Nothing of the host's networking is
// touched: the relays are sockets on 127.0.0.1 in this process, closed with this object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bench/network/delay_relay.hpp"
#include "bench/network/link_probe.hpp"
#include "bench/network/network_profile.hpp"
#include "common/domain/catalogue.hpp"

namespace flowbench {
struct SystemOptions;
struct RunningSystem;
}  // namespace flowbench

namespace flowbench::network {

// `url` with its host and port replaced (scheme, user, path and query kept); throws
// std::invalid_argument when it has no scheme://host:port.
std::string WithHostPort(const std::string& url, const std::string& host, int port);
struct HostPort {
  std::string host;
  int port = 0;
};
HostPort HostPortOf(const std::string& url);

// A profile's shape for the relays.
LinkShape ShapeOf(const NetworkProfile& profile);

// What a build's services and its driver need to know of its links: the relays' URLs and
// ports. `flowbench run` and `demo` get it from the RelayedParts they hold; `flowbench up`
// from the relay process's state file (bench/network/detached_relays.hpp).
struct BuildLinks {
  std::string pg_url, amqp_url;  // the relays in front of PostgreSQL and RabbitMQ
  std::vector<RelayLink> links;  // one per service, then postgres, then rabbitmq (async)

  // --peer NAME=http://127.0.0.1:<relay> for every service, for every service's command line.
  std::vector<std::string> PeerArgs() const;
  // Where the driver connects to reach `service`; throws std::invalid_argument when unknown.
  int ServicePort(std::string_view service) const;
  // The services' options pointed at the relays: their database and broker URLs and --peer.
  void Route(SystemOptions& options) const;
  // The driver's view of a started build: each service reached through its link.
  void RouteDriver(RunningSystem& system) const;
};

class RelayedParts {
 public:
  // `port_base`: the build's (0: the contract's ports); pg_url / amqp_url: the real servers.
  RelayedParts(const NetworkProfile& profile, Arch arch, int port_base, const std::string& pg_url,
               const std::string& amqp_url, std::uint64_t seed = 1);
  RelayedParts(const RelayedParts&) = delete;
  RelayedParts& operator=(const RelayedParts&) = delete;
  ~RelayedParts();  // closes the relays, removes the relay's passfile

  std::string PgUrl() const { return pg_url_; }
  std::string AmqpUrl() const { return amqp_url_; }
  // --peer NAME=http://127.0.0.1:<relay> for every service, for every service's command line.
  std::vector<std::string> PeerArgs() const;
  // Where the driver connects to reach `service`.
  int ServicePort(std::string_view service) const;
  const std::vector<RelayLink>& Links() const { return relays_.Links(); }
  BuildLinks Endpoints() const { return {pg_url_, amqp_url_, relays_.Links()}; }
  // The PostgreSQL passfile written for the relay's port (empty: none), removed with this.
  const std::filesystem::path& Passfile() const { return passfile_; }
  // `--fault partition:NAME`: the part's link cut (true) or healed (RelayHost::SetCut).
  void SetCut(const std::string& name, bool cut) { relays_.SetCut(name, cut); }

  // Every link's round trip (MeasureLink), in the order the links were added.
  std::vector<LinkRtt> Measure(int samples = 3) const;

 private:
  RelayHost relays_;
  std::string pg_url_, amqp_url_;
  std::filesystem::path passfile_;  // the PostgreSQL passfile for the relay's port, if any
};

// Whether this kernel offers the netem queueing discipline, found without changing anything:
// the module loaded, present on disk, or built in according to the kernel's config file.
bool NetemAvailable();

}  // namespace flowbench::network
