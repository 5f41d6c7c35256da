#include "asynchronous/runtime/service.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdlib>

#include "common/db/schema.hpp"
#include "common/domain/requests.hpp"
#include "common/domain/work.hpp"
#include "common/infra/infra.hpp"
#include "common/scenarios/narration.hpp"
#include "common/telemetry/completion_route.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/span.hpp"
#include "common/telemetry/span_conventions.hpp"
#include "common/telemetry/tracing.hpp"

namespace flowbench::async {

Origin Origin::Of(const Request& request) {
  return Origin{NewMessageId(), request.accepted_at(), request.trace(), request.request_id()};
}

Origin Origin::Following(const IncomingMessage& message, std::string_view step) {
  return Origin{message.envelope.message_id + "/" + std::string(step), message.envelope.accepted_at,
                message.trace, message.request_id};
}

Service::Service(const ServiceOptions& options, const AsyncRuntimeSettings& settings,
                 const std::string& amqp_url)
    : options_(options),
      settings_(settings),
      amqp_url_(amqp_url),
      metrics_("async", options.service),
      completions_(CompletionLog::kDefaultCapacity, options.CompletionJournal()),
      database_(options.database),
      db_threads_(static_cast<std::size_t>(options.database.pool_size)),
      cpu_threads_(static_cast<std::size_t>(settings.CpuPoolSize())),
      publisher_(io_, amqp_url, "async-" + options.service + "-publisher", settings, metrics_),
      outbox_relay_(io_, options.service, database_, db_threads_, publisher_, metrics_),
      http_(io_, metrics_, settings.http_idle_timeout, settings.connections) {
  Get("/health", [](Service& self, const Request&) -> Task<Reply> { co_return self.Health(); });
  http_.RouteRaw("GET", "/metrics", [this](const Request&) -> Task<HttpResponse> {
    co_return HttpResponse{200, metrics_.Exposition(), std::string(Metrics::kContentType)};
  });
  // What this process really runs with, defaults included: the driver records it.
  Get("/settings", [](Service& self, const Request&) -> Task<Reply> {
    co_return Reply{200, SettingsInForce(self.options_, ToJson(self.settings_))};
  });
  // The completion records of the requests whose work ended here (CONTRACT §5.1).
  Get("/completions", [](Service& self, const Request& request) -> Task<Reply> {
    CompletionQuery query = ParseCompletionQuery(request.Query("after"), request.Query("limit"));
    co_return Reply{200, CompletionsBody(self.completions_, query)};
  });
  // Only with --fault-injection: `flowbench run --fault slow:NAME+MS` (CONTRACT §5.2).
  if (options.fault_injection) {
    Put("/fault/slow", [](Service&, const Request& request) -> Task<Reply> {
      SetSimulatedSlowdown(ParseSlowdown(request.body()));
      co_return Reply{200, {{"extra_ms", SimulatedSlowdown().count()}}};
    });
  }
}

Service::~Service() {
  for (Consumer& c : consumers_) c.RequestStop();
  for (Consumer& c : consumers_) c.Join();
  publisher_.Stop();
  db_threads_.join();
  cpu_threads_.join();
}

// The front knows nothing of a Service: each handler gets this one bound. The binding
// lambdas are not coroutines, so no coroutine frame refers to them.
void Service::Get(std::string route, Handler handler) {
  http_.Route("GET", std::move(route),
              [this, handler = std::move(handler)](const Request& r) { return handler(*this, r); });
}
void Service::Post(std::string route, Handler handler) {
  http_.Route("POST", std::move(route),
              [this, handler = std::move(handler)](const Request& r) { return handler(*this, r); });
}
void Service::Put(std::string route, Handler handler) {
  http_.Route("PUT", std::move(route),
              [this, handler = std::move(handler)](const Request& r) { return handler(*this, r); });
}

void Service::Consume(std::string_view queue, MessageHandler handler, int prefetch) {
  DeliveryHandler bound = [this, handler = std::move(handler)](const IncomingMessage& m) {
    return handler(*this, m);
  };
  consumers_.emplace_back(io_, amqp_url_, "async-" + options_.service + "-" + std::string(queue),
                          ConsumerSpec{std::string(queue), prefetch, std::move(bound)}, settings_,
                          publisher_, metrics_, completions_);
}

OutgoingMessage Service::MakeMessage(topology::Destination to, std::string_view type,
                                     boost::json::object payload, const Origin& origin,
                                     const TraceContext& sender) {
  Envelope envelope{origin.message_id, std::string(type), origin.accepted_at, origin.trace.trace_id,
                    std::move(payload)};
  OutgoingMessage message{std::string(to.exchange),
                          std::string(to.routing_key),
                          EncodeEnvelope(envelope),
                          origin.message_id,
                          {{"traceparent", sender.ToTraceparent()}},
                          {}};
  if (!origin.request_id.empty()) {
    message.headers.emplace(std::string(kRequestIdAmqpHeader), origin.request_id);
  }
  return message;
}

Span Service::PublishSpan(const OutgoingMessage& message, std::string_view type,
                          const Origin& origin, const TraceContext& publish) {
  Span span(publish, origin.trace.parent_id, SpanKind::kProducer);
  DescribePublishSpan(span, message.exchange, message.routing_key, message.message_id, type);
  return span;
}

void Service::RecordPublished(topology::Destination to, std::string_view type, const Origin& origin,
                              bool confirmed) {
  if ((origin.trace.flags & 0x01) == 0) return;  // unsampled: not even the strings
  std::string where = to.exchange.empty() ? "queue " + std::string(to.routing_key)
                                          : "fan-out exchange " + std::string(to.exchange);
  RecordSpan(origin.trace, span::kPublish,
             std::string(type) + " to " + where +
                 (confirmed ? " (confirmed by the broker)" : " (not waiting for the confirm)"),
             {{"type", type},
              {"exchange", to.exchange},
              {"routing_key", to.routing_key},
              {"confirmed", confirmed}});
}

void Service::CompleteScenario(std::string_view scenario, SystemTime accepted_at,
                               std::string_view request_id, WorkOutcome outcome) {
  double seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now() - accepted_at).count();
  metrics_.ObserveScenarioCompletion(scenario, std::max(seconds, 0.0));
  completions_.Record(request_id, scenario, outcome);
}

