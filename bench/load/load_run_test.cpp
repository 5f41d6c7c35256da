// The load engine against real loopback servers: arrival-rate schedules keep time (also when
// waking ahead), a saturated pool drops (and counts) iterations, constant-vus think time,
// typed errors, whole bodies whatever their framing, progress snapshots, Stop(), several
// workers sharing one schedule, zero think time, a record for every iteration (answered,
// failed, dropped, cut) with timeouts in the latency, X-Request-Id, warm-up and `scheduled`,
// a starved generator marked invalid, and the coordinated-omission demonstration: one 1 s
// stall under a constant arrival rate shows in the corrected p99 and not in the uncorrected
// one.
#include "bench/load/load_run.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <set>
#include <string>

#include "bench/load/arrival_schedule.hpp"
#include "bench/load/generator_audit.hpp"
#include "bench/load/test_server.hpp"

namespace flowbench::load {
namespace {

using namespace std::chrono_literals;
using testing::TestServer;

void AnswerOk(const httplib::Request&, httplib::Response& response) {
  response.set_content(R"({"status":"tracked"})", "application/json");
}

ScenarioLoad Scenario(int port, Executor executor) {
  ScenarioLoad s;
  s.name = "test";
  s.port = port;
  s.executor = std::move(executor);
  s.make_request = [](std::mt19937_64&, std::uint64_t i) {
    return HttpRequestSpec{"POST", "/track_click", R"({"user_id":)" + std::to_string(i) + "}"};
  };
  s.request_timeout = 5s;
  return s;
}

LoadResult RunOne(ScenarioLoad scenario, Duration graceful_stop = 5s) {
  LoadOptions options;
  options.graceful_stop = graceful_stop;
  return LoadRun({std::move(scenario)}, options).Run();
}

double Ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

TEST(LoadRun, ConstantArrivalRateStartsRequestsOnSchedule) {
  TestServer server(AnswerOk);
  LoadResult result = RunOne(Scenario(server.Port(), ConstantArrivalRate(200, 1s, 20)));
  const stats::Recorder& r = result.scenarios.at(0).recorder;
  EXPECT_EQ(r.Started(), 200u);
  EXPECT_EQ(r.Dropped(), 0u);
  EXPECT_EQ(r.Errors().Total(), 0u);
  std::vector<Clock::time_point> arrivals = server.Arrivals();
  ASSERT_EQ(arrivals.size(), 200u);
  std::sort(arrivals.begin(), arrivals.end());
  // Each arrival against its 5 ms slot, the slots placed where most arrivals are (the median
  // offset): a first request slowed by its connection set-up must not shift every slot.
  std::vector<double> offsets;
  for (std::size_t k = 0; k < arrivals.size(); ++k) {
    offsets.push_back(Ms(arrivals[k] - arrivals[0]) - 5.0 * static_cast<double>(k));
  }
  std::vector<double> sorted = offsets;
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const double median = sorted[sorted.size() / 2];
  int on_time = 0;
  double worst = 0;
  double earliest = 0;
  for (double offset : offsets) {
    double late = offset - median;
    worst = std::max(worst, std::abs(late));
    earliest = std::min(earliest, late);
    on_time += std::abs(late) <= 5;
  }
  // Most within their slot: an engine that drifted off the rate or sent in bursts would have
  // few. How many are late is the machine's doing, not the engine's (the suite runs tests in
  // parallel on two cores: a CI run had 31 of 200 late after stalls of up to 57 ms), so it is
  // not bounded here: punctuality is measured, by the generator audit of every run. None may
  // come early: the engine never sends before an iteration is due.
  EXPECT_GE(on_time, 100) << "requests off their 5 ms slots; worst by " << worst << " ms";
  EXPECT_GE(earliest, -5.0) << "a request sent ahead of its slot";
}

// Waking early to poll must change only punctuality: every iteration still starts, once, and
// never before it is due (a send before its due time would make corrected < uncorrected).
TEST(LoadRun, WakeAheadStartsEveryIterationAndNoneEarly) {
  TestServer server(AnswerOk);
  ArrivalRate plan = ConstantArrivalRate(200, 500ms, 20);
  plan.wake_ahead = 2ms;
  const stats::Recorder r = RunOne(Scenario(server.Port(), plan)).scenarios.at(0).recorder;
  EXPECT_EQ(r.Started(), 100u);
  EXPECT_EQ(r.Completed(), 100u);
  EXPECT_EQ(r.Dropped(), 0u);
  EXPECT_EQ(server.Arrivals().size(), 100u);
  EXPECT_GE(r.Corrected().Min(), r.Uncorrected().Min());
  EXPECT_GE(r.Corrected().Sum(), r.Uncorrected().Sum());
}

TEST(LoadRun, FewerOpenLoopVusThanThreadsIsRefusedRatherThanExceeded) {
  ScenarioLoad scenario = Scenario(1, ConstantArrivalRate(10, 1s, 1));
  LoadOptions options;
  options.threads = 2;
  EXPECT_THROW(LoadRun({scenario}, options), std::invalid_argument);
  options.threads = 1;
  EXPECT_NO_THROW(LoadRun({scenario}, options));
}

TEST(LoadRun, RampingArrivalRateFollowsTheRamp) {
  TestServer server(AnswerOk);
  LoadResult result = RunOne(Scenario(server.Port(), RampingArrivalRate(0, {{100, 1s}}, 20)));
  EXPECT_EQ(result.scenarios.at(0).recorder.Started(), 50u);
  std::vector<Clock::time_point> arrivals = server.Arrivals();
  std::sort(arrivals.begin(), arrivals.end());
  ASSERT_EQ(arrivals.size(), 50u);
  // N(t) = 50 t^2: the 13th arrival (index 12) is due at 0.49 s, the 37th at 0.849 s.
  EXPECT_NEAR(Ms(arrivals[12] - arrivals[0]), 490, 30);
  EXPECT_NEAR(Ms(arrivals[36] - arrivals[0]), 849, 30);
}

TEST(LoadRun, IterationsThatFindNoFreeVuAreDroppedAndCounted) {
  TestServer server([](const httplib::Request&, httplib::Response& response) {
    std::this_thread::sleep_for(200ms);
    response.set_content("{}", "application/json");
  });
  LoadResult result = RunOne(Scenario(server.Port(), ConstantArrivalRate(50, 1s, 2)));
  const stats::Recorder& r = result.scenarios.at(0).recorder;
  EXPECT_EQ(r.Started() + r.Dropped(), 50u) << "every scheduled iteration is started or dropped";
  EXPECT_LE(r.Started(), 14u);
  EXPECT_GE(r.Dropped(), 36u);
  EXPECT_EQ(r.Completed(), r.Started());
  EXPECT_EQ(server.Arrivals().size(), r.Started());
  // Every scheduled iteration has a record, in schedule order, numbered as the schedule is;
  // the dropped ones were never sent.
  const std::vector<RequestRecord>& records = result.scenarios.at(0).requests;
  ASSERT_EQ(records.size(), 50u);
  std::uint64_t dropped = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].iteration, i);
    EXPECT_NEAR(Ms(records[i].intended), 20.0 * static_cast<double>(i), 0.01);
    if (records[i].fate == RequestFate::kDropped) {
      ++dropped;
      EXPECT_EQ(records[i].sent, Duration{-1});
      EXPECT_EQ(records[i].ended, Duration{-1});
      EXPECT_FALSE(records[i].Accepted());
    } else {
      EXPECT_EQ(records[i].fate, RequestFate::kAnswered);
      EXPECT_TRUE(records[i].Accepted());
      EXPECT_GE(records[i].sent, records[i].intended);
      EXPECT_GE(Ms(records[i].ended - records[i].sent), 190);  // the server's 200 ms
    }
  }
  EXPECT_EQ(dropped, r.Dropped());
  EXPECT_EQ(result.scenarios.at(0).scheduled, 50u);
}

