#include "synchronous/runtime/service.hpp"

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "common/db/schema.hpp"
#include "common/domain/errors.hpp"
#include "common/domain/requests.hpp"
#include "common/domain/work.hpp"
#include "common/scenarios/narration.hpp"
#include "common/service/error_mapping.hpp"
#include "common/telemetry/completion_route.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/span.hpp"
#include "common/telemetry/span_conventions.hpp"
#include "common/telemetry/tracing.hpp"

namespace flowbench::sync {
namespace {

using SteadyClock = std::chrono::steady_clock;

// httplib runs a request from its pre-routing handler to its logger on one worker thread,
// so the receive time and the matched route travel between them in thread-local storage.
struct RequestInFlight {
  bool armed = false;
  SteadyClock::time_point received;
  const std::string* route = nullptr;  // null: no route matched
};
thread_local RequestInFlight t_request;

const std::string kUnmatchedRoute = "unmatched";

std::string RouteRegex(const std::string& route) {
  std::string regex = route;
  for (std::size_t at; (at = regex.find("{id}")) != std::string::npos;) {
    regex.replace(at, 4, "([^/]+)");
  }
  return regex;
}

void SetJson(httplib::Response& res, int status, const boost::json::object& body) {
  res.status = status;
  res.set_content(boost::json::serialize(body), "application/json");
}

// The body of an error that httplib answers itself, before any handler (no route, too big).
boost::json::object BuiltInErrorBody(const httplib::Request& req, int status) {
  switch (status) {
    case 404:
      return ErrorBody("not_found", "no route " + req.method + " " + req.path);
    case 413:
      return ErrorBody("payload_too_large",
                       "request bodies are limited to " + std::to_string(kMaxBodyBytes) + " bytes");
    case 400:
      return ErrorBody("bad_request", "the request could not be parsed");
    default:
      return ErrorBody("http_" + std::to_string(status),
                       "HTTP " + std::to_string(status) + " for " + req.method + " " + req.path);
  }
}

}  // namespace

// --- Request ------------------------------------------------------------------------------

Request::Request(const httplib::Request& request, SteadyClock::time_point received)
    : request_(request),
      received_(received),
      accepted_at_(std::chrono::system_clock::now() -
                   std::chrono::duration_cast<std::chrono::system_clock::duration>(
                       SteadyClock::now() - received)),
      request_id_(CleanRequestId(request.get_header_value(std::string(kRequestIdHeader)))) {
  ReceivedTrace incoming = ReceiveTrace(request.get_header_value("traceparent"));
  trace_ = std::move(incoming.trace);
  caller_span_id_ = std::move(incoming.sender_span_id);
}

std::optional<std::string> Request::Query(const std::string& name) const {
  if (!request_.has_param(name)) return std::nullopt;
  return request_.get_param_value(name);
}

std::string Request::PathParam() const {
  return request_.matches.size() > 1 ? request_.matches[1].str() : std::string();
}

std::int64_t Request::PathId(std::string_view what) const {
  std::string text = PathParam();
  std::optional<std::int64_t> id = ParseId(text);
  if (!id) throw DoesNotExist(what, text);
  return *id;
}

double Request::SecondsSinceReceived() const {
  return std::chrono::duration<double>(SteadyClock::now() - received_).count();
}

// --- Service ------------------------------------------------------------------------------

Service::Service(ServiceOptions options, SyncSettings settings)
    : options_(std::move(options)),
      settings_(settings),
      metrics_("sync", options_.service),
      completions_(CompletionLog::kDefaultCapacity, options_.CompletionJournal()),
      db_(options_.database),
      server_(settings_.server.threads, settings_.server.connections),
      server_faults_(prometheus::BuildCounter()
                         .Name("flowbench_http_server_faults_total")
                         .Help("Requests answered 500 because a handler failed unexpectedly")
                         .Labels({{"arch", "sync"}, {"service", options_.service}})
                         .Register(metrics_.registry())) {
  const ServerSettings& s = settings_.server;
  server_.set_tcp_nodelay(true);  // without it every keep-alive answer waits ~40 ms
  server_.set_keep_alive_max_count(static_cast<std::size_t>(s.keep_alive_max_count));
  server_.set_keep_alive_timeout(s.keep_alive_timeout_s);
  server_.set_read_timeout(s.read_timeout_s, 0);
  server_.set_payload_max_length(kMaxBodyBytes);

  server_.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    t_request = {true, SteadyClock::now(), nullptr};
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // ours
        SetJson(res, res.status, BuiltInErrorBody(req, res.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
        ErrorReply error_reply = ToErrorReply(error);  // normally caught in Wrap; the last net
        log::Error("unhandled exception", {{"route", req.path}, {"error", error_reply.cause}});
        SetJson(res, error_reply.reply.status, error_reply.reply.body);
      });
  // While draining, every answer closes its connection, and says so to a keep-alive client.
  server_.set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
    if (draining_) res.set_header("Connection", "close");
  });
  server_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    double seconds = 0;
    if (t_request.armed) {
      seconds = std::chrono::duration<double>(SteadyClock::now() - t_request.received).count();
    }
    const std::string& route = t_request.route ? *t_request.route : kUnmatchedRoute;
    metrics_.ObserveHttpRequest(req.method, route, res.status, seconds);
    t_request = {};
  });
  AddBuiltInRoutes();
}

