// Which requests the gateway forwards, and where.
#include "gateway/public_routes.hpp"

#include <gtest/gtest.h>

namespace flowbench::gateway {
namespace {

std::string ServiceOf(std::string_view method, std::string_view path) {
  RouteMatch match = MatchRoute(method, path);
  return match.route == nullptr ? "-" : std::string(match.route->service);
}

TEST(PublicRoutes, EveryScenarioRouteGoesToItsService) {
  EXPECT_EQ(ServiceOf("POST", "/register"), "user");
  EXPECT_EQ(ServiceOf("POST", "/process_payment"), "payment");
  EXPECT_EQ(ServiceOf("PUT", "/products/2"), "product");
  EXPECT_EQ(ServiceOf("POST", "/generate_report"), "report");
  EXPECT_EQ(ServiceOf("POST", "/create_order"), "order");
  EXPECT_EQ(ServiceOf("POST", "/track_click"), "analytics");
}

TEST(PublicRoutes, EveryReadRouteGoesToItsService) {
  EXPECT_EQ(ServiceOf("GET", "/users/7"), "user");
  EXPECT_EQ(ServiceOf("GET", "/payments/0b8a4c1e-3f5d-4a7b-9c2e-1d6f8a9b0c3d"), "payment");
  EXPECT_EQ(ServiceOf("GET", "/products"), "product");
  EXPECT_EQ(ServiceOf("GET", "/products/1"), "product");
  EXPECT_EQ(ServiceOf("GET", "/jobs/abc-1"), "report");
  EXPECT_EQ(ServiceOf("GET", "/orders/3"), "order");
  EXPECT_EQ(ServiceOf("GET", "/inventory/1"), "inventory");
  EXPECT_EQ(ServiceOf("GET", "/clicks/count"), "analytics");
}

TEST(PublicRoutes, InternalAndBuiltInRoutesAreNotForwarded) {
  for (const char* path : {"/authorize", "/void", "/reserve", "/release", "/send_email", "/reindex",
                           "/invalidate", "/log_update", "/authorizations/1", "/settings",
                           "/completions", "/fault/slow", "/health", "/metrics"}) {
    RouteMatch match = MatchRoute("POST", path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_FALSE(match.path_known) << path;
    EXPECT_EQ(MatchRoute("GET", path).route, nullptr) << path;
  }
}

TEST(PublicRoutes, AnIdSegmentIsLettersDigitsAndDashesOnly) {
  for (const char* path : {"/users/", "/users/%2e%2e", "/users/..", "/users/1/authorize",
                           "/users/1%2Fvoid", "/products/1/", "//products/1", "/users/a_b"}) {
    EXPECT_EQ(MatchRoute("GET", path).route, nullptr) << path;
  }
  EXPECT_EQ(MatchRoute("GET", "/users/" + std::string(65, '1')).route, nullptr);
  EXPECT_NE(MatchRoute("GET", "/users/" + std::string(64, '1')).route, nullptr);
}

TEST(PublicRoutes, AKnownPathWithAnotherMethodIsKnownButNotMatched) {
  RouteMatch match = MatchRoute("DELETE", "/register");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.path_known);
}

TEST(PublicRoutes, WritesAreEverythingButGetAndHead) {
  EXPECT_FALSE(IsWrite("GET"));
  EXPECT_FALSE(IsWrite("HEAD"));
  EXPECT_TRUE(IsWrite("POST"));
  EXPECT_TRUE(IsWrite("PUT"));
  EXPECT_TRUE(IsWrite("DELETE"));
}

}  // namespace
}  // namespace flowbench::gateway
