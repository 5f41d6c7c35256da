// `flowbench run --fault broker-node-kill:1@...` on a 3-node RabbitMQ cluster, as a user runs
// it: the async build's queues are quorum queues (the default on a cluster), and node 1, the one
// the services' connections are on (the first of their URL list) and the one their queues were
// declared on, is SIGKILLed mid-run and started again. The run records the fault; the services
// reconnect to another node; no confirmed message is lost: every accepted request has its fate,
// none lost, and answers come after the kill.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>

#include "bench/cli/cli_testing.hpp"
#include "bench/report/results.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;
using cli::testing::Flowbench;
using cli::testing::kQuickWorkload;

// The RabbitMQ node (1..) of every connection a service opened, in order, per log file: each
// publisher and consumer logs it when it connects (asynchronous/runtime).
std::map<std::string, std::vector<int>> ConnectionNodes(const fs::path& logs) {
  std::map<std::string, std::vector<int>> nodes;
  for (const fs::directory_entry& entry : fs::directory_iterator(logs)) {
    if (entry.path().extension() != ".log") continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(line, ec);
      if (ec || !v.is_object()) continue;
      const boost::json::object& o = v.as_object();
      const boost::json::value* msg = o.if_contains("msg");
      const boost::json::value* node = o.if_contains("node");
      if (msg == nullptr || node == nullptr || !msg->is_string()) continue;
      if (msg->as_string() == "publisher connected to RabbitMQ" ||
          msg->as_string() == "consuming") {
        nodes[entry.path().filename().string()].push_back(static_cast<int>(node->to_number<int>()));
      }
    }
  }
  return nodes;
}

TEST(RunBrokerNodeKill, TheServicesNodeKilledMidRunMovesThemToAnotherAndLosesNoConfirmedMessage) {
  fs::path dir = testing::MakeTempDir("flowbench-node-kill");
  std::string state = (dir / "state").string();
  infra::CommandResult up = Flowbench(
      {"infra", "up", "--state-dir", state, "--rabbitmq-nodes", "3"}, std::chrono::seconds(180));
  ASSERT_EQ(up.exit_code, 0) << up.output;

  std::vector<std::string> args = {"run",
                                   "--state-dir",
                                   state,
                                   "--out",
                                   (dir / "results").string(),
                                   "--arch",
                                   "async",
                                   "--profile",
                                   "smoke",
                                   "--scenario",
                                   "scenario1,scenario5",
                                   "--duration",
                                   "14s",
                                   "--warmup",
                                   "2",
                                   "--drain-timeout",
                                   "45",
                                   "--request-timeout",
                                   "10",
                                   "--fault",
                                   "broker-node-kill:1@3s+5s"};
  args.insert(args.end(), kQuickWorkload.begin(), kQuickWorkload.end());
  infra::CommandResult run = Flowbench(args, std::chrono::seconds(300));
  EXPECT_EQ(run.exit_code, 0) << run.output;

  report::RunResults results = report::LoadResults((dir / "results" / "results.json").string());
  // The broker as it was: three nodes, quorum queues (the default on a cluster), and the
  // confirm latency its probe measured before the load.
  ASSERT_TRUE(results.broker.has_value());
  EXPECT_EQ(results.broker->nodes, 3);
  EXPECT_EQ(results.broker->queue_type, "quorum");
  ASSERT_TRUE(results.broker->confirm_ms_p50.has_value());
  ASSERT_TRUE(results.broker->confirm_ms_p99.has_value());
  EXPECT_GT(*results.broker->confirm_ms_p50, 0.0);
  EXPECT_GE(*results.broker->confirm_ms_p99, *results.broker->confirm_ms_p50);
  std::printf("[broker] confirm p50=%.2f ms p99=%.2f ms\n", *results.broker->confirm_ms_p50,
              *results.broker->confirm_ms_p99);
  ASSERT_EQ(results.runs.size(), 1u);
  const report::ProfileRun& r = results.runs[0];
  ASSERT_EQ(r.faults.size(), 1u);
  const report::Fault& f = r.faults[0];
  EXPECT_EQ(f.kind, "broker-node-kill");
  EXPECT_EQ(f.target, "rabbitmq-1");
  EXPECT_TRUE(f.error.empty()) << f.error;
  ASSERT_TRUE(f.restored_s.has_value()) << "node 1 did not come back";
  EXPECT_GE(*f.restored_s, f.start_s + f.duration_s);
  EXPECT_TRUE(r.drained) << "the backlog did not drain within the deadline";
  for (const report::ScenarioResult& s : r.scenarios) {
    SCOPED_TRACE(s.scenario);
    ASSERT_TRUE(s.outcomes.has_value());
    const report::Outcomes& o = *s.outcomes;
    EXPECT_GT(o.accepted, 0u);
    EXPECT_EQ(o.lost, 0u);
    EXPECT_EQ(o.duplicated, 0u);
    EXPECT_EQ(o.unfinished, 0u);
    // The build kept answering: requests were answered in the seconds after the kill.
    std::uint64_t answered_after_kill = 0;
    for (const report::SecondSample& second : s.timeseries) {
      if (second.t >= f.start_s + 1) answered_after_kill += second.answered;
    }
    EXPECT_GT(answered_after_kill, 0u);
    std::printf("[outcomes %s] accepted=%llu done=%llu failed=%llu dead_lettered=%llu lost=%llu\n",
                s.scenario.c_str(), (unsigned long long)o.accepted, (unsigned long long)o.done,
                (unsigned long long)o.failed, (unsigned long long)o.dead_lettered,
                (unsigned long long)o.lost);
  }
  EXPECT_NE(cli::testing::ReadFile(dir / "results" / "report.md").find("broker-node-kill"),
            std::string::npos);
  // The services were on node 1 (so the kill hit their connections), and each connection that
  // node carried came back on another one: failover really happened.
  std::map<std::string, std::vector<int>> nodes =
      ConnectionNodes(fs::path(state) / "run" / "run-async");
  ASSERT_FALSE(nodes.empty()) << "no service logged a RabbitMQ connection";
  int reconnected = 0;
  for (const auto& [log, connected] : nodes) {
    SCOPED_TRACE(log);
    EXPECT_EQ(connected.front(), 1) << "a service's first connection was not on node 1";
    EXPECT_NE(connected.back(), 1) << "a service is still (or again) on the killed node";
    for (int node : connected) reconnected += node != 1 ? 1 : 0;
    std::string path;
    for (int node : connected) path += " " + std::to_string(node);
    std::printf("[connections %s] nodes:%s\n", log.c_str(), path.c_str());
  }
  EXPECT_GT(reconnected, 0);
  // Every node is back in the cluster after the run.
  infra::CommandResult status =
      Flowbench({"infra", "status", "--state-dir", state}, std::chrono::seconds(60));
  EXPECT_EQ(status.exit_code, 0) << status.output;

  Flowbench({"infra", "down", "--state-dir", state}, std::chrono::seconds(90));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace flowbench
