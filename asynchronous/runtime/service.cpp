#include "asynchronous/runtime/service.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

#include "common/db/schema.hpp"
#include "common/infra/infra.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/span.hpp"

namespace flowbench::async {

Origin Origin::Of(const HttpRequest& request) {
  return Origin{NewMessageId(), request.accepted_at, request.trace};
}

Origin Origin::Following(const IncomingMessage& message, std::string_view step) {
  return Origin{message.envelope.message_id + "/" + std::string(step), message.envelope.accepted_at,
                message.trace};
}

ServiceContext::ServiceContext(const ServiceOptions& options, const AsyncRuntimeSettings& settings,
                               const std::string& amqp_url)
    : options_(options),
      settings_(settings),
      amqp_url_(amqp_url),
      metrics_("async", options.service),
      database_(options.database),
      db_threads_(static_cast<std::size_t>(options.database.pool_size)),
      cpu_threads_(static_cast<std::size_t>(settings.CpuPoolSize())),
      publisher_(io_, amqp_url, "async-" + options.service + "-publisher", settings, metrics_),
      http_(io_, metrics_, settings.http_idle_timeout) {
  Get("/health", [this](const HttpRequest&) -> Task<HttpResponse> { co_return Health(); });
  Get("/metrics", [this](const HttpRequest&) -> Task<HttpResponse> {
    co_return HttpResponse{200, metrics_.Exposition(), std::string(Metrics::kContentType)};
  });
  // What this process really runs with, defaults included: the driver records it.
  Get("/settings", [this](const HttpRequest&) -> Task<HttpResponse> {
    co_return JsonResponse(200, SettingsInForce(options_, ToJson(settings_)));
  });
}

ServiceContext::~ServiceContext() {
  for (Consumer& c : consumers_) c.RequestStop();
  for (Consumer& c : consumers_) c.Join();
  publisher_.Stop();
  db_threads_.join();
  cpu_threads_.join();
}

void ServiceContext::Get(std::string pattern, HttpHandler handler) {
  http_.Route("GET", std::move(pattern), std::move(handler));
}
void ServiceContext::Post(std::string pattern, HttpHandler handler) {
  http_.Route("POST", std::move(pattern), std::move(handler));
}
void ServiceContext::Put(std::string pattern, HttpHandler handler) {
  http_.Route("PUT", std::move(pattern), std::move(handler));
}

void ServiceContext::Consume(std::string_view queue, MessageHandler handler, int prefetch) {
  consumers_.emplace_back(io_, amqp_url_, "async-" + options_.service + "-" + std::string(queue),
                          ConsumerSpec{std::string(queue), prefetch, std::move(handler)}, settings_,
                          publisher_, metrics_);
}

OutgoingMessage ServiceContext::MakeMessage(topology::Destination to, std::string_view type,
                                            boost::json::object payload, const Origin& origin) {
  Envelope envelope{origin.message_id, std::string(type), origin.accepted_at, origin.trace.trace_id,
                    std::move(payload)};
  return OutgoingMessage{std::string(to.exchange),
                         std::string(to.routing_key),
                         EncodeEnvelope(envelope),
                         origin.message_id,
                         {{"traceparent", origin.trace.NewChild().ToTraceparent()}},
                         {}};
}

void ServiceContext::RecordPublished(topology::Destination to, std::string_view type,
                                     const Origin& origin, bool confirmed) {
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

void ServiceContext::ObserveCompletion(std::string_view scenario, SystemTime accepted_at) {
  double seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now() - accepted_at).count();
  metrics_.ObserveScenarioCompletion(scenario, std::max(seconds, 0.0));
}

HttpResponse ServiceContext::Health() const {
  boost::json::array consumers;
  bool ready = publisher_.Connected();
  for (const Consumer& c : consumers_) {
    consumers.push_back({{"queue", c.queue()}, {"connected", c.Connected()}});
    ready = ready && c.Connected();
  }
  return JsonResponse(ready ? 200 : 503,
                      boost::json::object{{"status", ready ? "ok" : "degraded"},
                                          {"service", options_.service},
                                          {"arch", "async"},
                                          {"publisher_connected", publisher_.Connected()},
                                          {"consumers", consumers}});
}

int ServiceContext::Run() {
  http_.Listen(options_.host, options_.port());
  publisher_.Start();
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

Task<void> ServiceContext::Drain() {
  http_.StopAccepting();
  for (Consumer& c : consumers_) c.RequestStop();
  auto deadline = std::chrono::steady_clock::now() + settings_.drain_timeout;
  auto busy = [this] {
    if (http_.InFlight() > 0) return true;
    for (const Consumer& c : consumers_) {
      if (!c.Finished()) return true;
    }
    return false;
  };
  while (busy() && std::chrono::steady_clock::now() < deadline) {
    co_await Wait(std::chrono::milliseconds(20));
  }
  publisher_.Stop();  // what is still unconfirmed gets its grace inside
  io_.stop();
}

int RunService(std::string_view service, int argc, char** argv,
               const std::function<void(ServiceContext&)>& wire) {
  ServiceOptions options;
  options.arch = Arch::kAsync;
  options.service = std::string(service);
  AsyncRuntimeSettings settings;
  CLI::App app("flowbench async build: the " + options.service + " service");
  BindServiceOptions(app, options);
  BindAsyncRuntimeSettings(app, settings);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  log::Configure("async", service);
  try {
    ResolveServiceOptions(options);
    std::string amqp_url = infra::ResolveAmqpUrl(options.infra);
    MigrateSchema(*Connect(options.database), options.database.schema);
    ServiceContext context(options, settings, amqp_url);
    wire(context);
    return context.Run();
  } catch (const std::exception& e) {
    log::Error("service failed", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace flowbench::async
