// The trivial endpoint of the HTTP limit, in-process: one thread of its own, HTTP/1.1
// keep-alive, `GET /` answered with a tiny fixed body (the same server as
// bench/perf/trivial_server.cpp, which the driver-vs-wrk benchmark runs as an executable). It
// does as little as a Beast server can, so the rate it sustains is what one core spends on
// HTTP framing and loopback sockets, not on any service's work.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

namespace flowbench::limits {

class TrivialHttpServer {
 public:
  TrivialHttpServer();   // listening on 127.0.0.1, a free port, serving on its own thread
  ~TrivialHttpServer();  // closes every connection and joins the thread
  TrivialHttpServer(const TrivialHttpServer&) = delete;
  TrivialHttpServer& operator=(const TrivialHttpServer&) = delete;

  int Port() const { return port_; }
  // Answers made so far (any status), each counted before it is written: never fewer than the
  // client has read, a cross-check of what it counted.
  std::uint64_t Answered() const { return answered_.load(std::memory_order_relaxed); }

 private:
  struct Io;
  std::unique_ptr<Io> io_;
  int port_ = 0;
  std::atomic<std::uint64_t> answered_{0};
  std::thread thread_;
};

}  // namespace flowbench::limits