void Service::AddPeer(std::string_view name) {
  if (peers_.find(name) != peers_.end()) return;
  auto peer = std::make_unique<Downstream>(std::string(name), options_.PeerUrl(name),
                                           settings_.downstream, metrics_);
  peers_.emplace(std::string(name), std::move(peer));
}

Downstream& Service::Peer(std::string_view name) {
  auto it = peers_.find(name);
  if (it == peers_.end()) {
    throw std::logic_error("no peer " + std::string(name) + ": AddPeer it with the routes");
  }
  return *it->second;
}

httplib::Server::Handler Service::Wrap(const std::string& route, Handler handler) {
  const std::string* label = &routes_.emplace_back(route);
  return [this, label, handler = std::move(handler)](const httplib::Request& req,
                                                     httplib::Response& res) {
    t_request.route = label;
    SteadyClock::time_point received = t_request.armed ? t_request.received : SteadyClock::now();
    Request request(req, received);
    bool sampled = request.trace().Sampled();  // spans only then: no text built otherwise
    Span server_span(request.trace(), request.caller_span_id(), SpanKind::kServer);
    if (server_span) server_span.SetStart(UnixNanos(request.accepted_at()));  // read, not routed
    if (sampled) {
      RecordSpan(request.trace(), span::kReceived, req.method + " " + req.path,
                 {{"route", *label}});
    }
    try {
      Reply reply = handler(*this, request);
      SetJson(res, reply.status, reply.body);
    } catch (...) {
      ErrorReply error = ToErrorReply(std::current_exception());
      if (error.server_fault) {
        server_faults_.Add({{"route", *label}}).Increment();
        log::Error("request failed",
                   {{"method", req.method}, {"route", *label}, {"error", error.cause}},
                   request.trace_id());
        error.reply.body["trace_id"] = request.trace_id();  // finds the log line
      }
      SetJson(res, error.reply.status, error.reply.body);
    }
    if (sampled) {
      RecordSpan(request.trace(), span::kAnswered, req.method + " " + req.path,
                 {{"route", *label}, {"status", res.status}});
    }
    if (server_span) DescribeHttpServerSpan(server_span, req.method, *label, req.path, res.status);
  };
}

void Service::Get(const std::string& route, Handler handler) {
  server_.Get(RouteRegex(route), Wrap(route, std::move(handler)));
}
void Service::Post(const std::string& route, Handler handler) {
  server_.Post(RouteRegex(route), Wrap(route, std::move(handler)));
}
void Service::Put(const std::string& route, Handler handler) {
  server_.Put(RouteRegex(route), Wrap(route, std::move(handler)));
}

void Service::CompleteScenario(std::string_view scenario, const Request& request,
                               WorkOutcome outcome) {
  metrics_.ObserveScenarioCompletion(scenario, request.SecondsSinceReceived());
  RecordCompletion(scenario, request, outcome);
}

void Service::RecordCompletion(std::string_view scenario, const Request& request,
                               WorkOutcome outcome) {
  completions_.Record(request.request_id(), scenario, outcome);
}