TEST(LoadRun, ConstantVusSleepThinkTimeAfterEachIteration) {
  TestServer server(AnswerOk);
  Clock::time_point before = Clock::now();
  LoadResult result = RunOne(Scenario(server.Port(), ConstantVus{2, 1s, 300ms}));
  const stats::Recorder& r = result.scenarios.at(0).recorder;
  // Each VU sends at ~0, 0.3, 0.6, 0.9 s.
  EXPECT_GE(r.Started(), 6u);
  EXPECT_LE(r.Started(), 8u);
  EXPECT_EQ(r.Completed(), r.Started());
  EXPECT_LT(Ms(Clock::now() - before), 1500);
  std::vector<Clock::time_point> arrivals = server.Arrivals();
  std::sort(arrivals.begin(), arrivals.end());
  ASSERT_GE(arrivals.size(), 4u);
  // Two VUs start together, then wait out their think time: pairs 300 ms apart.
  EXPECT_GE(Ms(arrivals[2] - arrivals[0]), 290);
}

TEST(LoadRun, ErrorsAreTyped) {
  TestServer server([](const httplib::Request& request, httplib::Response& response) {
    if (request.body.find("\"user_id\":1}") != std::string::npos) {
      response.status = 500;
    } else {
      response.set_content(R"({"status":"lost"})", "application/json");
    }
  });
  ScenarioLoad s = Scenario(server.Port(), ConstantVus{1, 300ms, 0ms});
  s.check = [](const HttpAnswer& a) -> std::optional<stats::ErrorKind> {
    if (a.status != 200) return stats::ErrorKind::kStatus;
    if (a.body.find("tracked") == std::string_view::npos) return stats::ErrorKind::kCheck;
    return std::nullopt;
  };
  const stats::Recorder r = RunOne(s).scenarios.at(0).recorder;
  EXPECT_EQ(r.Errors().Of(stats::ErrorKind::kStatus), 1u);
  EXPECT_EQ(r.Errors().Of(stats::ErrorKind::kCheck), r.Completed() - 1);
  EXPECT_GT(r.Completed(), 10u);

  int closed_port = [] {  // a port that was just served and is now closed
    TestServer gone(AnswerOk);
    return gone.Port();
  }();
  ScenarioLoad refused = Scenario(closed_port, ConstantVus{1, 200ms, 50ms});
  const stats::Recorder e = RunOne(refused).scenarios.at(0).recorder;
  EXPECT_GT(e.Errors().Of(stats::ErrorKind::kConnect), 0u);
  EXPECT_EQ(e.Errors().Of(stats::ErrorKind::kConnect), e.Started());
  // Failures without an answer are in the latency too (at the time they failed), as in k6.
  EXPECT_EQ(e.Corrected().Count(), e.Started());
  EXPECT_EQ(e.Completed(), e.Started());
  EXPECT_EQ(e.Answered(), 0u);
}

