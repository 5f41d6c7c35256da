#include "gateway/gateway_options.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace flowbench::gateway {
namespace {

// The options as flowbench-gateway parses and resolves them from these arguments.
GatewayOptions Parse(std::vector<std::string> args, const std::string& arch = "sync") {
  CLI::App app;
  GatewayOptions options;
  BindGatewayOptions(app, options);
  args.insert(args.begin(), {"--arch", arch, "--jwt-secret", "a-test-secret-of-thirty-two-bytes!"});
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  app.parse(args);
  ResolveGatewayOptions(options);
  return options;
}

TEST(GatewayOptions, EachUpstreamGivenByNameHasItsOwnAddressAndTheOthersTheHostAndPortBase) {
  GatewayOptions options = Parse({"--upstream", "user=http://sync-user:8001", "--upstream",
                                  "order=http://10.0.0.5:9005/", "--upstream-host", "services"});
  EXPECT_EQ(options.Upstream("user").Url(), "http://sync-user:8001");
  EXPECT_EQ(options.Upstream("order").host, "10.0.0.5");
  EXPECT_EQ(options.Upstream("order").port, 9005);
  EXPECT_EQ(options.Upstream("product").Url(), "http://services:8003");
}

TEST(GatewayOptions, UpstreamsMayComeCommaSeparatedInOneValue) {
  GatewayOptions options =
      Parse({"--upstream", "user=http://async-user:8101,report=http://async-report:8104"}, "async");
  EXPECT_EQ(options.Upstream("user").Url(), "http://async-user:8101");
  EXPECT_EQ(options.Upstream("report").Url(), "http://async-report:8104");
  EXPECT_EQ(options.Upstream("order").Url(), "http://127.0.0.1:8105");
}

TEST(GatewayOptions, AnUpstreamThatIsNotNameEqualsHttpHostPortIsRefusedByName) {
  for (const std::string bad :
       {"user", "nobody=http://x:1", "user=https://x:1", "user=http://x", "user=http://:80",
        "user=http://x:0", "user=http://x:70000", "user=http://x:8001/path", "user=x:8001"}) {
    try {
      Parse({"--upstream", bad});
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--upstream '" + bad + "'"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace flowbench::gateway
