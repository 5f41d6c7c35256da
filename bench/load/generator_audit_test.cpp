// AuditGenerator on made-up LoadResults: send-lag percentiles by nearest rank over the measured
// open-loop requests that were sent (warm-up, dropped and closed-loop ones left out), the share
// of scheduled requests started, and the sentences that make a run invalid.
#include "bench/load/generator_audit.hpp"

#include <gtest/gtest.h>

namespace flowbench::load {
namespace {

using namespace std::chrono_literals;

RequestRecord Sent(std::uint64_t iteration, Duration intended, Duration lag) {
  RequestRecord r;
  r.iteration = iteration;
  r.intended = intended;
  r.sent = intended + lag;
  r.ended = r.sent + 1ms;
  r.status = 200;
  return r;
}

RequestRecord Dropped(std::uint64_t iteration, Duration intended) {
  RequestRecord r;
  r.iteration = iteration;
  r.intended = intended;
  r.fate = RequestFate::kDropped;
  return r;
}

ScenarioRecording OpenLoop(std::vector<RequestRecord> requests, std::uint64_t scheduled) {
  ScenarioRecording s;
  s.name = "open";
  s.open_loop = true;
  s.requests = std::move(requests);
  s.scheduled = scheduled;
  return s;
}

TEST(AuditGenerator, NoOpenLoopIsValidWithNothingToMeasure) {
  LoadResult result;
  result.client_cpu_s = 1.5;
  ScenarioRecording closed;
  closed.name = "closed";
  closed.requests = {Sent(0, 0ms, 0ms)};  // a closed loop's intended is its send
  closed.scheduled = 1;
  result.scenarios.push_back(closed);
  GeneratorAudit audit = AuditGenerator(result);
  EXPECT_TRUE(audit.valid);
  EXPECT_TRUE(audit.problems.empty());
  EXPECT_EQ(audit.achieved_over_intended, 1);
  EXPECT_EQ(audit.send_lag_p99_ms, 0);
  EXPECT_EQ(audit.client_cpu_s, 1.5);
}

TEST(AuditGenerator, SendLagPercentilesAreNearestRankOverTheSentMeasuredRequests) {
  std::vector<RequestRecord> requests;
  // 100 measured requests with lags 1..100 us, plus what must not count: a warm-up request
  // 1 s late, and a dropped one.
  for (std::uint64_t i = 0; i < 100; ++i) {
    requests.push_back(Sent(i, 10ms * i, std::chrono::microseconds(i + 1)));
  }
  RequestRecord warm = Sent(100, 0ms, 1s);
  warm.warmup = true;
  requests.push_back(warm);
  requests.push_back(Dropped(101, 5ms));
  LoadResult result;
  result.scenarios.push_back(OpenLoop(requests, 101));  // 100 started of 101 scheduled
  GeneratorAudit audit = AuditGenerator(result);
  EXPECT_DOUBLE_EQ(audit.send_lag_p50_ms, 0.050);  // rank 50 of 100
  EXPECT_DOUBLE_EQ(audit.send_lag_p99_ms, 0.099);  // rank 99
  EXPECT_DOUBLE_EQ(audit.send_lag_max_ms, 0.100);
  EXPECT_DOUBLE_EQ(audit.achieved_over_intended, 100.0 / 101);
  EXPECT_TRUE(audit.valid) << (audit.problems.empty() ? "" : audit.problems[0]);
}

TEST(AuditGenerator, TooFewStartedIsInvalidAndSaysSo) {
  std::vector<RequestRecord> requests;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    requests.push_back(i < 931 ? Sent(i, 1ms * i, 10us) : Dropped(i, 1ms * i));
  }
  LoadResult result;
  result.scenarios.push_back(OpenLoop(requests, 1000));
  GeneratorAudit audit = AuditGenerator(result);
  EXPECT_FALSE(audit.valid);
  ASSERT_EQ(audit.problems.size(), 1u);
  EXPECT_EQ(audit.problems[0],
            "the generator started 93.1 % of the scheduled requests (below 99 %)");
  EXPECT_NEAR(audit.achieved_over_intended, 0.931, 1e-12);
}

TEST(AuditGenerator, LateSendsAreInvalidAgainstTheBoundGiven) {
  std::vector<RequestRecord> requests;
  for (std::uint64_t i = 0; i < 100; ++i) requests.push_back(Sent(i, 1ms * i, 20ms));
  LoadResult result;
  result.scenarios.push_back(OpenLoop(requests, 100));
  GeneratorAudit audit = AuditGenerator(result);
  EXPECT_FALSE(audit.valid);
  ASSERT_EQ(audit.problems.size(), 1u);
  EXPECT_NE(audit.problems[0].find("send lag p99 20.0 ms (above 10 ms)"), std::string::npos)
      << audit.problems[0];
  EXPECT_TRUE(AuditGenerator(result, AuditBounds{.max_send_lag_p99 = 50ms}).valid);
}

TEST(AuditGenerator, SeveralOpenLoopsArePooledAndAStoppedRunSaysWhy) {
  LoadResult result;
  result.stopped_early = true;
  result.scenarios.push_back(OpenLoop({Sent(0, 0ms, 1us), Sent(1, 1ms, 1us)}, 2));
  result.scenarios.push_back(OpenLoop({Sent(0, 0ms, 1us)}, 4));
  GeneratorAudit audit = AuditGenerator(result);
  EXPECT_DOUBLE_EQ(audit.achieved_over_intended, 0.5);
  ASSERT_EQ(audit.problems.size(), 1u);
  EXPECT_NE(audit.problems[0].find("50.0 %"), std::string::npos);
  EXPECT_NE(audit.problems[0].find("stopped early"), std::string::npos);
}

}  // namespace
}  // namespace flowbench::load
