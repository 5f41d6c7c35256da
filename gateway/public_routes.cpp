#include "gateway/public_routes.hpp"

#include <algorithm>
#include <vector>

#include "common/domain/catalogue.hpp"

namespace flowbench::gateway {
namespace {

// CONTRACT §3.4, the read routes (the scenario routes come from the catalogue).
constexpr PublicRoute kReadRoutes[] = {
    {"GET", "/users/{id}", "user"},          {"GET", "/payments/{id}", "payment"},
    {"GET", "/products", "product"},         {"GET", "/products/{id}", "product"},
    {"GET", "/jobs/{id}", "report"},         {"GET", "/orders/{id}", "order"},
    {"GET", "/inventory/{id}", "inventory"}, {"GET", "/clicks/count", "analytics"},
};

std::vector<PublicRoute> BuildRoutes() {
  std::vector<PublicRoute> routes;
  for (const ScenarioSpec& scenario : Scenarios()) {
    routes.push_back({scenario.method, scenario.path, scenario.service});
  }
  routes.insert(routes.end(), std::begin(kReadRoutes), std::end(kReadRoutes));
  return routes;
}

bool IsIdSegment(std::string_view segment) {
  return !segment.empty() && segment.size() <= 64 &&
         std::all_of(segment.begin(), segment.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-';
         });
}

bool PathMatches(std::string_view pattern, std::string_view path) {
  for (;;) {
    if (pattern.empty() || path.empty()) return pattern.empty() && path.empty();
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    std::string_view want = pattern.substr(0, pattern.find('/'));
    std::string_view have = path.substr(0, path.find('/'));
    bool parameter = want.size() > 2 && want.front() == '{' && want.back() == '}';
    if (parameter ? !IsIdSegment(have) : want != have) return false;
    pattern.remove_prefix(want.size());
    path.remove_prefix(have.size());
  }
}

}  // namespace

std::span<const PublicRoute> PublicRoutes() {
  static const std::vector<PublicRoute> kRoutes = BuildRoutes();
  return kRoutes;
}

RouteMatch MatchRoute(std::string_view method, std::string_view path) {
  RouteMatch match;
  for (const PublicRoute& route : PublicRoutes()) {
    if (!PathMatches(route.pattern, path)) continue;
    match.path_known = true;
    if (route.method == method) {
      match.route = &route;
      break;
    }
  }
  return match;
}

bool IsWrite(std::string_view method) { return method != "GET" && method != "HEAD"; }

}  // namespace flowbench::gateway