void Service::CompleteScenario(std::string_view scenario, const IncomingMessage& message,
                               WorkOutcome outcome) {
  CompleteScenario(scenario, message.envelope.accepted_at, message.request_id, outcome);
}

Reply Service::Health() const {
  boost::json::array consumers;
  bool ready = publisher_.Connected();
  for (const Consumer& c : consumers_) {
    consumers.push_back({{"queue", c.queue()}, {"connected", c.Connected()}});
    ready = ready && c.Connected();
  }
  return Reply{ready ? 200 : 503,
               {{"status", ready ? "ok" : "degraded"},
                {"service", options_.service},
                {"arch", "async"},
                {"publisher_connected", publisher_.Connected()},
                {"consumers", consumers}}};
}

int Service::Run() {
  http_.Listen(options_.host, options_.port());
  publisher_.Start();
  if (uses_outbox_) outbox_relay_.Start();
  for (Consumer& c : consumers_) c.Start();
  log::Info("serving", {{"host", options_.host},
                        {"port", options_.port()},
                        {"runtime", ToJson(settings_)},
                        {"workload", ToJson(options_.workload)}});

  net::signal_set signals(io_, SIGTERM, SIGINT);
  signals.async_wait([this](const boost::system::error_code& error, int signal) {
    if (error) return;
    log::Info("draining", {{"signal", signal}});
    net::co_spawn(io_, Drain(), net::detached);
  });
  io_.run();
  log::Info("stopped");
  return 0;
}

// No new connections or deliveries; in-flight requests and handlers get until the drain
// timeout. What is left then is handed back: its deliveries go back to the broker unacked
// (redelivered after a restart, done once thanks to the handlers' idempotency), its HTTP
// connections are closed.
Task<void> Service::Drain() {
  http_.StopAccepting();
  for (Consumer& c : consumers_) c.RequestStop();
  auto deadline = std::chrono::steady_clock::now() + settings_.drain_timeout;
  auto busy = [this] {
    if (http_.InFlight() > 0) return true;
    // Relays what was committed until the fronts are done, then stops (what is left stays
    // in the outbox for the next process).
    outbox_relay_.RequestStop();
    if (!outbox_relay_.Finished()) return true;
    for (const Consumer& c : consumers_) {
      if (!c.Finished()) return true;
    }
    return false;
  };
  while (busy() && std::chrono::steady_clock::now() < deadline) {
    co_await Wait(std::chrono::milliseconds(20));
  }
  if (busy()) {
    left_work_running_ = true;
    log::Warn("drain timeout reached; handing back what is still in flight",
              {{"drain_timeout_ms", settings_.drain_timeout.count()},
               {"http_in_flight", http_.InFlight()}});
    for (Consumer& c : consumers_) c.HandBackUnacked();
    for (Consumer& c : consumers_) c.Join();
  }
  publisher_.Stop();  // what is still unconfirmed gets its grace inside
  io_.stop();
}

Task<void> Wait(const TraceContext& trace, std::string_view what,
                std::chrono::milliseconds duration) {
  duration += SimulatedSlowdown();
  narrate::Waiting(trace, what, duration, "a timer: no thread waits");
  co_await Wait(duration);
}

int RunService(std::string_view name, int argc, char** argv,
               const std::function<void(Service&)>& add_routes) {
  ServiceOptions options;
  options.arch = Arch::kAsync;
  options.service = std::string(name);
  AsyncRuntimeSettings settings;
  CLI::App app("flowbench async build: the " + options.service + " service");
  BindServiceOptions(app, options);
  BindAsyncRuntimeSettings(app, settings);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  log::Configure("async", options.service);
  try {
    ResolveServiceOptions(options);
    SpanExportScope span_export(options.otlp_endpoint, "async-" + options.service);
    std::string amqp_url = infra::ResolveAmqpUrl(options.infra);
    ResolveQueueType(settings, amqp_url);
    MigrateSchema(*Connect(options.database), options.database.schema);
    Service service(options, settings, amqp_url);
    add_routes(service);
    int code = service.Run();
    if (service.LeftWorkRunning()) {
      // A report still hashing or a transaction still waiting would hold the exit past the
      // drain timeout; their deliveries are back in the broker already.
      log::Info("stopped, not waiting for the work still running");
      StopSpanExport();  // _Exit runs no destructor
      std::_Exit(code);
    }
    return code;
  } catch (const std::exception& e) {
    log::Error("service failed", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace flowbench::async
