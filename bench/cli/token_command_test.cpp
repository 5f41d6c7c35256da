// `flowbench token` as a user runs it: the token it prints passes the gateway's check.
#include <gtest/gtest.h>

#include "bench/cli/cli_testing.hpp"
#include "gateway/jwt_tokens.hpp"

namespace flowbench::cli {
namespace {

const std::string kSecret = "the-token-command-test-secret-0123456789";

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

TEST(TokenCommand, PrintsATokenTheGatewayAcceptsForTheRoleAndSubject) {
  infra::CommandResult result = infra::RunCommand(
      {testing::FlowbenchBinary(), "token", "--role", "viewer", "--subject", "k6", "--ttl", "15m"},
      {{"FLOWBENCH_JWT_SECRET", kSecret}}, std::chrono::seconds(10));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  gateway::VerifiedToken token =
      gateway::VerifyToken(Trimmed(result.output), {kSecret, "flowbench", "flowbench-gateway"},
                           std::chrono::system_clock::now());
  EXPECT_EQ(token.subject, "k6");
  EXPECT_TRUE(token.MayRead());
  EXPECT_FALSE(token.MayWrite());
  // Valid for 15 minutes, not more.
  EXPECT_THROW(
      gateway::VerifyToken(Trimmed(result.output), {kSecret, "flowbench", "flowbench-gateway"},
                           std::chrono::system_clock::now() + std::chrono::minutes(16)),
      gateway::TokenRejected);
}

TEST(TokenCommand, RefusesToMintWithoutASecret) {
  infra::CommandResult result =
      infra::RunCommand({testing::FlowbenchBinary(), "token", "--role", "customer"},
                        {{"FLOWBENCH_JWT_SECRET", ""}}, std::chrono::seconds(10));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("no JWT secret"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace flowbench::cli
