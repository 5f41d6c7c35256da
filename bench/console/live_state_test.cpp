// The live state a run's progress updates and the console's /api/live shows.
#include "bench/console/live_state.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace flowbench::console {
namespace {

using namespace std::chrono_literals;

run::Progress At(std::string arch, double elapsed_s, bool draining = false) {
  run::Progress p;
  p.arch = std::move(arch);
  p.profile = "baseline";
  p.elapsed_s = elapsed_s;
  p.total_s = 10;
  p.warmup_s = 2;
  p.draining = draining;
  p.offered_per_second = 100;
  p.requests_per_second = 90;
  p.p50_s = 0.004;
  p.p99_s = 0.020;
  p.queue_depths = {{"order.created", 7}};
  return p;
}

boost::json::array Runs(const LiveState& live) {
  return boost::json::parse(live.Json()).as_object().at("runs").as_array();
}

TEST(LiveState, EachBuildsSecondsFormOneSeriesInMilliseconds) {
  LiveState live("run");
  live.Update(At("sync", 1));
  live.Update(At("sync", 3));
  live.Update(At("sync", 3, /*draining=*/true));
  live.Update(At("async", 1));
  boost::json::array runs = Runs(live);
  ASSERT_EQ(runs.size(), 2u);
  const boost::json::array& sync = runs[0].at("points").as_array();
  ASSERT_EQ(sync.size(), 3u);
  EXPECT_EQ(sync[0].at("phase").as_string(), "warm-up");
  EXPECT_EQ(sync[1].at("phase").as_string(), "load");
  EXPECT_EQ(sync[1].at("p99_ms").as_double(), 20.0);
  EXPECT_EQ(sync[1].at("offered_per_s").as_double(), 100.0);
  // The drain's seconds follow the load's; no rates there (the load is over).
  EXPECT_EQ(sync[2].at("phase").as_string(), "draining");
  EXPECT_EQ(sync[2].at("t").as_double(), 4.0);
  EXPECT_EQ(sync[2].at("answered_per_s").as_double(), 0.0);
  EXPECT_EQ(runs[1].at("arch").as_string(), "async");
  EXPECT_EQ(runs[1].at("queues").as_array()[0].at("depth").as_int64(), 7);
}

TEST(LiveState, ASweepsNextStepOfTheSameBuildIsANewRun) {
  LiveState live("sweep");
  live.Update(At("sync", 5));
  live.Update(At("sync", 6, /*draining=*/true));
  live.Update(At("sync", 1));  // the next step: the clock starts again
  EXPECT_EQ(Runs(live).size(), 2u);
}

TEST(LiveState, KeepsTheNewestRunsAndPointsOnly) {
  LiveState live("sweep", /*max_runs=*/2, /*max_points=*/3);
  for (int second = 1; second <= 5; ++second) live.Update(At("sync", second));
  live.Update(At("async", 1));
  live.Update(At("sync", 1));
  boost::json::array runs = Runs(live);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].at("arch").as_string(), "async");
  LiveState one("run", 2, 3);
  for (int second = 1; second <= 5; ++second) one.Update(At("sync", second));
  boost::json::array one_runs = Runs(one);
  const boost::json::array& points = one_runs[0].at("points").as_array();
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points.front().at("t").as_double(), 3.0);
}

TEST(LiveState, CompletionLatencyIsInMillisecondsWithHowManyCompletionsItCovers) {
  LiveState live("run");
  run::Progress p = At("async", 4);
  p.completion_p50_s = 0.012;
  p.completion_p99_s = 0.250;
  p.completions = 180;
  live.Update(p);
  p = At("async", 5, /*draining=*/true);  // the work ending in the drain still counts
  p.completion_p50_s = 0.015;
  p.completion_p99_s = 0.900;
  p.completions = 230;
  live.Update(p);
  boost::json::array runs = Runs(live);
  const boost::json::array& points = runs[0].at("points").as_array();
  EXPECT_EQ(points[0].at("completion_p50_ms").as_double(), 12.0);
  EXPECT_EQ(points[0].at("completion_p99_ms").as_double(), 250.0);
  EXPECT_EQ(points[0].at("completions").as_int64(), 180);
  EXPECT_EQ(points[0].at("completion_note").as_string(), "");
  EXPECT_EQ(points[1].at("phase").as_string(), "draining");
  EXPECT_EQ(points[1].at("completion_p99_ms").as_double(), 900.0);
  EXPECT_EQ(points[1].at("completions").as_int64(), 230);
}

TEST(LiveState, CompletionNotTrackedIsNullWithTheReasonNotZero) {
  LiveState live("run");
  run::Progress p = At("sync", 4);
  p.completion_note = "the services have no /completions";
  live.Update(p);
  boost::json::array runs = Runs(live);
  const boost::json::value& point = runs[0].at("points").as_array()[0];
  EXPECT_TRUE(point.at("completion_p50_ms").is_null());
  EXPECT_TRUE(point.at("completion_p99_ms").is_null());
  EXPECT_EQ(point.at("completions").as_int64(), 0);
  EXPECT_EQ(point.at("completion_note").as_string(), "the services have no /completions");
}

TEST(LiveState, SaysWhenTheExperimentFinishedAndWhereItsResultsAre) {
  LiveState live("run");
  EXPECT_FALSE(boost::json::parse(live.Json()).at("finished").as_bool());
  live.Finish("results/20261201-010203");
  boost::json::value state = boost::json::parse(live.Json());
  EXPECT_TRUE(state.at("finished").as_bool());
  EXPECT_EQ(state.at("results_dir").as_string(), "results/20261201-010203");
}

TEST(FaultPhase, SaysWhatComesWhatIsOnAndWhatWasBySecondsOfTheMeasuredWindow) {
  std::vector<run::FaultSpec> faults{run::ParseFault("broker-kill@20s+10s")};
  EXPECT_EQ(FaultPhase({}, 5), "");
  EXPECT_EQ(FaultPhase(faults, -1), "before broker-kill:rabbitmq (at 20 s)");
  EXPECT_EQ(FaultPhase(faults, 23.5), "broker-kill:rabbitmq on (3 of 10 s)");
  EXPECT_EQ(FaultPhase(faults, 31), "after broker-kill:rabbitmq");
}

TEST(LiveState, EachPointCarriesTheFaultPhaseOfItsSecond) {
  LiveState live("run");
  live.SetFaults({run::ParseFault("broker-kill@2s+3s")});
  live.Update(At("async", 5));  // 3 s into the measured window (2 s of warm-up)
  boost::json::array runs = Runs(live);
  EXPECT_EQ(runs[0].at("points").as_array()[0].at("fault").as_string(),
            "broker-kill:rabbitmq on (1 of 3 s)");
}

}  // namespace
}  // namespace flowbench::console
