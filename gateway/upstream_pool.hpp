// The gateway's client side: HTTP/1.1 to the build's services over kept-alive connections,
// a pool of idle ones per service, on the gateway's event loop (coroutines; one thread, so
// the pool needs no lock). Beast stays in upstream_pool.cpp.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace flowbench::gateway {

template <typename T = void>
using Task = boost::asio::awaitable<T>;

struct UpstreamRequest {
  std::string method;
  std::string target;  // path and query, as the client sent them
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host and Content-Length
};

struct UpstreamResponse {
  // 0: no answer; `failure` says why: "connect", "connect_timeout", "timeout" (no answer in
  // time), "read", "write" (the reasons of flowbench_downstream_failures_total).
  int status = 0;
  std::string failure;
  std::string body;
  std::string content_type;
  std::string retry_after;  // passed on when the service sent one
};

// Where one service listens: from --upstream NAME=URL, or --upstream-host and the port base.
struct UpstreamAddress {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string Url() const { return "http://" + host + ":" + std::to_string(port); }
};

struct UpstreamSettings {
  std::chrono::milliseconds timeout{60'000};  // connect, write and read of one request
  std::chrono::milliseconds max_idle{2'000};
  int idle_per_service = 64;
};

class UpstreamPool {
 public:
  UpstreamPool(boost::asio::io_context& io, UpstreamSettings settings);
  ~UpstreamPool();

  // Never throws for a failed exchange: the answer says what failed. A request written into
  // a reused connection that the service closed before answering a single byte is sent once
  // more on a new connection (the service never read it: it closed the connection idle).
  Task<UpstreamResponse> Send(const UpstreamAddress& address, const UpstreamRequest& request);

  int IdleConnections() const;  // tests: the pool reuses connections

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowbench::gateway
