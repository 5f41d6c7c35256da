// `flowbench run --network lan` end to end on both builds: every connection between the parts
// crosses a delaying relay, each link's measured round trip matches the profile, and nothing
// the relays opened outlives the command, after a normal end and after a Ctrl-C.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bench/cli/cli_testing.hpp"
#include "bench/report/results.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;
using cli::testing::Concat;
using cli::testing::Flowbench;
using cli::testing::kQuickWorkload;

// The ports some process listens on over IPv4 TCP (/proc/net/tcp, state 0A).
std::vector<int> ListeningPorts() {
  std::vector<int> ports;
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the heading
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (state == "0A") ports.push_back(std::stoi(local.substr(local.find(':') + 1), nullptr, 16));
  }
  return ports;
}

std::vector<int> StillListening(const report::RunResults& results) {
  std::vector<int> listening = ListeningPorts(), left;
  for (const report::ProfileRun& run : results.runs) {
    for (const report::LinkRoundTrip& link : run.network_links) {
      if (std::find(listening.begin(), listening.end(), link.relay_port) != listening.end()) {
        left.push_back(link.relay_port);
      }
    }
  }
  return left;
}

class RunNetwork : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("flowbench-network"); }
  void TearDown() override {
    Flowbench({"infra", "down", "--state-dir", (dir_ / "state").string()},
              std::chrono::seconds(60));
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(RunNetwork, LanDelaysEveryLinkOfBothBuildsAndLeavesNothingBehind) {
  fs::path out = dir_ / "results";
  infra::CommandResult run =
      Flowbench(Concat({"run", "--state-dir", (dir_ / "state").string(), "--out", out.string(),
                        "--profile", "smoke", "--duration", "3s", "--warmup", "1",
                        "--drain-timeout", "60", "--network", "lan"},
                       kQuickWorkload),
                std::chrono::seconds(180));
  ASSERT_EQ(run.exit_code, 0) << run.output;

  report::RunResults results = report::LoadResults((out / "results.json").string());
  ASSERT_TRUE(results.network.has_value());
  const report::Network& n = *results.network;
  EXPECT_EQ(n.profile, "lan");
  EXPECT_EQ(n.method, "relay");
  EXPECT_DOUBLE_EQ(n.one_way_delay_ms, 0.25);
  EXPECT_DOUBLE_EQ(n.jitter_ms, 0.05);
  ASSERT_TRUE(n.rtt_ms_measured.has_value());
  // The broker's confirm probed twice: straight to it, and through a lan link to it, which
  // no confirm crosses faster than the link's shortest round trip.
  ASSERT_TRUE(results.broker.has_value());
  ASSERT_TRUE(results.broker->own_confirm_ms_p50.has_value());
  ASSERT_TRUE(results.broker->confirm_ms_p50.has_value());
  std::printf("broker confirm p50 %.3f ms through the link, %.3f ms straight to it\n",
              *results.broker->confirm_ms_p50, *results.broker->own_confirm_ms_p50);
  EXPECT_GE(*results.broker->confirm_ms_p50, 2 * 0.25 - 2 * 0.05);
  EXPECT_GE(*results.broker->own_confirm_ms_p99, *results.broker->own_confirm_ms_p50);
  ASSERT_EQ(results.runs.size(), 2u);
  for (const report::ProfileRun& r : results.runs) {
    SCOPED_TRACE(r.arch);
    // Ten services, PostgreSQL, and the broker for the async build.
    EXPECT_EQ(r.network_links.size(), r.arch == "async" ? 12u : 11u);
    for (const report::LinkRoundTrip& link : r.network_links) {
      SCOPED_TRACE(link.link);
      // Never faster than the link allows; not far above it once the part's own reaction
      // to a close (measured straight at it) is set aside.
      std::printf("%s %-10s round trip %.3f ms through the relay (the part's own close %.3f ms)\n",
                  r.arch.c_str(), link.link.c_str(), link.rtt_ms, link.direct_ms);
      EXPECT_GE(link.rtt_ms, 2 * 0.25 - 2 * 0.05);
      EXPECT_LT(link.rtt_ms, 2 * (0.25 + 0.05) + link.direct_ms / 2 + 5.0);
    }
    EXPECT_GT(r.Requests(), 0u);
    for (const report::ScenarioResult& s : r.scenarios) {
      SCOPED_TRACE(s.scenario);  // (3 s of smoke may start no scenario-4 user at all)
      EXPECT_EQ(s.errors.Total(), 0u) << "connect " << s.errors.connect << " timeout "
                                      << s.errors.timeout << " status " << s.errors.status;
      ASSERT_TRUE(s.outcomes.has_value());
      EXPECT_EQ(s.outcomes->lost + s.outcomes->unfinished, 0u);
    }
  }
  std::string markdown = cli::testing::ReadFile(out / "report.md");
  EXPECT_NE(markdown.find("| network | lan: 0.25 ms ± 0.05 ms one way, by a delaying TCP relay"),
            std::string::npos)
      << markdown.substr(0, 3000);
  EXPECT_NE(markdown.find("through the network link (the broker's own: p50"), std::string::npos)
      << markdown.substr(0, 3000);
  EXPECT_EQ(StillListening(results), std::vector<int>{}) << "relays outlived the run";
}

// A cluster the run starts itself gets links between its nodes too: a quorum confirm then pays
// the leader's round trip to a follower (NETWORK.md, "Between RabbitMQ nodes").
TEST_F(RunNetwork, LanOnAThreeNodeClusterDelaysTheLinksBetweenItsNodes) {
  fs::path out = dir_ / "results";
  infra::CommandResult run =
      Flowbench(Concat({"run", "--state-dir", (dir_ / "state").string(), "--out", out.string(),
                        "--arch", "async", "--profile", "smoke", "--duration", "3s", "--warmup",
                        "1", "--drain-timeout", "60", "--rabbitmq-nodes", "3", "--network", "lan"},
                       kQuickWorkload),
                std::chrono::seconds(240));
  ASSERT_EQ(run.exit_code, 0) << run.output;

  report::RunResults results = report::LoadResults((out / "results.json").string());
  ASSERT_TRUE(results.broker.has_value());
  EXPECT_EQ(results.broker->nodes, 3);
  EXPECT_EQ(results.broker->queue_type, "quorum");
  ASSERT_TRUE(results.broker->confirm_ms_p50.has_value());
  // The confirm probe goes straight to node 1, whose quorum queue confirms once a follower
  // has the message: one round trip on a node link at least.
  EXPECT_GE(*results.broker->confirm_ms_p50, 2 * 0.25 - 2 * 0.05);
  std::printf("[broker] confirm p50=%.2f ms p99=%.2f ms\n", *results.broker->confirm_ms_p50,
              results.broker->confirm_ms_p99.value_or(0));
  ASSERT_EQ(results.runs.size(), 1u);
  const report::ProfileRun& r = results.runs[0];
  // Ten services, PostgreSQL, the broker, and one link in front of each of the three nodes.
  ASSERT_EQ(r.network_links.size(), 15u);
  for (int n = 1; n <= 3; ++n) {
    std::string name = "rabbitmq-node-" + std::to_string(n);
    auto link = std::find_if(r.network_links.begin(), r.network_links.end(),
                             [&](const report::LinkRoundTrip& l) { return l.link == name; });
    ASSERT_NE(link, r.network_links.end()) << name;
    std::printf("%-15s round trip %.3f ms through the relay (the node's own close %.3f ms)\n",
                name.c_str(), link->rtt_ms, link->direct_ms);
    EXPECT_GE(link->rtt_ms, 2 * 0.25 - 2 * 0.05);
    EXPECT_LT(link->rtt_ms, 2 * (0.25 + 0.05) + link->direct_ms / 2 + 5.0);
  }
  for (const report::ScenarioResult& s : r.scenarios) {
    SCOPED_TRACE(s.scenario);
    ASSERT_TRUE(s.outcomes.has_value());
    EXPECT_EQ(s.outcomes->lost + s.outcomes->unfinished, 0u);
  }
  EXPECT_EQ(StillListening(results), std::vector<int>{}) << "relays outlived the run";
  EXPECT_EQ(cli::testing::ProcessesMentioning((dir_ / "state").string()),
            std::vector<std::string>{});
}

TEST_F(RunNetwork, CtrlCClosesEveryRelay) {
  fs::path out = dir_ / "results";
  fs::path state = dir_ / "state";
  cli::testing::BackgroundFlowbench run(
      Concat({"run", "--state-dir", state.string(), "--out", out.string(), "--arch", "async",
              "--profile", "smoke", "--scenario", "scenario6", "--duration", "60s", "--warmup", "1",
              "--network", "lan"},
             kQuickWorkload),
      dir_ / "output.txt");
  ASSERT_TRUE(run.WaitForOutput("[async smoke 1/1] load", std::chrono::seconds(120)))
      << "the load never started:\n"
      << run.Output();
  std::optional<infra::InfraState> infra = infra::LoadInfraState(state);
  ASSERT_TRUE(infra) << run.Output();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  run.PressCtrlC();
  std::optional<cli::testing::ExitStatus> status = run.WaitForExit(std::chrono::seconds(60));
  ASSERT_TRUE(status) << "still running a minute after Ctrl-C:\n" << run.Output();
  EXPECT_EQ(status->exit_code, 130) << status->Describe() << "\n" << run.Output();

  report::RunResults results = report::LoadResults((out / "results.json").string());
  ASSERT_EQ(results.runs.size(), 1u);
  EXPECT_EQ(results.runs[0].network_links.size(), 12u);
  EXPECT_EQ(StillListening(results), std::vector<int>{}) << "relays outlived the Ctrl-C";
  EXPECT_EQ(cli::testing::ProcessesMentioning(infra->pg_url), std::vector<std::string>{});
  EXPECT_EQ(cli::testing::ProcessesMentioning(state.string()), std::vector<std::string>{});
}

// --fault partition:user: the user service's link holds everything for 3 s; scenario 1's
// requests (they enter at the user service) get no answer inside the cut, and answers come
// back after it heals, with nothing of the stalled requests lost.
TEST_F(RunNetwork, APartitionedPartAnswersOnlyAfterItsLinkHeals) {
  fs::path out = dir_ / "results";
  infra::CommandResult run = Flowbench(Concat({"run",
                                               "--state-dir",
                                               (dir_ / "state").string(),
                                               "--out",
                                               out.string(),
                                               "--arch",
                                               "sync",
                                               "--profile",
                                               "smoke",
                                               "--scenario",
                                               "scenario1",
                                               "--duration",
                                               "8s",
                                               "--warmup",
                                               "1",
                                               "--drain-timeout",
                                               "30",
                                               "--request-timeout",
                                               "10",
                                               "--network",
                                               "lan",
                                               "--fault",
                                               "partition:user@2s+3s"},
                                              kQuickWorkload),
                                       std::chrono::seconds(180));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  report::RunResults results = report::LoadResults((out / "results.json").string());
  ASSERT_EQ(results.runs.size(), 1u);
  const report::ProfileRun& r = results.runs[0];
  ASSERT_EQ(r.faults.size(), 1u);
  EXPECT_EQ(r.faults[0].kind, "partition");
  EXPECT_EQ(r.faults[0].target, "user");
  EXPECT_TRUE(r.faults[0].error.empty()) << r.faults[0].error;
  EXPECT_TRUE(r.faults[0].restored_s.has_value());
  EXPECT_TRUE(r.faults[0].recovery_s.has_value()) << "no answers after the heal";
  ASSERT_EQ(r.scenarios.size(), 1u);
  // The series is by the second a request was due: those due inside the cut (2 s to 5 s)
  // were answered only after the heal, those after it at once.
  bool seen_inside = false, seen_after = false;
  for (const report::SecondSample& second : r.scenarios[0].timeseries) {
    if (!second.answer_p50) continue;
    std::printf("[second %.0f] answered=%llu answer_p50=%.3f s\n", second.t,
                (unsigned long long)second.answered, *second.answer_p50);
    if (second.t >= 2.5 && second.t < 4) {
      seen_inside = true;
      EXPECT_GE(*second.answer_p50, 0.9) << "second " << second.t << ": crossed the cut link";
    }
    if (second.t >= 6) {
      seen_after = true;
      EXPECT_LT(*second.answer_p50, 0.5) << "second " << second.t << ": not healed";
    }
  }
  EXPECT_TRUE(seen_inside && seen_after);
  infra::CommandResult loopback = Flowbench(
      {"run", "--state-dir", (dir_ / "state").string(), "--fault", "partition:user@1s+1s"},
      std::chrono::seconds(30));
  EXPECT_NE(loopback.exit_code, 0);
  EXPECT_NE(loopback.output.find("needs --network"), std::string::npos) << loopback.output;
}

TEST_F(RunNetwork, AnUnknownProfileOrABadValueIsAClearErrorBeforeAnythingStarts) {
  infra::CommandResult profile =
      Flowbench({"run", "--state-dir", (dir_ / "state").string(), "--network", "moon"},
                std::chrono::seconds(30));
  EXPECT_NE(profile.exit_code, 0);
  EXPECT_NE(profile.output.find("--network 'moon' is not a profile"), std::string::npos)
      << profile.output;
  infra::CommandResult loss = Flowbench(
      {"run", "--state-dir", (dir_ / "state").string(), "--network", "lan", "--network-loss", "2"},
      std::chrono::seconds(30));
  EXPECT_NE(loss.exit_code, 0);
  EXPECT_NE(loss.output.find("--network-loss"), std::string::npos) << loss.output;
  EXPECT_FALSE(fs::exists(dir_ / "state" / "infra.json")) << "something started anyway";
}

}  // namespace
}  // namespace flowbench