TEST(LoadRun, ProgressOncePerIntervalAndStopEndsTheRunEarly) {
  TestServer server(AnswerOk);
  LoadOptions options;
  options.progress_interval = 200ms;
  LoadRun run({Scenario(server.Port(), ConstantArrivalRate(100, 30s, 10))}, options);
  std::vector<ProgressSnapshot> snapshots;
  Clock::time_point before = Clock::now();
  LoadResult result = run.Run([&](const ProgressSnapshot& p) {
    snapshots.push_back(p);
    if (snapshots.size() == 4) run.Stop();
  });
  EXPECT_TRUE(result.stopped_early);
  EXPECT_LT(Ms(Clock::now() - before), 3000);
  ASSERT_GE(snapshots.size(), 4u);
  const ProgressSnapshot& last = snapshots[3];
  EXPECT_NEAR(Ms(last.elapsed), 800, 100);
  EXPECT_EQ(last.total, 30s);
  EXPECT_GT(last.completed, 60u);
  EXPECT_NEAR(last.requests_per_second, 100, 30);
  EXPECT_GT(last.p95_ns, 0);
  // What the live console shows besides: the offered rate next to the answered one, p50/p99.
  EXPECT_NEAR(last.offered_per_second, 100, 30);
  EXPECT_GT(last.p50_ns, 0);
  EXPECT_LE(last.p50_ns, last.p95_ns);
  EXPECT_LE(last.p95_ns, last.p99_ns);
  EXPECT_EQ(last.scenarios.at(0).name, "test");
  EXPECT_GE(result.scenarios.at(0).recorder.Completed(), last.completed);
}