void Service::AddBuiltInRoutes() {
  // Readiness: the service can do its work only when its database answers.
  Get("/health", [this](Service&, const Request&) {
    boost::json::object body{{"service", options_.service}, {"arch", "sync"}};
    if (!db_.Ping()) {
      body["status"] = "unavailable";
      body["error"] = "service_unavailable";
      body["detail"] = "database unreachable";
      return Reply{503, body};
    }
    body["status"] = "ok";
    return Reply{200, body};
  });
  // What this process really runs with, defaults included: the driver records it.
  Get("/settings", [this](Service&, const Request&) {
    return Reply{200, SettingsInForce(options_, ToJson(settings_))};
  });
  // The completion records of the requests whose work ended here (CONTRACT §5.1).
  Get("/completions", [this](Service&, const Request& request) {
    CompletionQuery query = ParseCompletionQuery(request.Query("after"), request.Query("limit"));
    return Reply{200, CompletionsBody(completions_, query)};
  });
  // Only with --fault-injection: `flowbench run --fault slow:NAME+MS` (CONTRACT §5.2).
  if (options_.fault_injection) {
    Put("/fault/slow", [](Service&, const Request& request) {
      SetSimulatedSlowdown(ParseSlowdown(request.body()));
      return Reply{200, {{"extra_ms", SimulatedSlowdown().count()}}};
    });
  }
  server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    static const std::string kRoute = "/metrics";
    t_request.route = &kRoute;
    res.set_content(metrics_.Exposition(), std::string(Metrics::kContentType));
  });
}

void Service::RunBeside(std::function<void(std::stop_token)> task) {
  beside_.push_back(std::move(task));
}

int Service::Run() {
  if (!server_.bind_to_port(options_.host, options_.port())) {
    log::Error("cannot listen", {{"host", options_.host}, {"port", options_.port()}});
    return 1;
  }
  if (!server_.SetListenBacklog(settings_.server.listen_backlog)) {
    log::Warn("cannot raise the listen backlog", {{"backlog", settings_.server.listen_backlog}});
  }
  // SIGTERM/SIGINT are blocked in every thread (RunService); this one waits for them, then
  // drains: no new connections, the requests in flight get drain_timeout to finish (their
  // answers say Connection: close), then the process exits whatever still runs.
  std::atomic<bool> serving{true};
  std::thread signal_waiter([this, &serving] {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    const timespec tick{0, 200'000'000};
    while (serving) {
      int signal = sigtimedwait(&signals, nullptr, &tick);
      if (signal <= 0) continue;
      log::Info("draining", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"},
                             {"drain_timeout_ms", settings_.server.drain_timeout.count()}});
      draining_ = true;
      server_.Stop();  // returns at once; Serve() then joins the workers
      auto deadline = SteadyClock::now() + settings_.server.drain_timeout;
      while (serving && SteadyClock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (serving) {
        log::Warn("drain timeout reached; exiting with requests still in flight",
                  {{"drain_timeout_ms", settings_.server.drain_timeout.count()}});
        std::_Exit(0);
      }
      return;
    }
  });
  log::Info("listening", {{"host", options_.host},
                          {"port", options_.port()},
                          {"settings", ToJson(settings_)},
                          {"workload", ToJson(options_.workload)}});
  std::vector<std::jthread> beside;
  for (const auto& task : beside_) beside.emplace_back(task);
  bool clean = server_.Serve();
  serving = false;
  signal_waiter.join();
  beside.clear();  // each asked to stop, then joined
  log::Info("stopped");
  return clean ? 0 : 1;
}

void Wait(const TraceContext& trace, std::string_view what, std::chrono::milliseconds duration) {
  duration += SimulatedSlowdown();
  narrate::Waiting(trace, what, duration, "blocking this thread");
  std::this_thread::sleep_for(duration);
}

// --- main ---------------------------------------------------------------------------------

int RunService(std::string_view name, int argc, char** argv,
               const std::function<void(Service&)>& add_routes) {
  // Before any thread exists, so that every thread inherits the mask and only the waiter in
  // Run() receives the signal.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the service

  ServiceOptions options;
  options.arch = Arch::kSync;
  options.service = std::string(name);
  SyncSettings settings;
  CLI::App app("sync-" + options.service + ": the " + options.service +
               " service of flowbench's synchronous build (blocking HTTP)");
  BindServiceOptions(app, options);
  BindSyncSettings(app, settings);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  log::Configure("sync", options.service);
  try {
    ResolveServiceOptions(options);
    SpanExportScope span_export(options.otlp_endpoint, "sync-" + options.service);
    MigrateSchema(*Connect(options.database), options.database.schema);
    Service service(std::move(options), settings);
    add_routes(service);
    return service.Run();
  } catch (const std::exception& e) {
    log::Error("cannot start", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace flowbench::sync
