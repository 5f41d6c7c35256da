// The sweep's search and verdicts against a server whose knees are known: it answers at most
// kAnswerCapacity requests a second (one desk, a fixed service time, the rest queue), and
// hands each answered request to a consumer that finishes kWorkCapacity a second. Each step is
// measured with the real load engine over real HTTP, its completions joined and its backlog
// counted as `flowbench sweep` does; only the ten services are replaced by this one server.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "bench/load/generator_audit.hpp"
#include "bench/load/load_run.hpp"
#include "bench/load/test_server.hpp"
#include "bench/run/completion_join.hpp"
#include "bench/run/results_conversion.hpp"
#include "bench/run/timeseries.hpp"
#include "bench/sweep/knee_search.hpp"
#include "bench/sweep/step_verdict.hpp"

namespace flowbench::sweep {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr double kAnswerCapacity = 200;  // answers per second at most
constexpr double kWorkCapacity = 80;     // finished pieces of work per second at most
constexpr auto kWindow = 5s;
constexpr auto kWarmup = 1s;

std::int64_t UnixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The server with known capacities, and the completion records of its consumer.
class KnownCapacityServer {
 public:
  KnownCapacityServer()
      : server_([this](const httplib::Request& req, httplib::Response& res) { Answer(req, res); },
                256),
        consumer_([this] { Consume(); }) {}
  ~KnownCapacityServer() {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
    }
    queued_.notify_all();
    consumer_.join();
  }

  int Port() const { return server_.Port(); }
  bool WaitUntilIdle(std::chrono::seconds bound) {
    std::unique_lock lock(queue_mutex_);
    return idle_.wait_for(lock, bound, [&] { return queue_.empty() && !working_; });
  }
  std::vector<CompletionRecord> TakeRecords() {
    std::lock_guard lock(queue_mutex_);
    return std::exchange(records_, {});
  }
  // Work still queued is dropped, as the sweep's reset purges the queues between steps.
  void Reset() {
    std::lock_guard lock(queue_mutex_);
    queue_.clear();
    records_.clear();
  }

 private:
  void Answer(const httplib::Request& req, httplib::Response& res) {
    {
      // One desk: each answer takes 1 / kAnswerCapacity; whoever waits, queues.
      std::lock_guard desk(desk_mutex_);
      auto until = std::max(Clock::now(), next_free_);
      next_free_ = until + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(1 / kAnswerCapacity));
      std::this_thread::sleep_until(next_free_);
    }
    {
      std::lock_guard lock(queue_mutex_);
      queue_.push_back(req.get_header_value("X-Request-Id"));
    }
    queued_.notify_one();
    res.status = 202;
  }

  void Consume() {
    auto next = Clock::now();
    for (;;) {
      std::string id;
      {
        std::unique_lock lock(queue_mutex_);
        queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        id = std::move(queue_.front());
        queue_.pop_front();
        working_ = true;
      }
      next = std::max(next, Clock::now()) + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(1 / kWorkCapacity));
      std::this_thread::sleep_until(next);
      std::lock_guard lock(queue_mutex_);
      records_.push_back({id, "scenario6", WorkOutcome::kDone, UnixNs()});
      working_ = false;
      if (queue_.empty()) idle_.notify_all();
    }
  }

  load::testing::TestServer server_;
  std::mutex desk_mutex_;
  Clock::time_point next_free_ = Clock::now();
  std::mutex queue_mutex_;
  std::condition_variable queued_, idle_;
  std::deque<std::string> queue_;
  bool working_ = false;
  bool stopping_ = false;
  std::vector<CompletionRecord> records_;
  std::thread consumer_;
};