// Records the iteration number each request carries ({"user_id":N}, see Scenario()).
class IterationLog {
 public:
  TestServer::Handler Handler() {
    return [this](const httplib::Request& request, httplib::Response& response) {
      std::size_t colon = request.body.find(':');
      std::uint64_t iteration = std::stoull(request.body.substr(colon + 1));
      {
        std::lock_guard lock(mutex_);
        iterations_.push_back(iteration);
      }
      AnswerOk(request, response);
    };
  }
  std::vector<std::uint64_t> Sorted() {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> copy = iterations_;
    std::sort(copy.begin(), copy.end());
    return copy;
  }

 private:
  std::mutex mutex_;
  std::vector<std::uint64_t> iterations_;
};

// Several workers share one schedule (worker w takes iterations w, w + T, ...): together they
// must send each scheduled iteration exactly once and count each once after the merge.
TEST(LoadRun, ArrivalRateSplitOverWorkersAddsUpToTheSchedule) {
  for (int threads : {2, 3}) {
    SCOPED_TRACE(std::to_string(threads) + " workers");
    IterationLog log;
    TestServer server(log.Handler());
    LoadOptions options;
    options.threads = threads;
    options.graceful_stop = 5s;
    LoadRun run({Scenario(server.Port(), ConstantArrivalRate(300, 1s, 30))}, options);
    const stats::Recorder r = run.Run().scenarios.at(0).recorder;
    EXPECT_EQ(r.Started(), 300u);
    EXPECT_EQ(r.Completed(), 300u);
    EXPECT_EQ(r.Corrected().Count(), 300u);
    EXPECT_EQ(r.Uncorrected().Count(), 300u);
    EXPECT_EQ(r.Dropped(), 0u);
    EXPECT_EQ(r.Errors().Total(), 0u);
    std::vector<std::uint64_t> received = log.Sorted();
    ASSERT_EQ(received.size(), 300u);
    for (std::uint64_t i = 0; i < received.size(); ++i) {
      ASSERT_EQ(received[i], i) << "iteration " << i << " missing or sent twice";
    }
  }
}

TEST(LoadRun, RampingArrivalRateSplitOverThreeWorkersAddsUpToTheSchedule) {
  IterationLog log;
  TestServer server(log.Handler());
  LoadOptions options;
  options.threads = 3;
  options.graceful_stop = 5s;
  // 0 -> 200/s over 1 s: 100 iterations, unevenly spread in time.
  LoadRun run({Scenario(server.Port(), RampingArrivalRate(0, {{200, 1s}}, 30))}, options);
  const stats::Recorder r = run.Run().scenarios.at(0).recorder;
  EXPECT_EQ(r.Started(), 100u);
  EXPECT_EQ(r.Completed(), 100u);
  EXPECT_EQ(r.Dropped(), 0u);
  EXPECT_EQ(log.Sorted().size(), 100u);
}

// Closed loop over workers: VUs split, every request counted once, none lost in the merge.
TEST(LoadRun, ConstantVusSplitOverWorkersCountEveryRequestOnce) {
  IterationLog log;
  TestServer server(log.Handler());
  LoadOptions options;
  options.threads = 3;
  options.graceful_stop = 5s;
  LoadRun run({Scenario(server.Port(), ConstantVus{5, 500ms, 20ms})}, options);
  const stats::Recorder r = run.Run().scenarios.at(0).recorder;
  std::vector<std::uint64_t> received = log.Sorted();
  EXPECT_EQ(r.Started(), received.size());
  EXPECT_EQ(r.Completed(), received.size());
  EXPECT_EQ(r.Errors().Total(), 0u);
  EXPECT_GE(received.size(), 5u * 15);  // 5 VUs, one request per ~20 ms each, for 0.5 s
  EXPECT_EQ(std::adjacent_find(received.begin(), received.end()), received.end())
      << "an iteration number was used twice";
}

