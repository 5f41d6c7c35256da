// The skeleton every sync service shares: options, logs, metrics, the database pool and
// migration, a cpp-httplib server with an explicit worker pool and keep-alive policy,
// /health, /metrics, /settings and /completions, request metrics, the per-request completion
// records (X-Request-Id), the mapping of exceptions to JSON errors, a body
// limit (1 MiB -> 413), the downstream clients, and a clean stop on SIGTERM.
//
// A service file only adds its routes, named handlers in a namespace of its own:
//   Reply Register(Service& service, const Request& request);
//   void AddRoutes(Service& service) { service.Post("/register", Register); }
//   int main(int argc, char** argv) { return RunService("user", argc, argv, AddRoutes); }
// A handler is a plain blocking function; whatever it throws is answered by ToErrorReply
// (common/service/error_mapping.hpp), the same mapping as the async build's.
//
// The vocabulary (Service, Request, Reply, PathId, Transact, CompleteScenario, RunService,
// AddRoutes) is the async build's too: its service files differ from these by transport only.
#pragma once

#include <httplib.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/db/database.hpp"
#include "common/domain/events.hpp"
#include "common/service/reply.hpp"
#include "common/service/service_options.hpp"
#include "common/telemetry/completion_log.hpp"
#include "common/telemetry/metrics.hpp"
#include "common/telemetry/trace.hpp"
#include "synchronous/runtime/downstream.hpp"
#include "synchronous/runtime/http_server.hpp"
#include "synchronous/runtime/sync_settings.hpp"

namespace flowbench::sync {

inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;  // larger bodies: 413

// One request as a handler sees it.
class Request {
 public:
  Request(const httplib::Request& request, std::chrono::steady_clock::time_point received);

  std::string_view body() const { return request_.body; }
  // The {id} of the route as a positive integer; anything else is a 404 naming `what`.
  std::int64_t PathId(std::string_view what) const;
  std::string PathParam() const;  // the {id} as text
  const TraceContext& trace() const { return trace_; }
  const std::string& trace_id() const { return trace_.trace_id; }
  // The span that sent this request (the caller's client span), in a sampled trace only.
  const std::string& caller_span_id() const { return caller_span_id_; }
  // The driver's X-Request-Id (cleaned; empty when the request had none).
  const std::string& request_id() const { return request_id_; }
  // What a downstream call made for this request carries: its trace and its request id.
  CallOrigin origin() const { return {trace_, request_id_}; }
  SystemTime accepted_at() const { return accepted_at_; }
  double SecondsSinceReceived() const;
  // A query parameter (nullopt when absent).
  std::optional<std::string> Query(const std::string& name) const;

 private:
  const httplib::Request& request_;
  std::chrono::steady_clock::time_point received_;
  SystemTime accepted_at_;
  TraceContext trace_;
  std::string caller_span_id_;
  std::string request_id_;
};

class Service;
using Handler = std::function<Reply(Service&, const Request&)>;

class Service {
 public:
  Service(ServiceOptions options, SyncSettings settings);
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const ServiceOptions& options() const { return options_; }
  const WorkloadSettings& workload() const { return options_.workload; }
  const SyncSettings& settings() const { return settings_; }
  Metrics& metrics() { return metrics_; }

  // Runs `work(pqxx::work&)` in a transaction on a pooled connection, on this thread.
  template <typename Work>
  auto Transact(Work&& work) {
    return db_.Transact(std::forward<Work>(work));
  }
  // One statement in autocommit (ConnectionPool::Autocommit): no BEGIN, no COMMIT.
  template <typename Work>
  auto Autocommit(Work&& work) {
    return db_.Autocommit(std::forward<Work>(work));
  }

  // The client for another service: created by AddPeer while adding routes (its breaker
  // state is exposed from the start), then only looked up, from any handler thread.
  void AddPeer(std::string_view name);
  Downstream& Peer(std::string_view name);

  // Routes: "/users/{id}" matches one path segment and is also the metric's route label.
  void Get(const std::string& route, Handler handler);
  void Post(const std::string& route, Handler handler);
  void Put(const std::string& route, Handler handler);

  // The end of a scenario's work (CONTRACT §5): flowbench_scenario_completion_seconds{scenario}
  // from the request's receive time, and the request's completion record with `outcome`.
  void CompleteScenario(std::string_view scenario, const Request& request, WorkOutcome outcome);
  // Only the completion record: an end of the work the histogram does not count (a saga that
  // failed, a fan-out answered 503).
  void RecordCompletion(std::string_view scenario, const Request& request, WorkOutcome outcome);
  const CompletionLog& completions() const { return completions_; }

  // Work beside the server, started by Run() once the port is bound and stopped before Run()
  // returns (the order service's saga sweeper). The task must return soon after its stop
  // token is asked to stop.
  void RunBeside(std::function<void(std::stop_token)> task);

  // Serves until SIGTERM or SIGINT, then drains for at most --drain-timeout-ms; returns the
  // process exit code.
  int Run();

 private:
  httplib::Server::Handler Wrap(const std::string& route, Handler handler);
  void AddBuiltInRoutes();

  ServiceOptions options_;
  SyncSettings settings_;
  Metrics metrics_;
  CompletionLog completions_;
  ConnectionPool db_;
  HttpServer server_;
  std::map<std::string, std::unique_ptr<Downstream>, std::less<>> peers_;
  std::list<std::string> routes_;  // stable storage for the route labels
  std::vector<std::function<void(std::stop_token)>> beside_;
  prometheus::Family<prometheus::Counter>& server_faults_;
  std::atomic<bool> draining_{false};  // SIGTERM received
};

// A waiting step of the simulated work (an SMTP server, a gateway): this thread sleeps, and
// the request holding it waits. Narrated as `what` in the demo's timeline.
void Wait(const TraceContext& trace, std::string_view what, std::chrono::milliseconds duration);

// main() of a sync service: parses the flags (ServiceOptions + SyncSettings), configures
// logs, migrates the "sync" schema, lets `add_routes` register its routes, runs.
int RunService(std::string_view name, int argc, char** argv,
               const std::function<void(Service&)>& add_routes);

}  // namespace flowbench::sync
