// --fault parsing: every kind, and every mistake a clear error naming what is expected.
#include "bench/run/fault_plan.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "bench/run/fault_injector.hpp"

namespace flowbench::run {
namespace {

using std::chrono::milliseconds;

TEST(FaultPlan, ParsesEveryKindWithItsTargetStartAndDuration) {
  FaultSpec broker = ParseFault("broker-kill@20s+10s");
  EXPECT_EQ(broker.kind, FaultKind::kBrokerKill);
  EXPECT_EQ(broker.target, "rabbitmq");
  EXPECT_EQ(broker.start, milliseconds(20'000));
  EXPECT_EQ(broker.duration, milliseconds(10'000));
  EXPECT_EQ(ParseFault("broker-stop@0s+1m").duration, milliseconds(60'000));
  EXPECT_EQ(ParseFault("db-kill@3+4").target, "postgres");
  EXPECT_EQ(ParseFault("db-stop@500ms+2s").start, milliseconds(500));
  FaultSpec kill = ParseFault("service-kill:email@3s+4s");
  EXPECT_EQ(kill.kind, FaultKind::kServiceKill);
  EXPECT_EQ(kill.target, "email");
  FaultSpec pause = ParseFault("service-pause:payment@1.5s+2s");
  EXPECT_EQ(pause.kind, FaultKind::kServicePause);
  EXPECT_EQ(pause.start, milliseconds(1500));
  EXPECT_EQ(FaultKindName(pause.kind), "service-pause");
  FaultSpec slow = ParseFault("slow:email+500@5s+10s");
  EXPECT_EQ(slow.kind, FaultKind::kSlow);
  EXPECT_EQ(slow.target, "email");
  EXPECT_EQ(slow.extra, milliseconds(500));
  EXPECT_EQ(slow.start, milliseconds(5'000));
  EXPECT_EQ(slow.duration, milliseconds(10'000));
  EXPECT_EQ(FaultKindName(slow.kind), "slow");
  FaultSpec node = ParseFault("broker-node-kill:2@5s+10s");
  EXPECT_EQ(node.kind, FaultKind::kBrokerNodeKill);
  EXPECT_EQ(node.broker_node, 2);
  EXPECT_EQ(node.target, "rabbitmq-2");
  EXPECT_EQ(node.start, milliseconds(5'000));
  EXPECT_EQ(FaultKindName(node.kind), "broker-node-kill");
  FaultSpec cut = ParseFault("partition:payment@2s+3s");
  EXPECT_EQ(cut.kind, FaultKind::kPartition);
  EXPECT_EQ(cut.target, "payment");
  EXPECT_EQ(ParseFault("partition:rabbitmq@2s+3s").target, "rabbitmq");
  EXPECT_EQ(ParseFault("partition:postgres@2s+3s").target, "postgres");
}

void ExpectError(const std::string& text, const std::string& says) {
  try {
    ParseFault(text);
    ADD_FAILURE() << text << " was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(FaultPlan, MistakesAreClearErrors) {
  ExpectError("broker-explode@1s+1s", "unknown kind 'broker-explode'");
  ExpectError("broker-kill", "no @START");
  ExpectError("broker-kill@1s", "no +DURATION");
  ExpectError("broker-kill@soon+1s", "'soon' is not a time");
  ExpectError("broker-kill@1s+0s", "is not a positive time");
  ExpectError("broker-kill@-1s+2s", "is not a time");
  ExpectError("broker-kill@1h+2s", "'1h' is not a time");
  ExpectError("broker-kill:rabbitmq@1s+2s", "takes no target");
  ExpectError("service-kill@1s+2s", "service-kill needs a service");
  ExpectError("service-pause:kafka@1s+2s", "one of user, ");
  ExpectError("slow:email@1s+2s", "slow:SERVICE+MS");
  ExpectError("slow:email+fast@1s+2s", "not 'fast'");
  ExpectError("slow:email+0@1s+2s", "from 1 to 60000");
  ExpectError("slow:email+90000@1s+2s", "from 1 to 60000");
  ExpectError("slow:kafka+5@1s+2s", "slow needs a service");
  ExpectError("broker-node-kill@1s+2s", "broker-node-kill needs the cluster's node");
  ExpectError("broker-node-kill:0@1s+2s", "not '0'");
  ExpectError("broker-node-kill:two@1s+2s", "not 'two'");
  ExpectError("partition:kafka@1s+2s", "partition needs a service");
}

report::SecondSample Second(double t, std::uint64_t answered, std::uint64_t errors) {
  report::SecondSample s;
  s.t = t;
  s.offered = answered;
  s.answered = answered;
  s.errors = errors;
  return s;
}

TEST(FaultRecovery, IsTheFirstSecondAfterTheFaultWithoutErrorsInAnyScenario) {
  report::ScenarioResult a, b;
  a.timeseries = {Second(0, 5, 0), Second(1, 5, 3), Second(2, 5, 2),
                  Second(3, 5, 0), Second(4, 5, 0), Second(5, 5, 0)};
  b.timeseries = {Second(0, 5, 0), Second(1, 5, 0), Second(2, 5, 0),
                  Second(3, 5, 1), Second(4, 5, 0), Second(5, 5, 0)};
  // The fault ended at 2.0 s: second 2 and 3 still had errors (3 in b), second 4 none.
  EXPECT_EQ(RecoverySeconds({a, b}, 2.0), std::optional<double>(2.0));
  // Ended at 4.5 s: second 5 is the first whole second after it, clean.
  EXPECT_EQ(RecoverySeconds({a, b}, 4.5), std::optional<double>(0.5));
  // Errors to the end: never recovered within the window.
  b.timeseries.back().errors = 1;
  EXPECT_EQ(RecoverySeconds({a, b}, 4.5), std::nullopt);
  // A second with nothing answered is no sign of recovery.
  a.timeseries[4] = Second(4, 0, 0);
  b.timeseries[4] = Second(4, 0, 0);
  b.timeseries.back().errors = 0;
  EXPECT_EQ(RecoverySeconds({a, b}, 3.5), std::optional<double>(1.5));
}

}  // namespace
}  // namespace flowbench::run
