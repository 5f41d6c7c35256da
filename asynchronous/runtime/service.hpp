// The skeleton every async service shares: RunService parses the shared options, migrates the
// schema, and hands a Service to the service file's AddRoutes, which declares its routes and
// consumers with the business steps from common/. The Service then serves until SIGTERM and
// drains: no new requests or deliveries, in-flight ones finished and acked (what is not
// acked by the deadline is redelivered by the broker, never lost).
//
// A service file only adds its routes, named handlers in a namespace of its own:
//   Task<Reply> Register(Service& service, const Request& request);
//   void AddRoutes(Service& service) { service.Post("/register", Register); }
//   int main(int argc, char** argv) { return RunService("user", argc, argv, AddRoutes); }
// A handler is a coroutine on the event loop; whatever it throws is answered by ToErrorReply
// (common/service/error_mapping.hpp), the same mapping as the sync build's.
//
// The vocabulary (Service, Request, Reply, PathId, Transact, CompleteScenario, RunService,
// AddRoutes) is the sync build's too: its service files differ from these by transport only.
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include "asynchronous/runtime/consumer.hpp"
#include "asynchronous/runtime/http_server.hpp"
#include "asynchronous/runtime/net.hpp"
#include "asynchronous/runtime/outbox_relay.hpp"
#include "asynchronous/runtime/publisher.hpp"
#include "asynchronous/runtime/settings.hpp"
#include "asynchronous/runtime/topology.hpp"
#include "common/db/database.hpp"
#include "common/domain/errors.hpp"
#include "common/domain/events.hpp"
#include "common/service/reply.hpp"
#include "common/service/service_options.hpp"
#include "common/telemetry/completion_log.hpp"
#include "common/telemetry/metrics.hpp"
#include "common/telemetry/tracing.hpp"

namespace flowbench::async {

// What a new message inherits from the request or message that caused it.
struct Origin {
  std::string message_id;
  SystemTime accepted_at;
  TraceContext trace;
  std::string request_id;  // the driver's X-Request-Id, to whoever ends the work ("": none)

  // A request starts a new message.
  static Origin Of(const Request& request);
  // A message's follow-up gets an id derived from it, so handling a redelivery again
  // publishes the same message id and the next consumer sees it as a duplicate.
  static Origin Following(const IncomingMessage& message, std::string_view step);
};

class Service;
using Handler = std::function<Task<Reply>(Service&, const Request&)>;
using MessageHandler = std::function<Task<Outcome>(Service&, const IncomingMessage&)>;

class Service {
 public:
  Service(const ServiceOptions& options, const AsyncRuntimeSettings& settings,
          const std::string& amqp_url);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const ServiceOptions& options() const { return options_; }
  const WorkloadSettings& workload() const { return options_.workload; }
  const AsyncRuntimeSettings& settings() const { return settings_; }
  Metrics& metrics() { return metrics_; }

  // Routes. The handler runs on the event loop: blocking work goes through Transact/Compute.
  void Get(std::string route, Handler handler);
  void Post(std::string route, Handler handler);
  void Put(std::string route, Handler handler);

  // A consumer of `queue` on its own connection; prefetch 0 means settings().prefetch.
  void Consume(std::string_view queue, MessageHandler handler, int prefetch = 0);

  // Runs `work(pqxx::work&)` in a transaction on the database threads (one per pooled
  // connection). When none takes it within --db-acquire-timeout-ms (every connection busy,
  // or stuck on a database that stopped answering), ServiceUnavailable: a 503.
  template <typename Work>
  auto Transact(Work work) -> Task<std::invoke_result_t<Work&, pqxx::work&>> {
    const DatabaseSettings& db = options_.database;
    return RunOnWithin(
        db_threads_, db.acquire_timeout,
        "database busy: no connection free within " + std::to_string(db.acquire_timeout.count()) +
            " ms",
        [this, work = std::move(work)]() mutable { return database_.Transact(work); });
  }

  // Runs CPU-bound `work()` on the bounded CPU pool (size settings().CpuPoolSize()).
  template <typename Work>
  auto Compute(Work work) -> Task<std::invoke_result_t<Work&>> {
    return RunOn(cpu_threads_, std::move(work));
  }