// The client keeps only the status and the body of an answer, parsed in place: the check must
// still see each body whole, whatever its framing (chunked, or a Content-Length larger than
// one read) and however the previous answer on the connection was framed.
TEST(LoadRun, ChecksSeeWholeBodiesWhateverTheFraming) {
  const std::string large(200'000, 'x');
  TestServer server([&](const httplib::Request& request, httplib::Response& response) {
    std::size_t colon = request.body.find(':');
    if (std::stoull(request.body.substr(colon + 1)) % 2 == 0) {
      response.set_chunked_content_provider("text/plain", [](std::size_t, httplib::DataSink& sink) {
        sink.write("chunked ", 8);
        sink.write("answer", 6);
        sink.done();
        return true;
      });
    } else {
      response.set_content(large, "text/plain");
    }
  });
  ScenarioLoad s = Scenario(server.Port(), ConstantVus{1, 300ms, Duration::zero()});
  std::string wrong;
  s.check = [&](const HttpAnswer& a) -> std::optional<stats::ErrorKind> {
    if (a.status == 200 && (a.body == "chunked answer" || a.body == large)) return std::nullopt;
    wrong = std::to_string(a.status) + " " + std::string(a.body.substr(0, 40)) + " (" +
            std::to_string(a.body.size()) + " bytes)";
    return stats::ErrorKind::kCheck;
  };
  const stats::Recorder r = RunOne(s).scenarios.at(0).recorder;
  EXPECT_EQ(r.Errors().Total(), 0u) << "last wrong answer: " << wrong;
  EXPECT_GT(r.Completed(), 10u);
}

// What bench/perf/driver_load relies on to play wrk: a fixed GET to any target, and VUs that
// send again as soon as the answer arrives (zero think time).
TEST(LoadRun, ConstantVusWithZeroThinkTimeSendBackToBack) {
  std::mutex mutex;
  std::vector<std::string> seen;
  TestServer server([&](const httplib::Request& request, httplib::Response& response) {
    {
      std::lock_guard lock(mutex);
      if (seen.size() < 10) seen.push_back(request.method + " " + request.target);
    }
    response.set_content("ok", "text/plain");
  });
  ScenarioLoad s = Scenario(server.Port(), ConstantVus{2, 300ms, Duration::zero()});
  s.make_request = FixedRequest(HttpRequestSpec{"GET", "/ping?x=1", "", ""});
  const stats::Recorder r = RunOne(s).scenarios.at(0).recorder;
  EXPECT_EQ(r.Errors().Total(), 0u);
  EXPECT_GT(r.Completed(), 100u) << "two VUs without think time for 0.3 s";
  std::lock_guard lock(mutex);
  ASSERT_FALSE(seen.empty());
  for (const std::string& request : seen) EXPECT_EQ(request, "GET /ping?x=1");
}

// A timeout is a user who waited the whole timeout: it is in the latency (at about the
// timeout, as in k6), counted as a timeout, and its record says it failed.
TEST(LoadRun, ATimedOutRequestIsInTheLatencyAtTheTimeoutAndItsRecordFailed) {
  TestServer server([](const httplib::Request&, httplib::Response& response) {
    std::this_thread::sleep_for(1s);
    response.set_content("{}", "application/json");
  });
  ScenarioLoad s = Scenario(server.Port(), ConstantArrivalRate(10, 300ms, 5));
  s.request_timeout = 200ms;
  LoadResult result = RunOne(s);
  const ScenarioRecording& recording = result.scenarios.at(0);
  const stats::Recorder& r = recording.recorder;
  EXPECT_EQ(r.Started(), 3u);
  EXPECT_EQ(r.Errors().Of(stats::ErrorKind::kTimeout), 3u);
  EXPECT_EQ(r.Completed(), 3u);
  EXPECT_EQ(r.NoAnswer(), 3u);
  EXPECT_EQ(r.Answered(), 0u);
  ASSERT_EQ(r.Corrected().Count(), 3u);
  // At least the timeout (less 1/256, the histogram's precision), and short of the server's
  // 1 s: the request ended when the client gave up.
  EXPECT_GE(r.Uncorrected().Min(), 199'000'000);
  EXPECT_GE(r.Corrected().Min(), r.Uncorrected().Min());
  EXPECT_LT(r.Corrected().Max(), 900'000'000);
  ASSERT_EQ(recording.requests.size(), 3u);
  for (const RequestRecord& record : recording.requests) {
    EXPECT_EQ(record.fate, RequestFate::kFailed);
    EXPECT_EQ(record.error, stats::ErrorKind::kTimeout);
    EXPECT_EQ(record.status, 0);
    EXPECT_GE(Ms(record.ended - record.sent), 199);
    EXPECT_FALSE(record.Accepted());
  }
  EXPECT_EQ(recording.interrupted, 0u);
}

// What is still in flight when graceful_stop has passed is cut: a record each, and counted
// as interrupted, never silently lost.
TEST(LoadRun, RequestsStillRunningAfterTheGracefulStopAreRecordedAsCut) {
  TestServer server([](const httplib::Request&, httplib::Response& response) {
    std::this_thread::sleep_for(1500ms);
    response.set_content("{}", "application/json");
  });
  LoadResult result = RunOne(Scenario(server.Port(), ConstantArrivalRate(10, 200ms, 5)), 100ms);
  const ScenarioRecording& recording = result.scenarios.at(0);
  EXPECT_LT(Ms(result.elapsed), 1200) << "the run waited for the answers";
  ASSERT_EQ(recording.requests.size(), 2u);
  for (const RequestRecord& record : recording.requests) {
    EXPECT_EQ(record.fate, RequestFate::kCut);
    EXPECT_GE(record.sent, record.intended);
    EXPECT_EQ(record.ended, Duration{-1});
    EXPECT_FALSE(record.error);
  }
  EXPECT_EQ(recording.interrupted, 2u);
  EXPECT_EQ(recording.recorder.Started(), 2u);
  EXPECT_EQ(recording.recorder.Completed(), 0u);
}

// X-Request-Id: <prefix><iteration> on every request of a scenario that has a prefix, unique
// over the run (open and closed loops, several workers), none on a scenario without one.
TEST(LoadRun, RequestIdsArriveWithTheirPrefixOncePerIteration) {
  std::mutex mutex;
  std::vector<std::string> ids;
  int without = 0;
  TestServer server([&](const httplib::Request& request, httplib::Response& response) {
    {
      std::lock_guard lock(mutex);
      if (request.has_header("X-Request-Id")) {
        ids.push_back(request.get_header_value("X-Request-Id"));
      } else {
        ++without;
      }
    }
    AnswerOk(request, response);
  });
  // VUs to spare: on a busy machine (the suite runs tests in parallel) a slow answer must not
  // drop an iteration, whose id would then rightly never arrive.
  ScenarioLoad open = Scenario(server.Port(), ConstantArrivalRate(200, 500ms, 100));
  open.name = "open";
  open.request_id_prefix = "r1-open-";
  ScenarioLoad closed = Scenario(server.Port(), ConstantVus{2, 300ms, 20ms});
  closed.name = "closed";
  closed.request_id_prefix = "r1-closed-";
  ScenarioLoad plain = Scenario(server.Port(), ConstantVus{1, 200ms, 50ms});
  plain.name = "plain";
  LoadOptions options;
  options.threads = 2;
  options.graceful_stop = 5s;
  LoadResult result = LoadRun({open, closed, plain}, options).Run();

  std::set<std::string> expected;
  for (std::size_t i = 0; i < 2; ++i) {
    const ScenarioRecording& recording = result.scenarios.at(i);
    const std::string& prefix = i == 0 ? open.request_id_prefix : closed.request_id_prefix;
    for (const RequestRecord& record : recording.requests) {
      EXPECT_NE(record.fate, RequestFate::kFailed);
      EXPECT_NE(record.fate, RequestFate::kCut);
      if (record.fate == RequestFate::kDropped) continue;  // never sent: no id to arrive
      EXPECT_TRUE(expected.insert(prefix + std::to_string(record.iteration)).second)
          << "iteration " << record.iteration << " of " << recording.name << " twice";
    }
  }
  EXPECT_EQ(result.scenarios.at(0).requests.size(), 100u);
  std::lock_guard lock(mutex);
  std::set<std::string> received(ids.begin(), ids.end());
  EXPECT_EQ(received.size(), ids.size()) << "an id arrived twice";
  EXPECT_EQ(received, expected);
  EXPECT_EQ(static_cast<std::uint64_t>(without), result.scenarios.at(2).recorder.Started());
  EXPECT_GT(without, 0);
}

// Warm-up runs as planned but stays out of the recorder; its records are flagged. `scheduled`
// is the schedule's own count of the measured window: the same against a slow server (which
// drops) as against a fast one.
TEST(LoadRun, WarmupIsRecordedButNotMeasuredAndScheduledDependsOnTheScheduleOnly) {
  TestServer fast(AnswerOk);
  TestServer slow([](const httplib::Request&, httplib::Response& response) {
    std::this_thread::sleep_for(100ms);
    response.set_content("{}", "application/json");
  });
  LoadOptions options;
  options.graceful_stop = 5s;
  options.warmup = 305ms;  // 100/s: iterations 0..30 (0 to 300 ms) warm up, 31..99 measured
  auto run = [&](int port, const ArrivalRate& plan) {
    return LoadRun({Scenario(port, plan)}, options).Run().scenarios.at(0);
  };
  const ArrivalRate uniform = ConstantArrivalRate(100, 1s, 3);
  ScenarioRecording on_fast = run(fast.Port(), uniform);
  ScenarioRecording on_slow = run(slow.Port(), uniform);
  for (const ScenarioRecording* r : {&on_fast, &on_slow}) {
    ASSERT_EQ(r->requests.size(), 100u);
    std::size_t warm = 0;
    for (const RequestRecord& record : r->requests) {
      EXPECT_EQ(record.warmup, record.intended < 305ms) << "iteration " << record.iteration;
      warm += record.warmup;
    }
    EXPECT_EQ(warm, 31u);
    EXPECT_EQ(r->scheduled, 69u);
    // Every measured iteration is in the recorder, started or dropped; no warm-up one is.
    EXPECT_EQ(r->recorder.Started() + r->recorder.Dropped(), 69u);
  }
  EXPECT_GT(on_slow.recorder.Dropped(), 0u) << "three VUs cannot keep 100/s of 100 ms requests";

  ArrivalRate poisson = ConstantArrivalRate(100, 1s, 10);
  poisson.process = ArrivalProcess::kPoisson;
  poisson.seed = 17;
  ScenarioRecording first = run(fast.Port(), poisson);
  ScenarioRecording again = run(slow.Port(), poisson);
  EXPECT_EQ(first.scheduled, ArrivalSchedule(poisson).ScheduledFrom(305ms));
  EXPECT_EQ(first.scheduled, again.scheduled);
  EXPECT_EQ(first.requests.size(), again.requests.size());
  auto measured = std::count_if(first.requests.begin(), first.requests.end(),
                                [](const RequestRecord& record) { return !record.warmup; });
  EXPECT_EQ(static_cast<std::uint64_t>(measured), first.scheduled);

  // Closed loop: what started in the window.
  LoadResult closed = LoadRun({Scenario(fast.Port(), ConstantVus{1, 600ms, 50ms})}, options).Run();
  const ScenarioRecording& c = closed.scenarios.at(0);
  auto warm = std::count_if(c.requests.begin(), c.requests.end(),
                            [](const RequestRecord& record) { return record.warmup; });
  EXPECT_GT(warm, 0);
  EXPECT_EQ(c.scheduled, c.recorder.Started());
  EXPECT_EQ(c.scheduled + static_cast<std::uint64_t>(warm), c.requests.size());
  EXPECT_EQ(c.recorder.Completed(), c.scheduled);
}

TEST(LoadRun, StartIsOnBothClocksAndClientCpuIsMeasured) {
  TestServer server(AnswerOk);
  const std::int64_t unix_before =
      std::chrono::duration_cast<Duration>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  LoadResult result = RunOne(Scenario(server.Port(), ConstantArrivalRate(100, 300ms, 5)));
  // start is 20 ms after Run() began, on either clock.
  EXPECT_GT(result.start_unix_ns, unix_before);
  EXPECT_LT(result.start_unix_ns - unix_before, 1'000'000'000);
  EXPECT_GT(result.client_cpu_s, 0);
  EXPECT_LT(result.client_cpu_s, 10);
  for (const RequestRecord& record : result.scenarios.at(0).requests) {
    EXPECT_GE(record.intended, Duration::zero());
    EXPECT_LE(record.ended, result.elapsed);
  }
}

// CPU (not wall) time burnt on this thread: a busy request factory, as a slow one would be.
void BurnCpu(Duration cpu) {
  auto now = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
  };
  const auto until = now() + cpu;
  while (now() < until) {
  }
}

// A generator that cannot keep its schedule (5 ms of CPU per request at 500/s on one thread:
// 2.5 cores' worth) is marked invalid, with the reason in words; a normal one is valid.
TEST(LoadRun, AStarvedGeneratorIsMarkedInvalid) {
  TestServer server(AnswerOk);
  ScenarioLoad starved = Scenario(server.Port(), ConstantArrivalRate(500, 1s, 50));
  starved.make_request = [](std::mt19937_64&, std::uint64_t) {
    BurnCpu(5ms);
    return HttpRequestSpec{"POST", "/track_click", "{}"};
  };
  LoadResult result = RunOne(starved);
  GeneratorAudit audit = AuditGenerator(result);
  EXPECT_FALSE(audit.valid);
  ASSERT_FALSE(audit.problems.empty());
  for (const std::string& problem : audit.problems) std::printf("starved: %s\n", problem.c_str());
  std::printf("starved: send lag p50 %.1f p99 %.1f max %.1f ms, achieved %.3f, cpu %.2f s\n",
              audit.send_lag_p50_ms, audit.send_lag_p99_ms, audit.send_lag_max_ms,
              audit.achieved_over_intended, audit.client_cpu_s);
  EXPECT_GT(audit.client_cpu_s, 0.5);

  ArrivalRate plan = ConstantArrivalRate(100, 1s, 20);
  plan.wake_ahead = 200us;
  LoadResult normal = RunOne(Scenario(server.Port(), plan));
  // Generous bound: the test must not fail on a busy machine; the starved one lags by far more.
  GeneratorAudit fine = AuditGenerator(normal, AuditBounds{.max_send_lag_p99 = 200ms});
  EXPECT_TRUE(fine.valid) << (fine.problems.empty() ? "" : fine.problems[0]);
  EXPECT_EQ(fine.achieved_over_intended, 1);
  EXPECT_LE(fine.send_lag_p50_ms, fine.send_lag_p99_ms);
  EXPECT_LE(fine.send_lag_p99_ms, fine.send_lag_max_ms);
  EXPECT_GE(fine.send_lag_p50_ms, 0);
  std::printf("normal: send lag p50 %.3f p99 %.3f max %.3f ms\n", fine.send_lag_p50_ms,
              fine.send_lag_p99_ms, fine.send_lag_max_ms);
}

TEST(LoadRun, CoordinatedOmissionCorrectionShowsAStallTheUncorrectedFigureHides) {
  std::atomic<int> served{0};
  TestServer server([&](const httplib::Request&, httplib::Response& response) {
    if (++served == 50) std::this_thread::sleep_for(1s);  // the one stall
    response.set_content("{}", "application/json");
  });
  // One connection, as wrk2 would hold it: iterations due during the stall wait for it (up
  // to 2 s) instead of being dropped, and are sent late.
  ArrivalRate plan = ConstantArrivalRate(100, 3s, 1);
  plan.max_start_delay = 2s;
  const stats::Recorder r = RunOne(Scenario(server.Port(), plan)).scenarios.at(0).recorder;
  EXPECT_EQ(r.Dropped(), 0u);
  EXPECT_EQ(r.Completed(), 300u);
  double corrected_p99 = r.Corrected().Percentile(99) / 1e6;
  double uncorrected_p99 = r.Uncorrected().Percentile(99) / 1e6;
  EXPECT_GT(corrected_p99, 800) << "corrected p99 " << corrected_p99 << " ms";
  EXPECT_LT(uncorrected_p99, 100) << "uncorrected p99 " << uncorrected_p99 << " ms";
  EXPECT_GT(r.Uncorrected().Max() / 1e6, 990);  // the stalled request itself, in both
  // About 100 requests were due during the stall: a tenth of the run waited 0-1 s.
  EXPECT_GT(r.Corrected().Percentile(95) / 1e6, 400);
  std::printf("CO demo: corrected p99 %.1f ms, uncorrected p99 %.3f ms\n", corrected_p99,
              uncorrected_p99);
}

}  // namespace
}  // namespace flowbench::load
