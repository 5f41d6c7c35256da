// The routes the gateway forwards: the contract's public routes (CONTRACT §3.1 scenario
// routes, §3.4 read routes), each to its service. Nothing else is reachable through it: the
// sync build's internal routes (§3.5: /authorize, /reserve, ...) and the services' built-in
// routes (§3.6) answer 404 from the gateway, which has its own /health and /metrics.
#pragma once

#include <span>
#include <string_view>

namespace flowbench::gateway {

struct PublicRoute {
  std::string_view method;
  std::string_view pattern;  // "/products/{id}": a {name} segment matches one id segment
  std::string_view service;  // catalogue name: where it is forwarded
};

std::span<const PublicRoute> PublicRoutes();

struct RouteMatch {
  const PublicRoute* route = nullptr;  // the route for this method and path
  bool path_known = false;             // some route has this path (another method: a 405)
};

// A {name} segment only matches 1 to 64 letters, digits and '-' (every id of the contract,
// CONTRACT §3.2): nothing percent-encoded, no dot, so a path that a service would decode or
// normalise into another route ("/users/%2e%2e/authorize") never leaves the gateway.
RouteMatch MatchRoute(std::string_view method, std::string_view path);

// A write is anything but GET and HEAD: it needs the customer role.
bool IsWrite(std::string_view method);

}  // namespace flowbench::gateway
