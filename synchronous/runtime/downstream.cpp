#include "synchronous/runtime/downstream.hpp"

#include <optional>
#include <random>
#include <thread>

#include "common/domain/errors.hpp"
#include "common/domain/json_fields.hpp"
#include "common/telemetry/completion_route.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/span.hpp"
#include "common/telemetry/span_conventions.hpp"

namespace flowbench::sync {
namespace {

std::string_view FailureReason(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "connect";
    case httplib::Error::ConnectionTimeout:
      return "connect_timeout";
    case httplib::Error::Read:
      return "read";  // read timeout or connection reset
    case httplib::Error::Write:
      return "write";
    default:
      return "transport";
  }
}

std::mt19937_64& ThreadRandom() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return random;
}

// The peer's {"error", "detail"}, or the raw body when it is not that.
ClientError PeerClientError(int status, const std::string& body) {
  try {
    boost::json::object json = ParseJsonObject(body);
    JsonFields fields(json);
    return ClientError(status, fields.String("error"), fields.String("detail"));
  } catch (const ClientError&) {
    return ClientError(status, "downstream_error", body);
  }
}

}  // namespace

// A connection borrowed from the pool; returned on scope exit, kept only if it is healthy.
class Downstream::Lease {
 public:
  explicit Lease(Downstream& owner) : owner_(owner), client_(owner.Acquire()) {}
  ~Lease() { owner_.Release(std::move(client_), reusable_); }
  httplib::Client& operator*() { return *client_; }
  void Discard() { reusable_ = false; }

 private:
  Downstream& owner_;
  std::unique_ptr<httplib::Client> client_;
  bool reusable_ = true;
};

Downstream::Downstream(std::string target, std::string base_url, const DownstreamSettings& settings,
                       Metrics& metrics)
    : target_(std::move(target)),
      base_url_(std::move(base_url)),
      settings_(settings),
      read_timeout_(target_ == "report" ? settings.report_read_timeout : settings.read_timeout),
      metrics_(metrics),
      breaker_(settings.breaker, [this](CircuitBreaker::State state) {
        metrics_.SetCircuitBreakerState(target_, static_cast<int>(state));
        if (logged_state_.exchange(state) != state) {  // not the initial "closed"
          log::Warn("circuit breaker", {{"target", target_}, {"state", StateName(state)}});
        }
      }) {}

