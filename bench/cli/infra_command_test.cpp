// `flowbench infra` as a user runs it: the real binary, its output and its exit codes.
#include <gtest/gtest.h>

#include <cstdlib>

#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

infra::CommandResult Flowbench(std::vector<std::string> args) {
  const char* bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
  std::vector<std::string> argv{std::string(bin_dir ? bin_dir : ".") + "/flowbench"};
  argv.insert(argv.end(), args.begin(), args.end());
  return infra::RunCommand(argv);
}

TEST(InfraCommand, UpStatusDownAsAUserSeesThem) {
  std::string dir = testing::MakeTempDir("flowbench-cli").string();

  infra::CommandResult before = Flowbench({"infra", "status", "--state-dir", dir});
  EXPECT_EQ(before.exit_code, 3) << before.output;
  EXPECT_NE(before.output.find("nothing started"), std::string::npos) << before.output;

  infra::CommandResult up = Flowbench({"infra", "up", "--state-dir", dir});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("started in"), std::string::npos) << up.output;

  infra::CommandResult status = Flowbench({"infra", "status", "--state-dir", dir});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("postgresql  healthy"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("rabbitmq    healthy"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("management http://127.0.0.1:"), std::string::npos);

  // One server restarted alone, on its port: the status shows the same URL, healthy.
  infra::CommandResult restart = Flowbench({"infra", "restart", "rabbitmq", "--state-dir", dir});
  EXPECT_EQ(restart.exit_code, 0) << restart.output;
  EXPECT_NE(restart.output.find("rabbitmq restarted on its port and data"), std::string::npos)
      << restart.output;
  std::string amqp_line = status.output.substr(status.output.find("rabbitmq    healthy"));
  amqp_line = amqp_line.substr(0, amqp_line.find('\n'));
  EXPECT_NE(restart.output.find(amqp_line), std::string::npos) << restart.output;

  infra::CommandResult again = Flowbench({"infra", "up", "--state-dir", dir});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already running"), std::string::npos) << again.output;

  infra::CommandResult down = Flowbench({"infra", "down", "--state-dir", dir});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_NE(down.output.find("stopped"), std::string::npos) << down.output;
  EXPECT_EQ(Flowbench({"infra", "status", "--state-dir", dir}).exit_code, 3);
  std::filesystem::remove_all(dir);
}

// The password of a URL ("scheme://user:PASSWORD@host"), empty when it has none.
std::string PasswordOf(const std::string& url) {
  std::size_t at = url.find('@');
  std::size_t colon = url.find(':', url.find("://") + 3);
  if (at == std::string::npos || colon == std::string::npos || colon > at) return "";
  return url.substr(colon + 1, at - colon - 1);
}

TEST(InfraCommand, StatusHidesPasswordsUnlessAskedToShowThem) {
  std::string dir = testing::MakeTempDir("flowbench-cli").string();
  infra::CommandResult up = Flowbench({"infra", "up", "--state-dir", dir});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  std::optional<infra::InfraState> state = infra::LoadInfraState(dir);
  ASSERT_TRUE(state && state->postgres && state->rabbitmq);
  std::vector<std::string> secrets{PasswordOf(state->amqp_url), state->postgres->password};
  for (const std::string& secret : secrets) ASSERT_FALSE(secret.empty());

  infra::CommandResult status = Flowbench({"infra", "status", "--state-dir", dir});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  for (const std::string& secret : secrets) {
    EXPECT_EQ(up.output.find(secret), std::string::npos) << up.output;
    EXPECT_EQ(status.output.find(secret), std::string::npos) << status.output;
  }
  EXPECT_NE(status.output.find(":***@"), std::string::npos) << status.output;

  infra::CommandResult shown = Flowbench({"infra", "status", "--show-secrets", "--state-dir", dir});
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  for (const std::string& secret : secrets) {
    EXPECT_NE(shown.output.find(secret), std::string::npos) << shown.output;
  }
  EXPECT_EQ(Flowbench({"infra", "down", "--state-dir", dir}).exit_code, 0);
  std::filesystem::remove_all(dir);
}

TEST(InfraCommand, MisuseIsAClearErrorWithANonZeroExitCode) {
  infra::CommandResult none = Flowbench({"infra"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.output.find("subcommand"), std::string::npos) << none.output;
  infra::CommandResult kafka = Flowbench({"infra", "restart", "kafka"});
  EXPECT_NE(kafka.exit_code, 0);
  EXPECT_NE(kafka.output.find("kafka"), std::string::npos) << kafka.output;
  infra::CommandResult unknown = Flowbench({"infra", "up", "--no-such-flag"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("--no-such-flag"), std::string::npos) << unknown.output;
}

}  // namespace
}  // namespace flowbench
