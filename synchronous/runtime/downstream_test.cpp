// Downstream against a real httplib server on a free port: JSON in and out, the traceparent
// and the request id sent, 4xx passed on as the peer's ClientError, retries for idempotent calls
// only, the circuit opening after the threshold and failing fast, closing after the peer recovered,
// and the bounded pool.
#include "synchronous/runtime/downstream.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "common/domain/errors.hpp"

namespace flowbench::sync {
namespace {

using namespace std::chrono_literals;

// A peer whose /work answers what `status` says (200 echoes the body, other codes an
// error), or 200 once `recover_after` calls have failed.
class Peer {
 public:
  Peer() {
    server.set_tcp_nodelay(true);
    server.Post("/work", [this](const httplib::Request& req, httplib::Response& res) {
      int call = ++calls;
      {
        std::lock_guard lock(mutex_);  // the server's worker threads share the record
        last_traceparent_ = req.get_header_value("traceparent");
        last_request_id_ = req.get_header_value("X-Request-Id");
      }
      has_request_id = req.has_header("X-Request-Id");
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
      int answer = recover_after > 0 && call > recover_after ? 200 : status.load();
      res.status = answer;
      res.set_content(answer == 200 ? req.body
                                    : R"({"error": "peer_error", "detail": "status )" +
                                          std::to_string(answer) + "\"}",
                      "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~Peer() {
    server.stop();
    thread.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port); }

  httplib::Server server;
  int port = 0;
  std::thread thread;
  std::atomic<int> status{200};
  std::atomic<int> delay_ms{0};
  std::atomic<int> calls{0};
  std::atomic<int> recover_after{0};
  std::atomic<bool> has_request_id{false};
  std::string LastTraceparent() {
    std::lock_guard lock(mutex_);
    return last_traceparent_;
  }
  std::string LastRequestId() {
    std::lock_guard lock(mutex_);
    return last_request_id_;
  }

 private:
  std::mutex mutex_;
  std::string last_traceparent_;
  std::string last_request_id_;
};

DownstreamSettings FastSettings() {
  DownstreamSettings s;
  s.pool_size = 2;
  s.connect_timeout = 500ms;
  s.read_timeout = 500ms;
  s.retry = RetrySettings{3, 1ms, 5ms};
  s.breaker = BreakerSettings{3, 200ms, 1};
  return s;
}

class DownstreamTest : public ::testing::Test {
 protected:
  Peer peer_;
  Metrics metrics_{"sync", "test"};
  TraceContext trace_ = TraceContext::NewRoot();
};

TEST_F(DownstreamTest, PostsJsonAndReturnsTheAnswerWithTheTraceCarried) {
  Downstream d("peer", peer_.Url(), FastSettings(), metrics_);
  boost::json::object answer =
      d.Post("/work", {{"x", 1}}, CallOrigin{trace_, {}}, Idempotency::kNotIdempotent);
  EXPECT_EQ(answer.at("x"), 1);
  std::string traceparent = peer_.LastTraceparent();
  std::optional<TraceContext> sent = ParseTraceparent(traceparent);
  ASSERT_TRUE(sent) << traceparent;
  EXPECT_EQ(sent->trace_id, trace_.trace_id);
  EXPECT_NE(sent->parent_id, trace_.parent_id);  // a child span
  EXPECT_FALSE(peer_.has_request_id);            // none to carry
}

TEST_F(DownstreamTest, CarriesTheDriversRequestIdToThePeer) {
  Downstream d("peer", peer_.Url(), FastSettings(), metrics_);
  d.Post("/work", {}, CallOrigin{trace_, "run1-s5-000007"}, Idempotency::kIdempotent);
  EXPECT_EQ(peer_.LastRequestId(), "run1-s5-000007");
}

TEST_F(DownstreamTest, AClientErrorOfThePeerIsPassedOnAndNeverRetried) {
  peer_.status = 404;
  Downstream d("peer", peer_.Url(), FastSettings(), metrics_);
  try {
    d.Post("/work", {}, CallOrigin{trace_, {}}, Idempotency::kIdempotent);
    FAIL() << "no exception";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.error(), "peer_error");
  }
  EXPECT_EQ(peer_.calls, 1);
  EXPECT_EQ(d.breaker_state(), CircuitBreaker::State::kClosed);
}

TEST_F(DownstreamTest, ServerErrorsAreRetriedForIdempotentCallsOnly) {
  peer_.status = 503;
  Downstream d("peer", peer_.Url(), FastSettings(), metrics_);
  EXPECT_THROW(d.Post("/work", {}, CallOrigin{trace_, {}}, Idempotency::kNotIdempotent),
               ServiceUnavailable);
  EXPECT_EQ(peer_.calls, 1);
  EXPECT_THROW(d.Post("/work", {}, CallOrigin{trace_, {}}, Idempotency::kIdempotent),
               ServiceUnavailable);
  EXPECT_EQ(peer_.calls, 1 + 2);  // the third failure in a row opened the circuit
}

TEST_F(DownstreamTest, ARetrySucceedsWhenThePeerRecovers) {
  peer_.status = 500;
  peer_.recover_after = 1;  // the first call fails, the retry finds it well again
  Downstream d("peer", peer_.Url(), FastSettings(), metrics_);
  EXPECT_NO_THROW(d.Post("/work", {{"y", 2}}, CallOrigin{trace_, {}}, Idempotency::kIdempotent));
  EXPECT_EQ(peer_.calls, 2);
}

TEST_F(DownstreamTest, TheCircuitOpensFailsFastAndClosesAfterTheOpenPeriod) {
  Downstream d("peer", peer_.Url(), FastSettings(), metrics_);
  peer_.status = 500;
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW(d.Post("/work", {}, CallOrigin{trace_, {}}, Idempotency::kNotIdempotent),
                 ServiceUnavailable);
  }
  EXPECT_EQ(d.breaker_state(), CircuitBreaker::State::kOpen);
  peer_.status = 200;
  try {
    d.Post("/work", {}, CallOrigin{trace_, {}}, Idempotency::kNotIdempotent);
    FAIL() << "the open circuit let a call through";
  } catch (const ServiceUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("circuit open"), std::string::npos) << e.what();
  }
  EXPECT_EQ(peer_.calls, 3);
  std::this_thread::sleep_for(250ms);
  EXPECT_NO_THROW(d.Post("/work", {}, CallOrigin{trace_, {}}, Idempotency::kNotIdempotent));
  EXPECT_EQ(d.breaker_state(), CircuitBreaker::State::kClosed);
}

