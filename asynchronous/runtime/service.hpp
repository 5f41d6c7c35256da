// What a service file of the async build sees: RunService parses the shared options, migrates
// the schema, and hands a ServiceContext to the service's wiring function, which declares
// its routes and consumers with the business steps from common/. The context then serves
// until SIGTERM and drains: no new requests or deliveries, in-flight ones finished and
// acked (what is not acked by the deadline is redelivered by the broker, never lost).
#pragma once

#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include "asynchronous/runtime/consumer.hpp"
#include "asynchronous/runtime/http_server.hpp"
#include "asynchronous/runtime/net.hpp"
#include "asynchronous/runtime/publisher.hpp"
#include "asynchronous/runtime/settings.hpp"
#include "asynchronous/runtime/topology.hpp"
#include "common/db/database.hpp"
#include "common/domain/events.hpp"
#include "common/service/service_options.hpp"
#include "common/telemetry/metrics.hpp"

namespace flowbench::async {

// What a new message inherits from the request or message that caused it.
struct Origin {
  std::string message_id;
  SystemTime accepted_at;
  TraceContext trace;

  // A request starts a new message.
  static Origin Of(const HttpRequest& request);
  // A message's follow-up gets an id derived from it, so handling a redelivery again
  // publishes the same message id and the next consumer sees it as a duplicate.
  static Origin Following(const IncomingMessage& message, std::string_view step);
};

class ServiceContext {
 public:
  ServiceContext(const ServiceOptions& options, const AsyncRuntimeSettings& settings,
                 const std::string& amqp_url);
  ~ServiceContext();

  const ServiceOptions& options() const { return options_; }
  const WorkloadSettings& workload() const { return options_.workload; }
  const AsyncRuntimeSettings& settings() const { return settings_; }
  Metrics& metrics() { return metrics_; }

  // Routes. The handler runs on the event loop: blocking work goes through Transact/Compute.
  void Get(std::string pattern, HttpHandler handler);
  void Post(std::string pattern, HttpHandler handler);
  void Put(std::string pattern, HttpHandler handler);

  // A consumer of `queue` on its own connection; prefetch 0 means settings().prefetch.
  void Consume(std::string_view queue, MessageHandler handler, int prefetch = 0);

  // Runs `work(pqxx::work&)` in a transaction on the database threads.
  template <typename Work>
  auto Transact(Work work) -> Task<std::invoke_result_t<Work&, pqxx::work&>> {
    return RunOn(db_threads_,
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
    OutgoingMessage message = MakeMessage(to, Event::kType, ToJson(event), origin);
    co_await publisher_.Publish(std::move(message), /*wait_for_confirm=*/true);
    RecordPublished(to, Event::kType, origin, /*confirmed=*/true);
  }
  // The same for a request being answered: with publish_confirm=false it returns once the
  // publisher took the message, before the broker confirmed it (the trade-off to measure).
  template <typename Event>
  Task<void> PublishAccepted(topology::Destination to, const Event& event, const Origin& origin) {
    OutgoingMessage message = MakeMessage(to, Event::kType, ToJson(event), origin);
    co_await publisher_.Publish(std::move(message), settings_.publish_confirm);
    RecordPublished(to, Event::kType, origin, settings_.publish_confirm);
  }

  // flowbench_scenario_completion_seconds, from the request's accepted_at until now.
  void ObserveCompletion(std::string_view scenario, SystemTime accepted_at);

  net::io_context& io() { return io_; }

  // Serves until SIGTERM/SIGINT, then drains. Returns the process exit code.
  int Run();

 private:
  static OutgoingMessage MakeMessage(topology::Destination to, std::string_view type,
                                     boost::json::object payload, const Origin& origin);
  // The demo's "publish" span (sampled traces only).
  static void RecordPublished(topology::Destination to, std::string_view type, const Origin& origin,
                              bool confirmed);
  Task<void> Drain();
  HttpResponse Health() const;

  const ServiceOptions& options_;
  const AsyncRuntimeSettings& settings_;
  std::string amqp_url_;
  net::io_context io_{1};
  Metrics metrics_;
  ConnectionPool database_;
  net::thread_pool db_threads_;
  net::thread_pool cpu_threads_;
  Publisher publisher_;
  HttpServer http_;
  std::list<Consumer> consumers_;  // stable addresses
};

// The main() of every async service.
int RunService(std::string_view service, int argc, char** argv,
               const std::function<void(ServiceContext&)>& wire);

}  // namespace flowbench::async