boost::json::object Downstream::Post(std::string_view path, const boost::json::object& body,
                                     const CallOrigin& origin, Idempotency idempotency) {
  const TraceContext& trace = origin.trace;
  const std::string payload = boost::json::serialize(body);
  const int max_attempts =
      idempotency == Idempotency::kIdempotent ? settings_.retry.max_attempts : 1;
  bool maybe_delivered = false;  // an attempt may have reached the peer
  for (int attempt = 1;; ++attempt) {
    std::string failure;  // empty: this attempt got an answer below 500
    {
      std::optional<Lease> leased;
      try {
        leased.emplace(*this);  // first the connection, so a refused call never holds a trial
      } catch (const NotDelivered& e) {
        if (maybe_delivered) throw ServiceUnavailable(e.what());
        throw;
      }
      Lease& connection = *leased;
      const std::string hop = target_ + " POST " + std::string(path);
      const boost::json::object hop_fields{
          {"target", target_}, {"path", path}, {"attempt", attempt}};
      if (!breaker_.Allow()) {
        RecordSpan(trace, span::kCallDone, hop + ": refused, circuit open",
                   {{"target", target_}, {"path", path}, {"error", "circuit_open"}});
        metrics_.CountDownstreamFailure(target_, "circuit_open");
        std::string open = target_ + " unavailable: circuit open after repeated failures";
        if (maybe_delivered) throw ServiceUnavailable(open);
        throw NotDelivered(open);
      }
      // Each attempt is a client span of its own, and the peer's server span its child.
      TraceContext call = trace.NewChild();
      Span client_span(call, trace.parent_id, SpanKind::kClient);
      DescribeHttpClientSpan(client_span, "POST", target_, base_url_, path, attempt);
      httplib::Headers headers{{"traceparent", call.ToTraceparent()}};
      if (!origin.request_id.empty()) {
        headers.emplace(std::string(kRequestIdHeader), std::string(origin.request_id));
      }
      RecordSpan(trace, span::kCall, hop, hop_fields);
      auto start = Clock::now();
      httplib::Result result =
          (*connection).Post(std::string(path), headers, payload, "application/json");
      if (result) {
        RecordSpan(trace, span::kCallDone, hop,
                   {{"target", target_}, {"path", path}, {"status", result->status}});
        EndHttpClientSpan(client_span, result->status);
      } else {
        RecordSpan(trace, span::kCallDone, hop + ": " + httplib::to_string(result.error()),
                   {{"target", target_}, {"path", path}, {"error", FailureReason(result.error())}});
        FailHttpClientSpan(client_span, FailureReason(result.error()),
                           httplib::to_string(result.error()));
      }
      client_span.End();
      metrics_.ObserveDownstreamRequest(
          target_, std::chrono::duration<double>(Clock::now() - start).count());
      if (!result) {
        connection.Discard();
        metrics_.CountDownstreamFailure(target_, FailureReason(result.error()));
        failure = target_ + " unreachable: " + httplib::to_string(result.error());
        // Only a refused connection is sure not to have carried the request.
        if (result.error() != httplib::Error::Connection) maybe_delivered = true;
      } else if (result->status >= 500) {
        maybe_delivered = true;
        metrics_.CountDownstreamFailure(target_, "status_" + std::to_string(result->status));
        failure = target_ + " failed: HTTP " + std::to_string(result->status) + " " + result->body;
      } else {
        breaker_.RecordSuccess();  // a 4xx is the peer working correctly
        if (result->status >= 400) throw PeerClientError(result->status, result->body);
        return result->body.empty() ? boost::json::object{} : ParseJsonObject(result->body);
      }
      breaker_.RecordFailure();
    }
    // No retry once the circuit is open: the answer would be "circuit open" anyway.
    if (attempt >= max_attempts || breaker_.state() == CircuitBreaker::State::kOpen) {
      if (maybe_delivered) throw ServiceUnavailable(failure);
      throw NotDelivered(failure);
    }
    std::this_thread::sleep_for(BackoffDelay(settings_.retry, attempt, ThreadRandom()));
    log::Warn("retrying downstream call",
              {{"target", target_}, {"path", path}, {"attempt", attempt + 1}, {"cause", failure}},
              trace.trace_id);
  }
}

std::unique_ptr<httplib::Client> Downstream::Acquire() {
  std::unique_lock lock(mutex_);
  bool free = released_.wait_for(lock, settings_.connect_timeout,
                                 [this] { return !idle_.empty() || open_ < settings_.pool_size; });
  if (!free) {
    lock.unlock();
    metrics_.CountDownstreamFailure(target_, "pool_exhausted");
    throw NotDelivered(target_ + " unavailable: all " + std::to_string(settings_.pool_size) +
                       " connections busy for " +
                       std::to_string(settings_.connect_timeout.count()) + " ms");
  }
  if (!idle_.empty()) {
    IdleConnection connection = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (Clock::now() - connection.last_used < settings_.max_idle) {
      return std::move(connection.client);
    }
    return NewClient();  // the old one is closed as it goes out of scope
  }
  ++open_;
  lock.unlock();
  return NewClient();
}

void Downstream::Release(std::unique_ptr<httplib::Client> client, bool reusable) {
  {
    std::lock_guard lock(mutex_);
    if (reusable) {
      idle_.push_back({std::move(client), Clock::now()});
    } else {
      --open_;
    }
  }
  released_.notify_one();
}

std::unique_ptr<httplib::Client> Downstream::NewClient() const {
  auto client = std::make_unique<httplib::Client>(base_url_);
  client->set_tcp_nodelay(true);  // without it every call waits ~40 ms (Nagle + delayed ACK)
  client->set_keep_alive(true);
  client->set_connection_timeout(settings_.connect_timeout);
  client->set_read_timeout(read_timeout_);
  client->set_write_timeout(settings_.read_timeout);
  return client;
}

}  // namespace flowbench::sync
