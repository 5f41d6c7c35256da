// The sync build's HTTP front: cpp-httplib parses, routes and writes each request; this
// subclass owns the sockets, because httplib 0.11.4's own accept loop and connection loop
// leave it open to hostile clients (CONTRACT §3.8):
// - a connection took a worker as soon as it was accepted, so 64 slowloris clients sending
//   a header line every few seconds held all 64 workers (the read timeout applies to each
//   recv, never to the whole request), and every other client waited in an unbounded queue;
// - nothing capped the connections accepted;
// - accept() failing with EMFILE was retried every millisecond, and with ENFILE (the system
//   out of descriptors) the server closed its listening socket and stopped serving.
//
// Here the accept loop pauses 100 ms when out of descriptors or memory; past
// max_connections a new connection is answered 503 and closed at once; an accepted
// connection first waits in the *gate* (one thread, epoll), which reads until its first
// request's head is complete (and its body, when it announces at most 64 KiB), and only then
// gets a worker; a head that has not arrived within
// request_deadline of the accept is closed there. On the worker, every request (head and
// body) must arrive within request_deadline of its first byte, whatever the read timeout.
// A keep-alive connection goes back to the gate between its requests: a worker serves a
// request, not a connection (the handlers stay plain blocking code), so open connections past
// the worker count are served as soon as a worker is free instead of waiting for another
// connection to idle out; the gate closes one idle past the keep-alive timeout.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>

#include "common/service/connection_limits.hpp"

namespace flowbench::sync {

class HttpServer : public httplib::Server {
 public:
  HttpServer(int threads, ConnectionLimits limits);

  // After bind_to_port: cpp-httplib listens with a backlog of 5; this raises it.
  bool SetListenBacklog(int backlog);
  // Accepts and serves until Stop(), then lets the connections being served finish their
  // requests; false when the listening socket failed.
  bool Serve();
  // No new connections; returns at once (Serve returns once the workers are done).
  void Stop();

 private:
  class Gate;
  using Clock = std::chrono::steady_clock;

  // On a worker: a request's head is in `received`; serves it and any request already
  // buffered behind it, then hands the connection back to the gate (or closes it: keep-alive
  // count used up, the peer closed, the server stopping).
  void ServeConnection(int fd, std::string received, Clock::time_point deadline,
                       std::size_t requests_left);
  void Close(int fd);  // and counts it out

  int threads_;
  ConnectionLimits limits_;
  std::atomic<int> connections_{0};   // accepted and not yet closed
  std::atomic<Gate*> gate_{nullptr};  // while Serve() runs
};

}  // namespace flowbench::sync
