// A delaying TCP relay: the emulated network link used where the kernel has no `netem`
// (this project's machines: "Specified qdisc kind is unknown"). Each link listens on a port
// of its own on 127.0.0.1 and connects every accepted connection to its target; each chunk
// read in one direction is written on after the link's one-way delay, with jitter drawn per
// chunk but never reordering bytes (a chunk's release time is max(the previous chunk's
// release, its arrival + delay + jitter)). A link may also listen on an address and port given
// (the links between RabbitMQ nodes: bench/network/rabbit_node_links.hpp). A new connection's first
// bytes wait one round trip more, as they would behind a TCP handshake. Loss: a TCP relay cannot
// drop bytes, so a lost segment is emulated as what TCP makes of it, a retransmission: with
// probability `loss` a chunk is held one retransmission timeout longer (max(200 ms, 2 x RTT); 200
// ms is Linux's minimum RTO). One thread (its own io_context) serves every link of a RelayHost.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace flowbench::network {

struct LinkShape {
  std::chrono::microseconds delay{0};   // one way
  std::chrono::microseconds jitter{0};  // +- per chunk
  double loss = 0;                      // per chunk: held one RTO more
};

struct RelayLink {
  std::string name;         // "user", "postgres", "rabbitmq", ...
  std::string target_host;  // where accepted connections go
  int target_port = 0;
  std::string listen_host = "127.0.0.1";  // where the relay listens
  int listen_port = 0;                    // chosen by the kernel unless asked for
};

class RelayHost {
 public:
  // `seed`: the jitter's and the loss's randomness (the same seed, the same draws per link).
  explicit RelayHost(LinkShape shape, std::uint64_t seed = 1);
  RelayHost(const RelayHost&) = delete;
  RelayHost& operator=(const RelayHost&) = delete;
  // Stops the relay thread and closes every listening socket and every relayed connection.
  ~RelayHost();

  // Starts relaying listen_host:listen_port (0: a free port) -> target_host:target_port;
  // returns the link with its listen_port. Throws when the port cannot be opened.
  RelayLink Add(const std::string& name, const std::string& target_host, int target_port,
                const std::string& listen_host = "127.0.0.1", int listen_port = 0);

  // `--fault partition:NAME`: while the link `name` is cut, its open connections' bytes are
  // held (as TCP retransmits them into a partition: nothing is lost, nothing arrives) and a new
  // connection is accepted but not put through to its target; at the heal (false) both go on.
  // Throws std::invalid_argument for a link it does not have. Safe from any thread.
  void SetCut(const std::string& name, bool cut);

  const LinkShape& Shape() const { return shape_; }
  const std::vector<RelayLink>& Links() const { return links_; }

 private:
  struct Impl;
  LinkShape shape_;
  std::uint64_t seed_;
  std::vector<RelayLink> links_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowbench::network
