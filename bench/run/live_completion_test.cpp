// The live console's completion join, on made-up records against a known schedule: 10
// requests a second, evenly spaced, so iteration k is meant to be sent k x 100 ms after the
// load's start, and every latency is known in advance.
#include "bench/run/live_completion.hpp"

#include <gtest/gtest.h>

namespace flowbench::run {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kStart = 1'800'000'000'000'000'000;  // the load's start, unix ns
constexpr JoinClock kClock{kStart, 0};

CompletionRecord EndsAt(std::string id, milliseconds end,
                        WorkOutcome outcome = WorkOutcome::kDone) {
  return {std::move(id), "scenario6", outcome,
          kStart + std::chrono::duration_cast<std::chrono::nanoseconds>(end).count()};
}

// scenario6 open at 10/s for 5 s (1 s of it warm-up), ids "tag-6-<iteration>".
LiveCompletionScenario Clicks() {
  return {"scenario6", "tag-6-",
          load::ArrivalSchedule(load::ConstantArrivalRate(10, seconds(5), 10))};
}

double Ms(std::optional<double> seconds) { return seconds.value_or(-1) * 1000; }

TEST(LiveCompletion, LatencyRunsFromTheScheduledSendToTheRecordedEnd) {
  LiveCompletion live({Clicks()}, seconds(1));
  // Iteration 20 is due at 2000 ms, 30 at 3000 ms: 300 ms and 500 ms of work.
  live.JoinNew({EndsAt("tag-6-20", milliseconds(2300)), EndsAt("tag-6-30", milliseconds(3500))},
               kClock);
  LiveCompletionFigures f = live.Figures();
  EXPECT_EQ(f.completions, 2u);
  // The histogram's own precision: 1/256 relative.
  EXPECT_NEAR(Ms(f.p50_s), 300, 300.0 / 256);
  EXPECT_NEAR(Ms(f.p99_s), 500, 500.0 / 256);
  EXPECT_EQ(f.note, "");
}

TEST(LiveCompletion, TheServicesClockOffsetIsTakenOut) {
  LiveCompletion live({Clicks()}, seconds(1));
  // The services' clock runs 40 ms ahead: their 2340 ms is the driver's 2300 ms.
  live.JoinNew({EndsAt("tag-6-20", milliseconds(2340))}, JoinClock{kStart, 40'000'000});
  EXPECT_NEAR(Ms(live.Figures().p99_s), 300, 300.0 / 256);
}

TEST(LiveCompletion, CountsOnlyTheMeasuredWindowsFirstCompletionOfEachRequestOfThisRun) {
  LiveCompletion live({Clicks()}, seconds(1));
  live.JoinNew({EndsAt("tag-6-5", milliseconds(900)),    // due at 500 ms: warm-up
                EndsAt("tag-6-21", milliseconds(2200)),  // 100 ms: counts
                EndsAt("tag-6-21", milliseconds(2600)),  // the same request again: not twice
                EndsAt("tag-6-22", milliseconds(2400), WorkOutcome::kDeadLettered),
                EndsAt("tag-6-23", milliseconds(2400), WorkOutcome::kFailed),
                EndsAt("other-6-24", milliseconds(2900)),  // another run's
                EndsAt("tag-6-999", milliseconds(2900))},  // never scheduled
               kClock);
  LiveCompletionFigures f = live.Figures();
  EXPECT_EQ(f.completions, 1u);
  EXPECT_NEAR(Ms(f.p99_s), 100, 100.0 / 256);
}

TEST(LiveCompletion, EachRecordIsJoinedOnceAsTheRecordsGrow) {
  LiveCompletion live({Clicks()}, seconds(1));
  std::vector<CompletionRecord> records = {EndsAt("tag-6-20", milliseconds(2100))};
  live.JoinNew(records, kClock);
  records.push_back(EndsAt("tag-6-30", milliseconds(3900)));
  live.JoinNew(records, kClock);
  LiveCompletionFigures f = live.Figures();
  EXPECT_EQ(f.completions, 2u);
  EXPECT_NEAR(Ms(f.p50_s), 100, 100.0 / 256);
  EXPECT_NEAR(Ms(f.p99_s), 900, 900.0 / 256);
}

TEST(LiveCompletion, NoCompletionYetIsNoFigureAndSaysSo) {
  LiveCompletion live({Clicks()}, seconds(1));
  live.JoinNew({}, kClock);
  LiveCompletionFigures f = live.Figures();
  EXPECT_FALSE(f.p99_s.has_value());
  EXPECT_EQ(f.completions, 0u);
  EXPECT_NE(f.note.find("no completion"), std::string::npos) << f.note;
}

TEST(LiveCompletion, AClosedLoopHasNoFigureAndSaysWhy) {
  LiveCompletion live({{"scenario2", "tag-2-", std::nullopt}}, seconds(1));
  live.JoinNew({EndsAt("tag-2-20", milliseconds(2300))}, kClock);
  LiveCompletionFigures f = live.Figures();
  EXPECT_FALSE(f.p99_s.has_value());
  EXPECT_EQ(f.completions, 0u);
  EXPECT_NE(f.note.find("closed loop"), std::string::npos) << f.note;
}

TEST(LiveCompletion, BesideAClosedLoopTheFigureIsTheOpenLoopsAndSaysSo) {
  LiveCompletion live({{"scenario2", "tag-2-", std::nullopt}, Clicks()}, seconds(1));
  live.JoinNew({EndsAt("tag-2-20", milliseconds(9000)), EndsAt("tag-6-20", milliseconds(2300))},
               kClock);
  LiveCompletionFigures f = live.Figures();
  EXPECT_EQ(f.completions, 1u);
  EXPECT_NEAR(Ms(f.p99_s), 300, 300.0 / 256);
  EXPECT_NE(f.note.find("open-loop scenarios only (scenario2"), std::string::npos) << f.note;
}

TEST(LiveCompletion, AnEndBeforeTheIntendedSendIsCountedNotCharted) {
  LiveCompletion live({Clicks()}, seconds(1));
  live.JoinNew({EndsAt("tag-6-20", milliseconds(1990))}, kClock);
  LiveCompletionFigures f = live.Figures();
  EXPECT_EQ(f.completions, 0u);
  EXPECT_NE(f.note.find("1 records end before their intended send"), std::string::npos) << f.note;
}

}  // namespace
}  // namespace flowbench::run
