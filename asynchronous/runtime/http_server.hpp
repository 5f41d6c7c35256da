// The async build's HTTP/1.1 front: Boost.Beast on C++20 coroutines, one coroutine per
// connection (a for(;;) loop: read with a timeout, answer, until the peer closes or idles).
// Bodies over 1 MiB are refused with 413. Whatever a handler throws becomes an answer in one
// place, through the mapping the sync build uses too (common/service/error_mapping.hpp).
// Every answer is counted in http_requests_total by route. Beast stays inside
// http_server.cpp; services see only Request and Reply.
//
// Hostile clients (CONTRACT §3.8): at most limits.max_connections open at once (past it, a
// 503 and close); a request must arrive whole within limits.request_deadline of its first
// byte (slowloris); out of file descriptors, the accept loop pauses instead of spinning.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "asynchronous/runtime/net.hpp"
#include "common/domain/events.hpp"
#include "common/service/connection_limits.hpp"
#include "common/service/reply.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench {
class Metrics;
}

namespace flowbench::async {

inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;  // larger bodies: 413

// One request as a handler sees it.
class Request {
 public:
  // query: what followed '?' in the target; request_id: the cleaned X-Request-Id.
  // caller_span_id: the span that sent it (ReceivedTrace), in a sampled trace only.
  Request(std::string method, std::string path, std::string body, TraceContext trace,
          SystemTime accepted_at, std::string query = {}, std::string request_id = {},
          std::string caller_span_id = {});

  const std::string& method() const { return method_; }
  const std::string& path() const { return path_; }  // without the query string
  std::string_view body() const { return body_; }
  // The {id} of the route as a positive integer; anything else is a 404 naming `what`.
  std::int64_t PathId(std::string_view what) const;
  const std::string& PathParam() const { return path_param_; }  // the {id} as text
  const TraceContext& trace() const { return trace_; }
  const std::string& trace_id() const { return trace_.trace_id; }
  const std::string& caller_span_id() const { return caller_span_id_; }
  // When the request was read: carried to the end of its work, in every message it causes.
  SystemTime accepted_at() const { return accepted_at_; }
  // The driver's X-Request-Id (empty when the request had none): carried like accepted_at.
  const std::string& request_id() const { return request_id_; }
  // A query parameter, as written (no percent-decoding); nullopt when absent.
  std::optional<std::string> Query(std::string_view name) const;

 private:
  friend class HttpServer;  // sets the path parameter once a route matched

  std::string method_;
  std::string path_;
  std::string body_;
  TraceContext trace_;
  SystemTime accepted_at_;
  std::string query_;
  std::string request_id_;
  std::string caller_span_id_;
  std::string path_param_;
};

// An answer as the front writes it: a JSON Reply serialised, or another body (/metrics).
struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

using RequestHandler = std::function<Task<Reply>(const Request&)>;
using RawRequestHandler = std::function<Task<HttpResponse>(const Request&)>;

class HttpServer {
 public:
  // idle_timeout: a keep-alive connection without a next request is closed after it.
  HttpServer(net::io_context& io, Metrics& metrics, std::chrono::milliseconds idle_timeout,
             ConnectionLimits limits);
  ~HttpServer();

  // pattern: "/users/{id}"; a {name} segment matches any one segment (the path parameter).
  void Route(std::string method, std::string pattern, RequestHandler handler);
  // The same for an answer that is not JSON.
  void RouteRaw(std::string method, std::string pattern, RawRequestHandler handler);

  // Binds now (throws when the port is taken), then accepts on the event loop.
  void Listen(const std::string& host, int port);
  // Draining: no new connections; answers from now on close their connection, and
  // connections waiting for their next request are closed.
  void StopAccepting();
  int InFlight() const;  // requests being handled now

  // Routing and error mapping without a socket (the connection loop calls it).
  Task<HttpResponse> Answer(Request request);

 private:
  struct Impl;  // acceptor, routes, connections (Beast types stay in the .cpp)
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowbench::async
