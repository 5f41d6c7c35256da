#include "asynchronous/runtime/http_server.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <unordered_set>
#include <vector>

#include "common/domain/errors.hpp"
#include "common/domain/requests.hpp"
#include "common/service/error_mapping.hpp"
#include "common/telemetry/completion_route.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/metrics.hpp"
#include "common/telemetry/span.hpp"
#include "common/telemetry/span_conventions.hpp"

namespace flowbench::async {
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kAsTuple = net::as_tuple(net::use_awaitable);
constexpr std::chrono::seconds kWriteTimeout{30};
constexpr std::chrono::seconds kLingerTimeout{5};       // after a 413: wait for the rest ...
constexpr std::size_t kLingerLimit = 16 * 1024 * 1024;  // ... but read no more than this
// Out of descriptors, accept() fails at once for as long as the backlog holds a connection:
// retried at once, that is a core spinning. A pause lets connections close meanwhile.
constexpr std::chrono::milliseconds kAcceptPause{100};
constexpr std::size_t kFirstRead = 4096;  // what a read waiting for a request's start takes

// The process (EMFILE), the system (ENFILE) or the kernel's socket memory is exhausted:
// retrying accept() at once fails the same way.
bool IsOutOfResources(const boost::system::error_code& error) {
  if (error.category() != boost::system::system_category()) return false;
  int code = error.value();
  return code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM;
}

// Past the cap, a new connection is answered 503 and closed at once, not queued: a queued
// connection holds a descriptor, a client that is told "busy" can retry later or elsewhere,
// and one that sent nothing yet still learns why. The answer is one non-blocking send into
// an empty socket buffer: refusing never waits on the client and costs no coroutine.
void Refuse(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.send(net::buffer(ConnectionCapAnswer()), 0, ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

HttpResponse JsonResponse(const Reply& reply) {
  return HttpResponse{reply.status, boost::json::serialize(reply.body), "application/json"};
}

HttpResponse ErrorResponse(int status, std::string_view error, std::string_view detail) {
  return JsonResponse(Reply{status, ErrorBody(error, detail)});
}

http::response<http::string_body> ToBeast(const HttpResponse& answer, unsigned version,
                                          bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(answer.status), version};
  res.set(http::field::server, "flowbench-async");
  res.set(http::field::content_type, answer.content_type);
  res.keep_alive(keep_alive);
  res.body() = answer.body;
  res.prepare_payload();
  return res;
}

}  // namespace

Request::Request(std::string method, std::string path, std::string body, TraceContext trace,
                 SystemTime accepted_at, std::string query, std::string request_id,
                 std::string caller_span_id)
    : method_(std::move(method)),
      path_(std::move(path)),
      body_(std::move(body)),
      trace_(std::move(trace)),
      accepted_at_(accepted_at),
      query_(std::move(query)),
      request_id_(std::move(request_id)),
      caller_span_id_(std::move(caller_span_id)) {}

std::optional<std::string> Request::Query(std::string_view name) const {
  std::string_view rest = query_;
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    return std::string(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::int64_t Request::PathId(std::string_view what) const {
  std::optional<std::int64_t> id = ParseId(path_param_);
  if (!id) throw DoesNotExist(what, path_param_);
  return *id;
}

struct HttpServer::Impl {
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    RequestHandler handler;  // a JSON answer, or ...
    RawRequestHandler raw;   // ... any other
  };

  Impl(net::io_context& io, Metrics& metrics, std::chrono::milliseconds idle_timeout,
       ConnectionLimits limits)
      : io(io), metrics(metrics), idle_timeout(idle_timeout), limits(limits), acceptor(io) {}

  net::io_context& io;
  Metrics& metrics;
  std::chrono::milliseconds idle_timeout;
  ConnectionLimits limits;
  tcp::acceptor acceptor;
  // Open now (Serve running). Shared with each Serve's frame: a frame still pending when the
  // io_context is destroyed after this Impl counts itself out on destruction.
  std::shared_ptr<int> connections = std::make_shared<int>(0);
  std::vector<Route> routes;
  int in_flight = 0;
  // After StopAccepting: answers say Connection: close, and connections waiting for a
  // request are closed at once (a client retries those elsewhere; none was half answered).
  bool draining = false;
  std::unordered_set<beast::tcp_stream*> waiting_for_request;

  // Coroutines are member functions, not capturing lambdas: a lambda's captures would die
  // with the lambda object while its coroutine still runs.
  // Each of the two conditions that make the loop refuse or pause is logged once when it
  // starts and once when it ends, not once per connection.
  Task<void> Accept() {
    net::steady_timer pause(io);
    bool out_of_resources = false;
    bool at_cap = false;
    for (;;) {
      auto [error, socket] = co_await acceptor.async_accept(kAsTuple);
      if (error) {
        if (!acceptor.is_open()) co_return;  // StopAccepting()
        if (IsOutOfResources(error)) {
          if (!out_of_resources) {
            log::Warn(
                "cannot accept connections: out of descriptors or memory; retrying every "
                "100 ms",
                {{"error", error.message()}, {"connections", *connections}});
          }
          out_of_resources = true;
          pause.expires_after(kAcceptPause);
          co_await pause.async_wait(kAsTuple);
          continue;
        }
        log::Warn("accept failed", {{"error", error.message()}});  // this connection only
        continue;
      }
      if (out_of_resources) {
        log::Info("accepting connections again", {{"connections", *connections}});
        out_of_resources = false;
      }
      if (*connections >= limits.max_connections) {
        if (!at_cap) {
          log::Warn("connection cap reached: refusing new connections with 503",
                    {{"max_connections", limits.max_connections}});
        }
        at_cap = true;
        Refuse(socket);
        continue;
      }
      if (at_cap) {
        log::Info("below the connection cap again", {{"connections", *connections}});
        at_cap = false;
      }
      ++*connections;  // now: Serve starts later, after more accepts maybe
      net::co_spawn(io, Serve(std::move(socket)), net::detached);
    }
  }

  struct Counted {  // one of `connections` for as long as a Serve runs
    std::shared_ptr<int> count;
    ~Counted() { --*count; }
  };

  // One connection: wait for a request's first bytes (idle_timeout), read the rest of it
  // (request_deadline), answer it, until the peer closes, the connection idles past
  // idle_timeout, or the request asked to close. tcp_stream's timer covers a whole
  // async_read, however slowly its bytes trickle in: it is the deadline of the whole request,
  // not of each read.
  Task<void> Serve(tcp::socket socket) {
    Counted counted{connections};  // counted in by Accept
    beast::tcp_stream stream(std::move(socket));
    boost::system::error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);
    beast::flat_buffer buffer;
    while (!draining) {
      if (buffer.size() == 0) {  // nothing of the next request yet (keep-alive)
        stream.expires_after(idle_timeout);
        waiting_for_request.insert(&stream);
        auto [idle_error, n] =
            co_await stream.async_read_some(buffer.prepare(kFirstRead), kAsTuple);
        waiting_for_request.erase(&stream);
        if (idle_error) break;  // closed by the peer, idle too long, or draining
        buffer.commit(n);
      }
      http::request_parser<http::string_body> parser;
      parser.body_limit(kMaxBodyBytes);
      stream.expires_after(limits.request_deadline);
      auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kAsTuple);
      if (read_error == http::error::body_limit) {
        HttpResponse too_large =
            ErrorResponse(413, "payload_too_large",
                          "the body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
        metrics.ObserveHttpRequest(std::string(parser.get().method_string()), "unmatched", 413, 0);
        auto res = ToBeast(too_large, parser.get().version(), false);
        stream.expires_after(kWriteTimeout);
        co_await http::async_write(stream, res, kAsTuple);
        // The rest of the body is unread, so the connection cannot go on. Closing at once
        // would reset it under a client still sending, which then never reads the 413:
        // stop sending, and swallow what it still sends (bounded) until it closes.
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        std::array<char, 64 * 1024> sink;
        std::size_t swallowed = 0;
        while (swallowed < kLingerLimit) {
          stream.expires_after(kLingerTimeout);
          auto [error, n] = co_await stream.async_read_some(net::buffer(sink), kAsTuple);
          if (error) break;
          swallowed += n;
        }
        co_return;
      }
      if (read_error) break;  // closed by the peer, too slow (deadline), or not HTTP

      http::request<http::string_body> req = parser.release();
      std::string target(req.target());
      std::size_t question = target.find('?');
      ReceivedTrace incoming = ReceiveTrace(req["traceparent"]);
      Request request(std::string(req.method_string()), target.substr(0, question),
                      std::move(req.body()), std::move(incoming.trace),
                      std::chrono::system_clock::now(),
                      question == std::string::npos ? std::string() : target.substr(question + 1),
                      CleanRequestId(req[kRequestIdHeader]), std::move(incoming.sender_span_id));
      HttpResponse answer = co_await owner->Answer(std::move(request));
      auto res = ToBeast(answer, req.version(), req.keep_alive() && !draining);
      stream.expires_after(kWriteTimeout);
      auto [write_error, written] = co_await http::async_write(stream, res, kAsTuple);
      if (write_error || !res.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  HttpServer* owner = nullptr;
};

HttpServer::HttpServer(net::io_context& io, Metrics& metrics,
                       std::chrono::milliseconds idle_timeout, ConnectionLimits limits)
    : impl_(std::make_unique<Impl>(io, metrics, idle_timeout, limits)) {
  impl_->owner = this;
}

HttpServer::~HttpServer() = default;

void HttpServer::Route(std::string method, std::string pattern, RequestHandler handler) {
  std::vector<std::string> segments = SplitPath(pattern);
  impl_->routes.push_back(Impl::Route{std::move(method), std::move(pattern), std::move(segments),
                                      std::move(handler), nullptr});
}

void HttpServer::RouteRaw(std::string method, std::string pattern, RawRequestHandler handler) {
  std::vector<std::string> segments = SplitPath(pattern);
  impl_->routes.push_back(Impl::Route{std::move(method), std::move(pattern), std::move(segments),
                                      nullptr, std::move(handler)});
}

int HttpServer::InFlight() const { return impl_->in_flight; }

void HttpServer::StopAccepting() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->draining = true;
  for (beast::tcp_stream* idle : impl_->waiting_for_request) idle->cancel();  // their reads end
}

Task<HttpResponse> HttpServer::Answer(Request request) {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> segments = SplitPath(request.path());
  const Impl::Route* match = nullptr;
  bool path_known = false;
  for (const Impl::Route& route : impl_->routes) {
    if (route.segments.size() != segments.size()) continue;
    std::string param;
    bool same = true;
    for (std::size_t i = 0; i < segments.size() && same; ++i) {
      const std::string& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        param = segments[i];
      } else {
        same = want == segments[i];
      }
    }
    if (!same) continue;
    path_known = true;
    if (route.method == request.method()) {
      match = &route;
      request.path_param_ = std::move(param);
      break;
    }
  }

  HttpResponse response;
  std::string_view route_label = match ? std::string_view(match->pattern) : "unmatched";
  std::string error;  // for the log, on a 5xx
  if (match == nullptr) {
    response = path_known ? ErrorResponse(405, "method_not_allowed",
                                          request.method() + " is not allowed on " + request.path())
                          : ErrorResponse(404, "not_found", "no route " + request.path());
  } else {
    bool sampled = request.trace().Sampled();  // spans only then: no text built otherwise
    Span server_span(request.trace(), request.caller_span_id(), SpanKind::kServer);
    if (server_span) server_span.SetStart(UnixNanos(request.accepted_at()));  // read, not routed
    if (sampled) {
      RecordSpan(request.trace(), span::kReceived, request.method() + " " + request.path(),
                 {{"route", route_label}});
    }
    ++impl_->in_flight;
    try {
      if (match->raw) {
        response = co_await match->raw(request);
      } else {
        Reply reply = co_await match->handler(request);
        response = JsonResponse(reply);
      }
    } catch (...) {
      // The sync build's mapping: a lost database is a 503 here too, not a 500.
      ErrorReply mapped = ToErrorReply(std::current_exception());
      if (mapped.server_fault) mapped.reply.body["trace_id"] = request.trace_id();  // its log line
      response = JsonResponse(mapped.reply);
      if (mapped.reply.status >= 500) error = mapped.cause;  // driver text: logs only
    }
    --impl_->in_flight;
    if (sampled) {
      RecordSpan(request.trace(), span::kAnswered, request.method() + " " + request.path(),
                 {{"route", route_label}, {"status", response.status}});
    }
    DescribeHttpServerSpan(server_span, request.method(), route_label, request.path(),
                           response.status);
  }
  if (!error.empty()) {
    log::Warn("request failed",
              {{"method", request.method()},
               {"route", route_label},
               {"status", response.status},
               {"error", error}},
              request.trace_id());
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  impl_->metrics.ObserveHttpRequest(request.method(), route_label, response.status, seconds);
  co_return response;
}

void HttpServer::Listen(const std::string& host, int port) {
  tcp::endpoint endpoint(net::ip::make_address(host), static_cast<unsigned short>(port));
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(net::socket_base::max_listen_connections);

  net::co_spawn(impl_->io, impl_->Accept(), net::detached);
}

}  // namespace flowbench::async
