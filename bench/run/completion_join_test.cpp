// The join of the driver's requests to the services' completion records, on made-up records
// with known times: every latency and every outcome is known in advance.
#include "bench/run/completion_join.hpp"

#include <gtest/gtest.h>

#include "bench/run/timeseries.hpp"

namespace flowbench::run {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kStart = 1'800'000'000'000'000'000;  // the load's start, unix ns

load::RequestRecord Answered(std::uint64_t iteration, milliseconds intended, int status = 202) {
  load::RequestRecord r;
  r.iteration = iteration;
  r.intended = intended;
  r.sent = intended;
  r.ended = intended + milliseconds(5);
  r.status = status;
  if (status >= 400) r.error = stats::ErrorKind::kStatus;
  return r;
}

CompletionRecord At(std::string id, milliseconds end, WorkOutcome outcome = WorkOutcome::kDone,
                    std::string scenario = "scenario2") {
  return {std::move(id), std::move(scenario), outcome,
          kStart + std::chrono::duration_cast<std::chrono::nanoseconds>(end).count()};
}

struct Fixture {
  std::vector<load::ScenarioRecording> recordings;
  std::vector<std::string> prefixes;
};

Fixture TwoScenarios() {
  Fixture f;
  load::ScenarioRecording payments;
  payments.name = "scenario2";
  payments.requests = {Answered(0, milliseconds(1000)), Answered(1, milliseconds(1500)),
                       Answered(2, milliseconds(2000)), Answered(3, milliseconds(2500)),
                       Answered(4, milliseconds(3000), 503)};
  payments.requests[0].warmup = true;
  load::ScenarioRecording orders;
  orders.name = "scenario5";
  orders.requests = {Answered(0, milliseconds(1200)), Answered(1, milliseconds(1700))};
  f.recordings = {payments, orders};
  f.prefixes = {"tag-2-", "tag-5-"};
  return f;
}

TEST(CompletionJoin, CompletionLatencyRunsFromTheIntendedSendToTheRecordedEnd) {
  Fixture f = TwoScenarios();
  // Known service times: 2000 ms and 2500 ms after the intended send.
  std::vector<CompletionRecord> records = {At("tag-2-1", milliseconds(3500)),
                                           At("tag-2-2", milliseconds(4500))};
  std::vector<JoinedScenario> joined =
      JoinCompletions(f.recordings, f.prefixes, records, {kStart, 0}, /*work_left=*/false);
  ASSERT_EQ(joined.size(), 2U);
  const JoinedScenario& payments = joined[0];
  EXPECT_EQ(payments.completion.Count(), 2U);
  EXPECT_EQ(payments.completion_ns[1], 2'000'000'000);
  EXPECT_EQ(payments.completion_ns[2], 2'500'000'000);
  EXPECT_NEAR(static_cast<double>(payments.completion.Max()), 2.5e9, 2.5e9 * 0.01);
  EXPECT_NEAR(static_cast<double>(payments.completion.Min()), 2.0e9, 2.0e9 * 0.01);
}

TEST(CompletionJoin, AServiceClockAheadOfTheDriversIsTakenOff) {
  Fixture f = TwoScenarios();
  std::vector<CompletionRecord> records = {At("tag-2-1", milliseconds(3500 + 700))};
  JoinClock clock{kStart, std::chrono::nanoseconds(milliseconds(700)).count()};
  std::vector<JoinedScenario> joined =
      JoinCompletions(f.recordings, f.prefixes, records, clock, false);
  EXPECT_EQ(joined[0].completion_ns[1], 2'000'000'000);
}

TEST(CompletionJoin, EveryAcceptedRequestHasOneOutcome) {
  Fixture f = TwoScenarios();
  std::vector<CompletionRecord> records = {
      At("tag-2-0", milliseconds(1100)),                          // warm-up: not counted
      At("tag-2-1", milliseconds(3500)),                          // done
      At("tag-2-2", milliseconds(4000), WorkOutcome::kDegraded),  // degraded, not a completion
      At("tag-2-2", milliseconds(4100), WorkOutcome::kDone),      // ... and a second record
      At("tag-5-0", milliseconds(3000), WorkOutcome::kCompensated, "scenario5"),
      At("tag-5-1", milliseconds(3000), WorkOutcome::kDeadLettered, "scenario5"),
      At("tag-2-99", milliseconds(3000)),  // never sent
      At("other-run-7", milliseconds(3000), WorkOutcome::kDone, "scenario5"),
  };
  std::vector<JoinedScenario> joined =
      JoinCompletions(f.recordings, f.prefixes, records, {kStart, 0}, /*work_left=*/false);
  const report::Outcomes& p = joined[0].outcomes;
  EXPECT_EQ(p.accepted, 3U);  // the warm-up one and the 503 are not
  EXPECT_EQ(p.done, 1U);
  EXPECT_EQ(p.degraded, 1U);  // the first record decides
  EXPECT_EQ(p.duplicated, 1U);
  EXPECT_EQ(p.lost, 1U);  // tag-2-3: no record, nothing queued
  EXPECT_EQ(p.unknown_ids, 1U);
  EXPECT_EQ(joined[0].completion.Count(), 1U);
  const report::Outcomes& o = joined[1].outcomes;
  EXPECT_EQ(o.accepted, 2U);
  EXPECT_EQ(o.compensated, 1U);
  EXPECT_EQ(o.dead_lettered, 1U);
  EXPECT_EQ(o.unknown_ids, 1U);
  EXPECT_EQ(joined[1].completion.Count(), 1U);  // compensated is a completion
  EXPECT_EQ(joined[0].awaiting, 1U);
}

TEST(CompletionJoin, WithWorkStillQueuedAMissingRecordIsUnfinishedNotLost) {
  Fixture f = TwoScenarios();
  std::vector<JoinedScenario> joined =
      JoinCompletions(f.recordings, f.prefixes, {}, {kStart, 0}, /*work_left=*/true);
  EXPECT_EQ(joined[0].outcomes.unfinished, 3U);
  EXPECT_EQ(joined[0].outcomes.lost, 0U);
  EXPECT_EQ(joined[0].awaiting, 4U);  // the warm-up request is waited for too
}

TEST(Timeseries, CountsEachSecondOfTheMeasuredWindowByIntendedSendTime) {
  Fixture f = TwoScenarios();
  load::RequestRecord dropped;
  dropped.iteration = 5;
  dropped.intended = milliseconds(2200);
  dropped.fate = load::RequestFate::kDropped;
  f.recordings[0].requests.push_back(dropped);
  std::vector<CompletionRecord> records = {At("tag-2-1", milliseconds(3500))};
  std::vector<JoinedScenario> joined =
      JoinCompletions(f.recordings, f.prefixes, records, {kStart, 0}, false);
  // Warm-up 1 s, measured 3 s: seconds [1,2), [2,3), [3,4) of the load.
  std::vector<report::SecondSample> series =
      PerSecond(f.recordings[0], &joined[0], seconds(1), seconds(3));
  ASSERT_EQ(series.size(), 3U);
  EXPECT_EQ(series[0].offered, 1U);  // 1500 (1000 is warm-up)
  EXPECT_EQ(series[0].answered, 1U);
  EXPECT_EQ(series[1].offered, 3U);  // 2000, 2500 and the dropped one at 2200
  EXPECT_EQ(series[1].errors, 1U);
  EXPECT_EQ(series[2].offered, 1U);  // the 503 at 3000
  EXPECT_EQ(series[2].errors, 1U);
  ASSERT_TRUE(series[0].completion_p99);
  EXPECT_DOUBLE_EQ(*series[0].completion_p99, 2.0);
  EXPECT_FALSE(series[1].completion_p99);
  ASSERT_TRUE(series[0].answer_p99);
  EXPECT_DOUBLE_EQ(*series[0].answer_p99, 0.005);
}

TEST(Timeseries, BacklogCountsWorkDueAndNotDoneAtTheEndOfEachSecond) {
  Fixture f = TwoScenarios();
  // requests (scenario2): 0 warm-up at 1000 ms, done at 1800; 1 at 1500, done at 3500;
  // 2 at 2000, no record (never done); 3 at 2500, done at 2900; 4 at 3000, refused (503,
  // answered at 3005); 5 dropped at 2200; 6 cut at 3100.
  load::RequestRecord dropped;
  dropped.iteration = 5;
  dropped.intended = milliseconds(2200);
  dropped.fate = load::RequestFate::kDropped;
  load::RequestRecord cut;
  cut.iteration = 6;
  cut.intended = milliseconds(3100);
  cut.fate = load::RequestFate::kCut;
  f.recordings[0].requests.push_back(dropped);
  f.recordings[0].requests.push_back(cut);
  std::vector<CompletionRecord> records = {At("tag-2-0", milliseconds(1800)),
                                           At("tag-2-1", milliseconds(3500)),
                                           At("tag-2-3", milliseconds(2900))};
  std::vector<JoinedScenario> joined =
      JoinCompletions(f.recordings, f.prefixes, records, {kStart, 0}, false);
  // Warm-up 1 s, measured 3 s: the ends of the seconds are 2 s, 3 s and 4 s into the load.
  std::vector<std::uint64_t> backlog =
      BacklogPerSecond(f.recordings[0], joined[0], seconds(1), seconds(3));
  // At 2 s: 1 (1500, not done until 3500) and 2 (due at 2000, never done).
  // At 3 s: 1, 2 (3 was done at 2900; 4 was answered 503 at 3005, after 3 s: still waiting).
  // At 4 s: 2 and the cut one (1 was done at 3500; 4 was refused).
  EXPECT_EQ(backlog, (std::vector<std::uint64_t>{2, 3, 2}));
}

}  // namespace
}  // namespace flowbench::run
