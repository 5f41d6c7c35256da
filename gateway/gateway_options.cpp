#include "gateway/gateway_options.hpp"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <stdexcept>

#include "common/service/service_options.hpp"

namespace flowbench::gateway {
namespace {

void AddMilliseconds(CLI::App& app, const std::string& flag, const std::string& env,
                     std::chrono::milliseconds& target, const std::string& help, std::int64_t min) {
  app.add_option_function<std::int64_t>(
         flag, [&target](std::int64_t ms) { target = std::chrono::milliseconds(ms); }, help)
      ->envname(env)
      ->check(CLI::Range(min, std::int64_t{3'600'000}))
      ->default_str(std::to_string(target.count()));
}

}  // namespace

int GatewayOptions::BasePort() const { return port_base == 0 ? DefaultPortBase(arch) : port_base; }

int GatewayOptions::ListenPort() const { return port == 0 ? BasePort() : port; }

int GatewayOptions::UpstreamPort(std::string_view service) const {
  const ServiceSpec* spec = FindService(service);
  if (spec == nullptr)
    throw std::invalid_argument("unknown service '" + std::string(service) + "'");
  return BasePort() + (spec->Port(arch) - DefaultPortBase(arch));
}

void BindGatewayOptions(CLI::App& app, GatewayOptions& o) {
  app.add_option_function<std::string>(
         "--arch",
         [&o](const std::string& name) {
           std::optional<Arch> arch = ParseArch(name);
           if (!arch) throw CLI::ValidationError("--arch", "sync or async");
           o.arch = *arch;
         },
         "the build it fronts: sync or async")
      ->required();
  app.add_option("--host", o.host, "address to listen on")
      ->envname("FLOWBENCH_HOST")
      ->capture_default_str();
  app.add_option("--port", o.port, "port to listen on (0: the build's port base, 8000 or 8100)")
      ->envname("FLOWBENCH_GATEWAY_PORT")
      ->check(CLI::Range(-1, 65535))
      ->capture_default_str();
  app.add_option("--upstream-host", o.upstream_host, "host of the build's services")
      ->envname("FLOWBENCH_UPSTREAM_HOST")
      ->capture_default_str();
  app.add_option("--port-base", o.port_base,
                 "the services are on BASE+1..BASE+10 in contract order (0: 8000 sync, 8100 async)")
      ->envname("FLOWBENCH_PORT_BASE")
      ->check(CLI::Range(0, 65000))
      ->capture_default_str();
  app.add_option("--jwt-secret-file", o.secret_source.file, "file holding the HS256 secret");
  app.add_option(
      "--jwt-secret", o.secret_source.value,
      "the HS256 secret itself (visible in ps: prefer the file or FLOWBENCH_JWT_SECRET)");
  app.add_option("--jwt-issuer", o.jwt.issuer, "the iss a token must carry")->capture_default_str();
  app.add_option("--jwt-audience", o.jwt.audience, "the aud a token must carry")
      ->capture_default_str();
  app.add_option("--rate-limit", o.rate_limit_text, "per subject: N/s, N/m, or off")
      ->envname("FLOWBENCH_RATE_LIMIT")
      ->capture_default_str();
  app.add_option("--burst", o.burst, "requests a subject may send at once")
      ->envname("FLOWBENCH_RATE_BURST")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  BindConnectionLimits(app, o.limits, "Connections");
  AddMilliseconds(app, "--http-idle-timeout-ms", "FLOWBENCH_HTTP_IDLE_TIMEOUT_MS", o.idle_timeout,
                  "idle keep-alive client connections are closed after this", 100);
  AddMilliseconds(app, "--upstream-timeout-ms", "FLOWBENCH_UPSTREAM_TIMEOUT_MS", o.upstream_timeout,
                  "a forwarded request not answered within this: 504", 10);
  AddMilliseconds(app, "--upstream-max-idle-ms", "FLOWBENCH_UPSTREAM_MAX_IDLE_MS",
                  o.upstream_max_idle, "an idle upstream connection older than this is not reused",
                  1);
  app.add_option("--otlp-endpoint", o.otlp_endpoint,
                 "send the spans of sampled traces over OTLP/HTTP to URL/v1/traces "
                 "(Jaeger: http://jaeger:4318); off when empty")
      ->envname("FLOWBENCH_OTLP_ENDPOINT");
}

void ResolveGatewayOptions(GatewayOptions& o) {
  o.jwt.secret = ResolveSecret(o.secret_source);
  std::optional<RateLimit> limit = ParseRateLimit(o.rate_limit_text, o.burst);
  if (!limit) {
    throw std::invalid_argument("--rate-limit '" + o.rate_limit_text + "': N/s, N/m or off");
  }
  o.rate_limit = *limit;
}

}  // namespace flowbench::gateway
