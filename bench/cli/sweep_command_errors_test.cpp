// `flowbench sweep --mix` refused on the command line, before anything starts: with
// --scenario (a mix offers all its profile's scenarios at once), and with an unknown profile.
#include <gtest/gtest.h>

#include "bench/cli/cli_testing.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench::cli {
namespace {

namespace fs = std::filesystem;

class SweepCommandErrors : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = flowbench::testing::MakeTempDir("flowbench-sweep-errors"); }
  void TearDown() override { fs::remove_all(dir_); }

  // The sweep with `args`, which must stop at the command line: no servers were started (no
  // state recorded in the state directory) and no results directory was made.
  infra::CommandResult Refused(std::vector<std::string> args) {
    std::vector<std::string> all{"sweep", "--state-dir", (dir_ / "state").string(), "--out",
                                 (dir_ / "out").string()};
    all.insert(all.end(), args.begin(), args.end());
    infra::CommandResult result = testing::Flowbench(all, std::chrono::seconds(30));
    EXPECT_FALSE(fs::exists(dir_ / "out")) << result.output;
    EXPECT_FALSE(fs::exists(dir_ / "state") && !fs::is_empty(dir_ / "state")) << result.output;
    return result;
  }
  fs::path dir_;
};

TEST_F(SweepCommandErrors, MixWithScenarioIsRefusedNamingBoth) {
  // In either order: CLI11 names them as they were declared.
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--mix", "smoke", "--scenario", "scenario1"},
        std::vector<std::string>{"--scenario", "scenario1", "--mix", "smoke"}}) {
    infra::CommandResult result = Refused(args);
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.output.find("--scenario excludes --mix"), std::string::npos) << result.output;
  }
}

TEST_F(SweepCommandErrors, AnUnknownProfileIsRefusedListingTheKnownOnes) {
  infra::CommandResult result = Refused({"--mix", "rush-hour"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("--mix"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("rush-hour"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("baseline"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("smoke"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace flowbench::cli