TEST_F(DownstreamTest, AnUnreachablePeerIsServiceUnavailableNamingTheTarget) {
  Downstream d("ghost", "http://127.0.0.1:1", FastSettings(), metrics_);
  try {
    d.Post("/work", {}, CallOrigin{trace_, {}}, Idempotency::kNotIdempotent);
    FAIL() << "no exception";
  } catch (const ServiceUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find("ghost unreachable"), std::string::npos) << e.what();
  }
}

TEST_F(DownstreamTest, ASlowPeerTimesOut) {
  peer_.delay_ms = 800;  // read timeout 500 ms
  Downstream d("peer", peer_.Url(), FastSettings(), metrics_);
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(d.Post("/work", {}, CallOrigin{trace_, {}}, Idempotency::kNotIdempotent),
               ServiceUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 750ms);
}

// The order service voids a payment authorisation only when the call may have reached payment.
TEST_F(DownstreamTest, OnlyACallThatCannotHaveReachedThePeerIsNotDelivered) {
  auto kind = [this](Downstream& d, Idempotency idempotency) -> std::string {
    try {
      d.Post("/work", {}, CallOrigin{trace_, {}}, idempotency);
      return "answered";
    } catch (const NotDelivered&) {
      return "not delivered";
    } catch (const ServiceUnavailable&) {
      return "in doubt";
    }
  };
  Downstream refused("ghost", "http://127.0.0.1:1", FastSettings(), metrics_);
  EXPECT_EQ(kind(refused, Idempotency::kNotIdempotent), "not delivered");
  EXPECT_EQ(kind(refused, Idempotency::kIdempotent), "not delivered") << "refused every attempt";

  Downstream d("peer", peer_.Url(), FastSettings(), metrics_);
  peer_.delay_ms = 800;  // read timeout 500 ms: the peer got the request
  EXPECT_EQ(kind(d, Idempotency::kNotIdempotent), "in doubt");
  peer_.delay_ms = 0;
  peer_.status = 500;
  EXPECT_EQ(kind(d, Idempotency::kNotIdempotent), "in doubt");
  EXPECT_EQ(kind(d, Idempotency::kNotIdempotent), "in doubt");  // the third failure opens it
  EXPECT_EQ(d.breaker_state(), CircuitBreaker::State::kOpen);
  EXPECT_EQ(kind(d, Idempotency::kNotIdempotent), "not delivered");
}

TEST_F(DownstreamTest, ThePoolBoundsConcurrentCallsPerTarget) {
  peer_.delay_ms = 300;
  DownstreamSettings settings = FastSettings();
  settings.connect_timeout = 100ms;  // also the wait for a free connection
  // The two calls that got a connection wait out the peer's 300 ms; a 500 ms read timeout
  // cut one of them on a busy CI machine, and the read timeout is not what this checks.
  settings.read_timeout = 5s;
  Downstream d("peer", peer_.Url(), settings, metrics_);
  std::vector<std::future<bool>> calls;
  for (int i = 0; i < 3; ++i) {
    calls.push_back(std::async(std::launch::async, [&] {
      try {
        d.Post("/work", {}, CallOrigin{trace_, {}}, Idempotency::kNotIdempotent);
        return true;
      } catch (const ServiceUnavailable&) {
        return false;
      }
    }));
  }
  int succeeded = 0;
  for (auto& c : calls) succeeded += c.get() ? 1 : 0;
  EXPECT_EQ(succeeded, 2);  // pool_size 2: the third found no free connection in time
}

}  // namespace
}  // namespace flowbench::sync
