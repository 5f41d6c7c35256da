// `flowbench up --gateway` as a user runs it: the sync build with its gateway on the port
// base, a token from `flowbench token` (the secret `up` made), a scenario through the
// gateway, an internal route refused, and `flowbench down` stopping the gateway too.
#include <gtest/gtest.h>

#include <filesystem>

#include "bench/cli/cli_testing.hpp"
#include "common/http/json_client.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench::cli {
namespace {

using namespace std::chrono_literals;

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

TEST(GatewayUp, UpWithGatewayServesTheBuildThroughItAndDownStopsIt) {
  std::filesystem::path dir = flowbench::testing::MakeTempDir("flowbench-gateway-up");
  std::string state = dir.string();
  int base = infra::FindFreePortBase(10);
  while (infra::IsPortOpen(base)) base = infra::FindFreePortBase(10);  // the gateway's own port
  infra::CommandResult up = testing::Flowbench({"up", "--arch", "sync", "--gateway", "--state-dir",
                                                state, "--port-base", std::to_string(base)},
                                               120s);
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("gateway"), std::string::npos) << up.output;

  infra::CommandResult token =
      testing::Flowbench({"token", "--role", "customer", "--state-dir", state}, 10s);
  EXPECT_EQ(token.exit_code, 0) << token.output;
  http::JsonClient gateway("127.0.0.1", base);
  http::Headers bearer{{"Authorization", "Bearer " + Trimmed(token.output)}};
  http::JsonResponse click =
      gateway.Post("/track_click", R"({"user_id": 1, "page": "/up"})", bearer);
  EXPECT_EQ(click.status, 200) << click.Describe();
  EXPECT_EQ(gateway.Post("/reserve", "{}", bearer).status, 404);

  infra::CommandResult down = testing::Flowbench({"down", "--state-dir", state}, 120s);
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_NE(down.output.find("sync gateway stopped"), std::string::npos) << down.output;
  EXPECT_FALSE(infra::IsPortOpen(base));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowbench::cli
