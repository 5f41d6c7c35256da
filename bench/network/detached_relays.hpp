// The emulated network of a build of `flowbench up --network`: its services outlive the
// command, so their relays live in a process of their own (`flowbench relay`, hidden), started
// detached by `up` and stopped by `down`. That process holds a RelayedParts, as `flowbench run`
// does, and describes its links in `<state dir>/relays-<arch>.json` (0600): the relays' URLs
// and ports that `up` gives the services and that `demo` and `status` read back.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench/network/network_profile.hpp"
#include "bench/network/relayed_parts.hpp"
#include "common/domain/catalogue.hpp"

namespace flowbench::network {

// What the relay process is asked to relay: one build's parts, as RelayedParts takes them.
struct DetachedRelaysRequest {
  std::filesystem::path state_dir;
  Arch arch = Arch::kSync;
  NetworkProfile profile;
  int port_base = 0;  // the build's (0: the contract's ports)
  std::string pg_url, amqp_url;
  std::uint64_t seed = 1;
};

// The state file's content.
struct DetachedRelays {
  pid_t pid = 0;
  Arch arch = Arch::kSync;
  NetworkProfile profile;
  BuildLinks links;
  std::filesystem::path passfile;  // the relay's PostgreSQL passfile (empty: none)
};

std::filesystem::path RelayStateFile(const std::filesystem::path& state_dir, Arch arch);

// The state file as written, whether or not its process still runs; nullopt when there is none.
// Throws std::runtime_error on a file that is not one.
std::optional<DetachedRelays> LoadDetachedRelays(const std::filesystem::path& state_dir, Arch arch);

// Whether the state file's process runs and is the relay process of this state directory (a
// pid left in a stale file may belong to another process by now: that one is never signalled).
bool IsRunning(const DetachedRelays& relays, const std::filesystem::path& state_dir);

// The relay process's body (`flowbench relay`): starts the relays, writes the state file once
// they listen, and serves until SIGTERM, SIGINT or SIGHUP; then closes the relays and removes
// the state file and the passfile. Returns the exit code.
int ServeDetachedRelays(const DetachedRelaysRequest& request);

// Starts `flowbench relay` (`flowbench_binary`) detached, its output appended to `log`, and
// waits until its state file names it (10 s at most; then it is stopped and the error quotes
// its log). A relay process left for the same build is stopped first.
DetachedRelays StartDetachedRelays(const std::filesystem::path& flowbench_binary,
                                   const DetachedRelaysRequest& request,
                                   const std::filesystem::path& log);

enum class RelayStop {
  kNone,          // no state file
  kStopped,       // its relay process was running and is stopped
  kStaleRemoved,  // its process was gone (or not a relay): the leftover files are removed
};
// Stops the build's relay process, if any, and removes its state file and passfile.
RelayStop StopDetachedRelays(const std::filesystem::path& state_dir, Arch arch);

// The links between the nodes of a RabbitMQ cluster that `flowbench infra up --rabbitmq-nodes N
// --network P` starts (NETWORK.md, "Between RabbitMQ nodes"): the cluster outlives the
// command, so its node links live in a relay process of their own too (`flowbench relay
// --node-links`), described in `<state dir>/relays-rabbitmq-nodes.json`. `infra down` stops
// the nodes first, then this process: a node link that closes while the cluster runs is a
// partition.
struct DetachedNodeLinksRequest {
  std::filesystem::path state_dir;
  NetworkProfile profile;
  std::vector<RelayLink> links;  // AddRabbitNodeLinks's, each with its listen address and port
  std::uint64_t seed = 1;
};

struct DetachedNodeLinks {
  pid_t pid = 0;
  NetworkProfile profile;
  std::vector<RelayLink> links;
};

std::filesystem::path NodeLinksStateFile(const std::filesystem::path& state_dir);
// As LoadDetachedRelays and IsRunning, for the node links' relay process.
std::optional<DetachedNodeLinks> LoadDetachedNodeLinks(const std::filesystem::path& state_dir);
bool IsRunning(const DetachedNodeLinks& links, const std::filesystem::path& state_dir);
// `flowbench relay --node-links`: as ServeDetachedRelays.
int ServeDetachedNodeLinks(const DetachedNodeLinksRequest& request);
// As StartDetachedRelays (a node links' relay process left in the directory is stopped first).
DetachedNodeLinks StartDetachedNodeLinks(const std::filesystem::path& flowbench_binary,
                                         const DetachedNodeLinksRequest& request,
                                         const std::filesystem::path& log);
// As StopDetachedRelays. Call it after the nodes are stopped.
RelayStop StopDetachedNodeLinks(const std::filesystem::path& state_dir);

}  // namespace flowbench::network
