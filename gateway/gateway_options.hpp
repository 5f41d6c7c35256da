// What the gateway is told on its command line: which build it fronts and where that
// build's services are, where it listens, how it checks tokens and how fast a subject may
// send. One gateway per build.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/domain/catalogue.hpp"
#include "common/service/connection_limits.hpp"
#include "gateway/jwt_tokens.hpp"
#include "gateway/token_bucket.hpp"
#include "gateway/upstream_pool.hpp"

namespace CLI {
class App;
}

namespace flowbench::gateway {

struct GatewayOptions {
  Arch arch = Arch::kSync;         // --arch: the build in front of which it stands
  std::string host = "127.0.0.1";  // --host: bind address
  // --port: 0 means the build's port base (8000 sync, 8100 async), the port just below its
  // services'; -1 (tests) means any free port, read back from Gateway::port().
  int port = 0;
  std::string upstream_host = "127.0.0.1";  // --upstream-host: where the services are
  int port_base = 0;  // --port-base: the services are on BASE+1..BASE+10 (0: the contract's)
  // --upstream NAME=URL (repeatable; FLOWBENCH_UPSTREAMS, comma-separated): a service with
  // an address of its own, as in Compose (user=http://sync-user:8001); the others are on
  // --upstream-host and the port base.
  std::vector<std::string> upstreams;

  SecretSource secret_source;  // --jwt-secret-file, --jwt-secret, FLOWBENCH_JWT_SECRET
  JwtSettings jwt;             // secret filled by ResolveGatewayOptions
  std::string rate_limit_text = "100/s";
  double burst = 200;
  RateLimit rate_limit;  // from the two above

  ConnectionLimits limits;  // --max-connections, --request-deadline-ms, as the services
  std::chrono::milliseconds idle_timeout{30'000};      // a client's keep-alive connection
  std::chrono::milliseconds upstream_timeout{60'000};  // one forwarded request, connect to answer
  // An idle upstream connection older than this is closed rather than reused: below the
  // services' own keep-alive timeouts (5 s sync), so the gateway never writes a request
  // into a connection the service is closing.
  std::chrono::milliseconds upstream_max_idle{2'000};
  int upstream_idle_per_service = 64;  // idle connections kept per service
  // --otlp-endpoint URL: the spans of sampled traces (a SERVER span per request, a CLIENT span
  // per forwarded call) go out over OTLP/HTTP, as the services' do; off when empty.
  std::string otlp_endpoint;

  int BasePort() const;  // the port base in force (the contract's when 0)
  int ListenPort() const;
  int UpstreamPort(std::string_view service) const;
  // Where the service is: its --upstream, else --upstream-host and the port base.
  UpstreamAddress Upstream(std::string_view service) const;
  // The services named by --upstream, in the order given (a name given twice: once).
  std::vector<std::string> NamedUpstreams() const;
};

void BindGatewayOptions(CLI::App& app, GatewayOptions& options);

// After parsing: the secret, the rate limit and the upstreams checked, or
// std::invalid_argument naming the flag.
void ResolveGatewayOptions(GatewayOptions& options);

}  // namespace flowbench::gateway