// One step as the sweep measures it: open-loop Poisson load, the drain, the join, the verdict.
StepOutcome MeasureStep(KnownCapacityServer& server, double rate, bool judge_work,
                        std::vector<SweepStep>& steps) {
  load::ScenarioLoad s;
  s.name = "scenario6";
  s.port = server.Port();
  load::ArrivalRate arrivals = load::ConstantArrivalRate(rate, kWarmup + kWindow, 400);
  arrivals.process = load::ArrivalProcess::kPoisson;
  arrivals.seed = 7;
  s.executor = arrivals;
  s.make_request = load::FixedRequest({"POST", "/work", "{}"});
  s.check = [](const load::HttpAnswer& a) -> std::optional<stats::ErrorKind> {
    if (a.status != 202) return stats::ErrorKind::kStatus;
    return std::nullopt;
  };
  s.request_timeout = 10s;
  s.request_id_prefix = "step-" + std::to_string(steps.size()) + "-";
  load::LoadOptions options;
  options.warmup = kWarmup;
  options.graceful_stop = 10s;
  load::LoadRun load({s}, options);
  load::LoadResult result = load.Run();
  const bool drained = server.WaitUntilIdle(judge_work ? 10s : 0s);
  std::vector<CompletionRecord> records = server.TakeRecords();
  std::vector<std::string> prefixes{s.request_id_prefix};
  std::vector<run::JoinedScenario> joined = run::JoinCompletions(
      result.scenarios, prefixes, records, {result.start_unix_ns, 0}, !drained);

  const load::ScenarioRecording& recording = result.scenarios[0];
  report::ScenarioResult r =
      run::ToScenarioResult("scenario6", "constant-arrival-rate", recording.recorder,
                            std::chrono::duration<double>(kWindow).count());
  r.offered.scheduled = recording.scheduled;
  SweepStep step;
  step.offered_rps = rate;
  step.scheduled = recording.scheduled;
  step.answered = r.requests;
  step.error_rate = r.ErrorRate();
  step.answer = r.latency;
  if (joined[0].completion.Count() > 0) {
    step.completion = run::ToSeconds(joined[0].completion.Summary());
  }
  step.outcomes = joined[0].outcomes;
  step.drained = drained;
  step.backlog = run::BacklogPerSecond(recording, joined[0], kWarmup, kWindow);
  BacklogSlope slope = SlopeOf(step.backlog);
  step.backlog_slope_per_s = slope.per_s;
  step.backlog_slope_interval = slope.interval;
  load::GeneratorAudit audit = load::AuditGenerator(result);
  step.generator = report::GeneratorAudit{};
  step.generator->send_lag_p99_ms = audit.send_lag_p99_ms;
  StepOutcome outcome = Judge(step, {"answer", 0.99, 0.200}, {"completion", 0.99, 5.0});
  steps.push_back(step);
  server.Reset();
  return outcome;
}

TEST(KneeFinding, FindsAServersAnswerCapacityAndItsConsumersRateWithinTenPercent) {
  KnownCapacityServer server;
  std::vector<SweepStep> steps;
  KneeSearch found =
      SearchKnees({20, 1.5, 2000, 1.05, 6}, [&](double rate, const std::string&, bool judge_work) {
        return MeasureStep(server, rate, judge_work, steps);
      });
  std::string trace;
  for (const SweepStep& s : steps) {
    trace += std::to_string(s.offered_rps) + "/s: answer " +
             (s.answer_problems.empty() ? "ok" : s.answer_problems[0]) + "; work " +
             (s.sustainable_problems.empty() ? "ok" : s.sustainable_problems[0]) + "\n";
  }
  std::printf("%s", trace.c_str());
  ASSERT_TRUE(found.answer_knee) << trace;
  EXPECT_EQ(found.answer_bound, "found") << trace;
  EXPECT_NEAR(*found.answer_knee, kAnswerCapacity, 0.10 * kAnswerCapacity) << trace;
  ASSERT_TRUE(found.sustainable) << trace;
  EXPECT_EQ(found.sustainable_bound, "found") << trace;
  EXPECT_NEAR(*found.sustainable, kWorkCapacity, 0.10 * kWorkCapacity) << trace;
}

}  // namespace
}  // namespace flowbench::sweep
