// Collecting one trace's hops from the services' log files while the request runs.
//
// Each service writes its own log, so hops arrive from several files, each in its own order.
// The follower reads only what was appended since it was created and holds every hop back
// for a short settling time before handing it out: a hop written a moment earlier in another
// file is then already read, and the timeline comes out in timestamp order while it happens.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/demo/hop.hpp"

namespace flowbench::demo {

class TraceFollower {
 public:
  // Follows `logs` from their current end. Create it before sending the traced request.
  TraceFollower(std::string trace_id, std::vector<std::filesystem::path> logs,
                std::chrono::milliseconds settle = std::chrono::milliseconds(100));

  // A hop seen elsewhere (the client's own), released in order with the others.
  void Add(Hop hop) { held_.push_back(std::move(hop)); }

  // Reads what the logs gained; returns the hops older than the settling time, oldest first.
  std::vector<Hop> Poll();
  // Reads once more and returns everything still held back (at the end).
  std::vector<Hop> Drain();

  // When the last hop of the trace was read (steady clock): the trace has gone quiet since.
  std::chrono::steady_clock::time_point last_hop_read() const { return last_hop_read_; }

 private:
  struct FollowedLog {
    std::filesystem::path path;
    std::uintmax_t offset = 0;  // bytes already read
    std::string partial;        // a line still being written
  };
  void ReadNewLines();
  std::vector<Hop> Release(SystemTime up_to);

  std::string trace_id_;
  std::vector<FollowedLog> logs_;
  std::chrono::milliseconds settle_;
  std::vector<Hop> held_;
  std::chrono::steady_clock::time_point last_hop_read_;
};

// Whether every hop that opened something has seen it closed: a received request its answer,
// a call its reply, a consumed message its ack. The work of a trace is over only then. (Below
// zero, an opening hop was never read: nothing is known to be open, so that counts as closed
// rather than as a wait until the timeout.)
class HopBalance {
 public:
  void Add(const Hop& hop);
  bool Closed() const { return open_ <= 0; }
  int open() const { return open_; }

 private:
  int open_ = 0;
};

}  // namespace flowbench::demo
