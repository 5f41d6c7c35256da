// The async build's HTTP/1.1 front: Boost.Beast on C++20 coroutines, one coroutine per
// connection (a for(;;) loop: read with a timeout, answer, until the peer closes or idles).
// Bodies over 1 MiB are refused with 413. Errors become answers in one place, like in the
// sync build: ClientError -> its status with {"error","detail"}, ServiceUnavailable -> 503,
// anything else -> 500 (logged). Every answer is counted in http_requests_total by route.
// Beast stays inside http_server.cpp; services see only these types.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asynchronous/runtime/net.hpp"
#include "common/domain/events.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench {
class Metrics;
}

namespace flowbench::async {

inline constexpr std::size_t kBodyLimit = 1024 * 1024;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::string body;
  std::map<std::string, std::string, std::less<>> params;  // {id} of "/users/{id}"
  SystemTime accepted_at;  // when the request was read: carried to the end of its work
  TraceContext trace;      // from its traceparent header, or a new one

  // A positive integer path parameter; anything else is a 404 (no such resource).
  std::int64_t IdParam(std::string_view name) const;
  const std::string& Param(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

HttpResponse JsonResponse(int status, const boost::json::value& body);
HttpResponse ErrorResponse(int status, std::string_view error, std::string_view detail);

using HttpHandler = std::function<Task<HttpResponse>(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer(net::io_context& io, Metrics& metrics, std::chrono::milliseconds idle_timeout);
  ~HttpServer();

  // pattern: "/users/{id}"; a {name} segment matches any one segment.
  void Route(std::string method, std::string pattern, HttpHandler handler);

  // Binds now (throws when the port is taken), then accepts on the event loop.
  void Listen(const std::string& host, int port);
  void StopAccepting();
  int InFlight() const;  // requests being handled now

  // Routing and error mapping without a socket (the connection loop calls it).
  Task<HttpResponse> Answer(HttpRequest request);

 private:
  struct Impl;  // acceptor, routes, connections (Beast types stay in the .cpp)
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowbench::async