  // Publishes `event` in an envelope and returns once the broker confirmed it (consumers:
  // the message they handle is acked only after its follow-up is safe).
  template <typename Event>
  Task<void> Publish(topology::Destination to, const Event& event, const Origin& origin) {
    TraceContext publish = origin.trace.NewChild();  // the PRODUCER span, parent of the consumer
    OutgoingMessage message = MakeMessage(to, Event::kType, ToJson(event), origin, publish);
    Span span = PublishSpan(message, Event::kType, origin, publish);
    co_await publisher_.Publish(std::move(message), /*wait_for_confirm=*/true);
    RecordPublished(to, Event::kType, origin, /*confirmed=*/true);
  }
  // The same for a request being answered without a row of its own (clicks; the fronts with
  // a row use TransactWithEvent): with publish_confirm=false it returns once the
  // publisher took the message, before the broker confirmed it (the trade-off to measure).
  template <typename Event>
  Task<void> PublishAccepted(topology::Destination to, const Event& event, const Origin& origin) {
    TraceContext publish = origin.trace.NewChild();
    OutgoingMessage message = MakeMessage(to, Event::kType, ToJson(event), origin, publish);
    Span span = PublishSpan(message, Event::kType, origin, publish);
    co_await publisher_.Publish(std::move(message), settings_.publish_confirm);
    RecordPublished(to, Event::kType, origin, settings_.publish_confirm);
  }

  // A request's write and the event that must follow it, in ONE transaction (the outbox,
  // CONTRACT §4.5): `work(pqxx::work&)` writes the row, `event_of(result)` makes its event,
  // which is stored in the outbox table with it and relayed to the broker after the commit.
  // Returns `work`'s result once committed, without waiting for the broker: the event will be
  // published, even if the broker is away now or this process stops. Needs UseOutbox().
  template <typename Work, typename EventOf>
  auto TransactWithEvent(const Request& request, topology::Destination to, Work& work,
                         EventOf& event_of) -> Task<std::invoke_result_t<Work&, pqxx::work&>> {
    Origin origin = Origin::Of(request);
    std::string producer = options_.service;
    auto result = co_await Transact([&](pqxx::work& tx) {
      auto written = work(tx);
      auto event = event_of(written);
      // The row carries the request's own context: the relay's publish span is its child.
      OutgoingMessage message =
          MakeMessage(to, decltype(event)::kType, ToJson(event), origin, origin.trace);
      EnqueueOutbox(tx, producer, decltype(event)::kType, message);
      return written;
    });
    outbox_relay_.Notify();
    co_return result;
  }
  // This service's fronts write events to the outbox: its relay runs while the service does.
  void UseOutbox() { uses_outbox_ = true; }

  // The end of a scenario's work (CONTRACT §5): flowbench_scenario_completion_seconds{scenario}
  // from the request's accepted_at (which its messages carry along) until now, and the
  // request's completion record with `outcome`.
  void CompleteScenario(std::string_view scenario, SystemTime accepted_at,
                        std::string_view request_id, WorkOutcome outcome);
  void CompleteScenario(std::string_view scenario, const IncomingMessage& message,
                        WorkOutcome outcome);
  const CompletionLog& completions() const { return completions_; }

  net::io_context& io() { return io_; }

  // Serves until SIGTERM/SIGINT, then drains (at most settings().drain_timeout). Returns the
  // process exit code.
  int Run();
  // The drain ran out of time: deliveries were handed back, but work may still run on the
  // database and CPU threads, and destroying the Service would wait for it.
  bool LeftWorkRunning() const { return left_work_running_; }

 private:
  // `sender`: the span the message's traceparent names as its parent.
  static OutgoingMessage MakeMessage(topology::Destination to, std::string_view type,
                                     boost::json::object payload, const Origin& origin,
                                     const TraceContext& sender);
  // The PRODUCER span of a publish from a handler (sampled traces with export on only).
  static Span PublishSpan(const OutgoingMessage& message, std::string_view type,
                          const Origin& origin, const TraceContext& publish);
  // The demo's "publish" span (sampled traces only).
  static void RecordPublished(topology::Destination to, std::string_view type, const Origin& origin,
                              bool confirmed);
  Task<void> Drain();
  Reply Health() const;

  const ServiceOptions& options_;
  const AsyncRuntimeSettings& settings_;
  std::string amqp_url_;
  net::io_context io_{1};
  Metrics metrics_;
  CompletionLog completions_;
  ConnectionPool database_;
  net::thread_pool db_threads_;
  net::thread_pool cpu_threads_;
  Publisher publisher_;
  OutboxRelay outbox_relay_;
  bool uses_outbox_ = false;
  HttpServer http_;
  std::list<Consumer> consumers_;  // stable addresses
  bool left_work_running_ = false;
};

// A waiting step of the simulated work (an SMTP server, a gateway): a timer, no thread
// waits. Narrated as `what` in the demo's timeline.
Task<void> Wait(const TraceContext& trace, std::string_view what,
                std::chrono::milliseconds duration);

// The main() of every async service: parses the flags (ServiceOptions + AsyncRuntimeSettings),
// configures logs, migrates the "async" schema, lets `add_routes` register its routes and
// consumers, runs.
int RunService(std::string_view name, int argc, char** argv,
               const std::function<void(Service&)>& add_routes);

}  // namespace flowbench::async
