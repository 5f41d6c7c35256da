#include "gateway/gateway_options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
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

// "NAME=http://HOST:PORT" split, or nullopt when it is not that form with a known service.
struct ParsedUpstream {
  std::string service;
  UpstreamAddress address;
};
std::optional<ParsedUpstream> ParseUpstream(std::string_view text) {
  constexpr std::string_view kScheme = "http://";
  std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || FindService(text.substr(0, eq)) == nullptr) {
    return std::nullopt;
  }
  std::string_view url = text.substr(eq + 1);
  if (!url.starts_with(kScheme)) return std::nullopt;
  std::string_view authority = url.substr(kScheme.size());
  if (authority.ends_with('/')) authority.remove_suffix(1);
  std::size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view port_text = authority.substr(colon + 1);
  int port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
      port > 65535) {
    return std::nullopt;
  }
  return ParsedUpstream{std::string(text.substr(0, eq)),
                        UpstreamAddress{std::string(authority.substr(0, colon)), port}};
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

UpstreamAddress GatewayOptions::Upstream(std::string_view service) const {
  int port = UpstreamPort(service);  // also: the service is known
  for (const std::string& text : upstreams) {
    std::optional<ParsedUpstream> parsed = ParseUpstream(text);
    if (parsed && parsed->service == service) return parsed->address;
  }
  return UpstreamAddress{upstream_host, port};
}

std::vector<std::string> GatewayOptions::NamedUpstreams() const {
  std::vector<std::string> names;
  for (const std::string& text : upstreams) {
    std::optional<ParsedUpstream> parsed = ParseUpstream(text);
    if (parsed && std::find(names.begin(), names.end(), parsed->service) == names.end()) {
      names.push_back(parsed->service);
    }
  }
  return names;
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
  app.add_option("--upstream", o.upstreams,
                 "NAME=http://HOST:PORT of one service (repeatable); the others are on "
                 "--upstream-host and the port base")
      ->envname("FLOWBENCH_UPSTREAMS")
      ->delimiter(',');
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
  for (const std::string& upstream : o.upstreams) {
    if (!ParseUpstream(upstream)) {
      throw std::invalid_argument("--upstream '" + upstream +
                                  "' is not NAME=http://HOST:PORT with a known service name, "
                                  "such as user=http://sync-user:8001");
    }
  }
}

}  // namespace flowbench::gateway
