// Exact completion end to end over real HTTP, without the builds: a test server accepts each
// request at once (202) and finishes its work a known time later, recording the end under
// the request's X-Request-Id and serving the records at GET /completions as the services do.
// The driver's load engine, the collector and the join must then give back the known times.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <list>
#include <mutex>
#include <thread>

#include "bench/load/load_run.hpp"
#include "bench/load/test_server.hpp"
#include "bench/run/completion_collector.hpp"
#include "bench/run/completion_join.hpp"
#include "common/telemetry/completion_log.hpp"

namespace flowbench::run {
namespace {

using namespace std::chrono_literals;

// Work of 1 s for even iterations, 2 s for odd ones: long enough that the 1 % the join is
// allowed (10 ms) holds the loopback hop, the send lag and a sleep's lateness on a busy machine.
std::chrono::milliseconds ServiceTime(std::uint64_t iteration) {
  return iteration % 2 == 0 ? 1000ms : 2000ms;
}

class WorkServer {
 public:
  WorkServer()
      : server_([this](const httplib::Request& request, httplib::Response& response) {
          Handle(request, response);
        }) {}
  ~WorkServer() {
    std::lock_guard lock(mutex_);
    for (std::thread& t : workers_) t.join();
  }
  int Port() const { return server_.Port(); }
  const CompletionLog& log() const { return log_; }

 private:
  void Handle(const httplib::Request& request, httplib::Response& response) {
    if (request.path == "/completions") {
      CompletionPage page = log_.After(std::stoull(request.get_param_value("after")),
                                       std::stoull(request.get_param_value("limit")));
      boost::json::object body = ToJson(page);
      body["now_unix_ns"] = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      response.set_content(boost::json::serialize(body), "application/json");
      return;
    }
    std::string id = request.get_header_value("X-Request-Id");
    std::uint64_t iteration = std::stoull(id.substr(id.rfind('-') + 1));
    std::lock_guard lock(mutex_);
    workers_.emplace_back([this, id, iteration] {
      std::this_thread::sleep_for(ServiceTime(iteration));
      log_.Record(id, "scenario2", WorkOutcome::kDone);
      if (iteration == 3) log_.Record(id, "scenario2", WorkOutcome::kDone);  // a duplicate
    });
    response.status = 202;
    response.set_content("{}", "application/json");
  }

  CompletionLog log_;
  std::mutex mutex_;
  std::list<std::thread> workers_;
  load::testing::TestServer server_;  // last: it stops before the log and the workers go
};

TEST(CompletionExactness, JoinedCompletionLatenciesMatchTheKnownServiceTimes) {
  WorkServer server;
  std::string url = "http://127.0.0.1:" + std::to_string(server.Port());
  CompletionCollector collector({url});
  ASSERT_TRUE(collector.SkipExisting());

  load::ScenarioLoad work;
  work.name = "scenario2";
  work.port = server.Port();
  work.executor = load::ConstantArrivalRate(20, 2s, 10);
  work.make_request = load::FixedRequest({"POST", "/work", "{}"});
  work.request_id_prefix = "exact-2-";
  load::LoadRun run({work}, {});
  load::LoadResult result = run.Run();

  std::this_thread::sleep_for(2500ms);  // the last work ends 2 s after its request
  ASSERT_TRUE(collector.Poll());
  std::vector<CompletionRecord> records = collector.Records();
  records.push_back({"exact-2-4000", "scenario2", WorkOutcome::kDone, records.front().end_unix_ns});
  records.push_back({"someone-else", "scenario2", WorkOutcome::kDone, records.front().end_unix_ns});
  std::vector<std::string> prefixes = {work.request_id_prefix};
  std::vector<JoinedScenario> joined =
      JoinCompletions(result.scenarios, prefixes, records, {result.start_unix_ns, 0}, false);

  const load::ScenarioRecording& recording = result.scenarios[0];
  const JoinedScenario& j = joined[0];
  ASSERT_EQ(recording.requests.size(), 40U);
  EXPECT_EQ(j.outcomes.accepted, 40U);
  EXPECT_EQ(j.outcomes.done, 40U);
  EXPECT_EQ(j.outcomes.lost, 0U);
  EXPECT_EQ(j.outcomes.duplicated, 1U);
  EXPECT_EQ(j.outcomes.unknown_ids, 2U);
  EXPECT_EQ(j.completion.Count(), 40U);
  for (std::size_t i = 0; i < recording.requests.size(); ++i) {
    const load::RequestRecord& r = recording.requests[i];
    ASSERT_TRUE(j.completion_ns[i]) << r.iteration;
    double known = std::chrono::duration<double, std::nano>(ServiceTime(r.iteration)).count();
    EXPECT_NEAR(static_cast<double>(*j.completion_ns[i]), known, known * 0.01) << r.iteration;
  }
}

}  // namespace
}  // namespace flowbench::run
