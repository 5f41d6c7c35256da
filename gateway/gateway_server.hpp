// The gateway: one HTTP/1.1 front (Boost.Beast on C++20 coroutines, one event-loop thread)
// in front of one build's ten services. For each request, in this order:
//   GET /health, GET /metrics    its own, without a token
//   a public route?              else 404 (the internal routes too), 405 for a known path
//   a valid Bearer token?        else 401 with WWW-Authenticate (RFC 6750)
//   its role may do this?        else 403 (a viewer writing)
//   the subject within its rate? else 429 with Retry-After
//   forwarded to the service     with traceparent (a child span) and X-Request-Id (made
//                                when the client sent none), over a kept-alive connection
// Connection limits, the request deadline and the 1 MiB body limit are the services' own
// (CONTRACT §3.8, §3.3). Every answer is counted in http_requests_total with
// service="gateway" and the route pattern as its route.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string_view>

#include "gateway/gateway_options.hpp"

namespace flowbench {
class Metrics;
}

namespace flowbench::gateway {

// Per forwarded request, the gateway's own time: from the request read to the answer
// written, less the exchange with the service (a histogram; its _count is the requests
// forwarded). `flowbench run --gateway` reads the hop's share of the answer latency off it.
inline constexpr std::string_view kAddedSecondsMetric = "flowbench_gateway_added_seconds";

inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;  // larger: 413, as the services

class Gateway {
 public:
  // `options` must be resolved (ResolveGatewayOptions): its secret and rate limit are used.
  Gateway(boost::asio::io_context& io, const GatewayOptions& options);
  ~Gateway();

  // Binds now (throws when the port is taken), then accepts on the event loop.
  void Listen();
  int port() const;  // the bound port (options.port -1: one the system chose)
  // Draining: no new connections, answers close their connection.
  void StopAccepting();
  int InFlight() const;

  Metrics& metrics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowbench::gateway
