#include "gateway/gateway_server.hpp"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <unordered_set>

#include "common/domain/random_ids.hpp"
#include "common/service/error_mapping.hpp"
#include "common/telemetry/completion_route.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/metrics.hpp"
#include "common/telemetry/span.hpp"
#include "common/telemetry/span_conventions.hpp"
#include "common/telemetry/trace.hpp"
#include "common/telemetry/tracing.hpp"
#include "gateway/public_routes.hpp"
#include "gateway/upstream_pool.hpp"

namespace flowbench::gateway {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kAsTuple = net::as_tuple(net::use_awaitable);
constexpr std::chrono::seconds kWriteTimeout{30};
constexpr std::chrono::seconds kLingerTimeout{5};       // after a 413: wait for the rest ...
constexpr std::size_t kLingerLimit = 16 * 1024 * 1024;  // ... but read no more than this
constexpr std::chrono::milliseconds kAcceptPause{100};  // out of descriptors: no spinning
constexpr std::size_t kFirstRead = 4096;
// A service that does not answer its /health within this is reported unhealthy: a probe of
// the gateway's /health (Compose's, every few seconds) must not wait the upstream timeout.
constexpr std::chrono::seconds kHealthTimeout{1};
constexpr std::string_view kRealm = R"(Bearer realm="flowbench")";

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Answer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  Headers headers;
};

Answer JsonAnswer(int status, const boost::json::object& body, Headers headers = {}) {
  return Answer{status, boost::json::serialize(body), "application/json", std::move(headers)};
}

Answer ErrorAnswer(int status, std::string_view error, std::string_view detail,
                   Headers headers = {}) {
  return JsonAnswer(status, ErrorBody(error, detail), std::move(headers));
}

// RFC 6750 §3: the challenge, with an error code once a token was presented.
std::string Challenge(std::string_view error, std::string_view description,
                      std::string_view scope = {}) {
  std::string challenge(kRealm);
  if (error.empty()) return challenge;
  challenge += ", error=\"" + std::string(error) + "\", error_description=\"" +
               std::string(description) + "\"";
  if (!scope.empty()) challenge += ", scope=\"" + std::string(scope) + "\"";
  return challenge;
}

// "Bearer <token>" (the scheme in any case, RFC 7235); nullopt for no header or another scheme.
std::optional<std::string_view> BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i])
      return std::nullopt;
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

bool IsOutOfResources(const boost::system::error_code& error) {
  if (error.category() != boost::system::system_category()) return false;
  int code = error.value();
  return code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM;
}

void Refuse(tcp::socket& socket) {  // past the connection cap: 503 and close, never queued
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.send(net::buffer(ConnectionCapAnswer()), 0, ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

http::response<http::string_body> ToBeast(const Answer& answer, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(answer.status), version};
  res.set(http::field::server, "flowbench-gateway");
  res.set(http::field::content_type, answer.content_type);
  for (const auto& [name, value] : answer.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = answer.body;
  res.prepare_payload();
  return res;
}

// One request as the gateway reads it.
struct Incoming {
  std::string method;
  std::string target;  // path and query, forwarded as they came
  std::string path;
  std::string body;
  std::string content_type;
  std::string authorization;
  TraceContext trace;          // a child of the client's traceparent, or a new root
  std::string request_id;      // the client's X-Request-Id, or one made here
  std::string sender_span_id;  // a sampled client's span: the parent of the SERVER span
};

// 10 us growing by 10 % to ~0.9 s: the gateway's own share is tens of microseconds, far
// below the services' latency buckets (0.5 ms and up); an interpolated percentile is within
// 10 % of the exact value.
const prometheus::Histogram::BucketBoundaries& AddedBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = [] {
    prometheus::Histogram::BucketBoundaries bounds;
    double bound = 10e-6;
    for (int i = 0; i < 120; ++i, bound *= 1.10) bounds.push_back(bound);
    return bounds;
  }();
  return kBuckets;
}

}  // namespace

struct Gateway::Impl {
  Impl(net::io_context& io, const GatewayOptions& options)
      : io(io),
        options(options),
        metrics(ArchName(options.arch), "gateway"),
        rate_limited(
            prometheus::BuildCounter()
                .Name("flowbench_gateway_rate_limited_total")
                .Help("Requests the gateway refused with 429: their subject was over its rate")
                .Labels({{"arch", std::string(ArchName(options.arch))}, {"service", "gateway"}})
                .Register(metrics.registry())
                .Add({})),
        added(prometheus::BuildHistogram()
                  .Name(std::string(kAddedSecondsMetric))
                  .Help("Per forwarded request: the gateway's own time, from the request read to "
                        "the answer written, less the upstream exchange")
                  .Labels({{"arch", std::string(ArchName(options.arch))}, {"service", "gateway"}})
                  .Register(metrics.registry())
                  .Add({}, AddedBuckets())),
        limiter(options.rate_limit),
        pool(io, UpstreamSettings{options.upstream_timeout, options.upstream_max_idle,
                                  options.upstream_idle_per_service}),
        health_pool(io, UpstreamSettings{kHealthTimeout, options.upstream_max_idle, 1}),
        acceptor(io) {}

  net::io_context& io;
  GatewayOptions options;
  Metrics metrics;
  prometheus::Counter& rate_limited;
  prometheus::Histogram& added;
  RateLimiter limiter;
  UpstreamPool pool;
  UpstreamPool health_pool;  // /health's checks: a short timeout of their own
  tcp::acceptor acceptor;
  std::shared_ptr<int> connections = std::make_shared<int>(0);
  int bound_port = 0;
  int in_flight = 0;
  bool draining = false;
  std::unordered_set<beast::tcp_stream*> waiting_for_request;

  // One --upstream service's entry in /health: does it answer its own /health now.
  Task<boost::json::object> CheckUpstream(std::string name) {
    UpstreamAddress address = options.Upstream(name);
    // A named request: GCC 12 frees a braced temporary inside a co_await expression twice.
    const UpstreamRequest probe{"GET", "/health", {}, {}};
    UpstreamResponse answer = co_await health_pool.Send(address, probe);
    boost::json::object entry{{"name", name},
                              {"url", address.Url()},
                              {"healthy", answer.status == 200},
                              {"status", answer.status}};
    if (answer.status == 0) entry["failure"] = answer.failure;
    co_return entry;
  }

  // Its own state, and for each --upstream service (Compose) whether that answers its own
  // /health: the gateway is up either way (200), the list says what it can reach. The checks
  // run side by side, so a probe waits one health timeout at most, not one per service.
  Task<Answer> Health() {
    struct Checks {
      explicit Checks(net::io_context& io, std::size_t n) : entries(n), pending(n), done(io) {}
      std::vector<boost::json::object> entries;
      std::size_t pending;
      net::steady_timer done;  // cancelled by the last check to finish
    };
    std::vector<std::string> names = options.NamedUpstreams();
    auto checks = std::make_shared<Checks>(io, names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      net::co_spawn(
          io,
          [this, checks, i, name = names[i]]() -> Task<void> {
            checks->entries[i] = co_await CheckUpstream(name);
            if (--checks->pending == 0) checks->done.cancel();
          },
          net::detached);
    }
    if (checks->pending > 0) {
      checks->done.expires_at(net::steady_timer::time_point::max());
      co_await checks->done.async_wait(kAsTuple);  // cancelled: all checks are in
    }
    boost::json::array upstreams;
    for (boost::json::object& entry : checks->entries) upstreams.push_back(std::move(entry));
    co_return JsonAnswer(200, {{"service", "gateway"},
                               {"arch", ArchName(options.arch)},
                               {"status", "ok"},
                               {"upstream_host", options.upstream_host},
                               {"port_base", options.BasePort()},
                               {"rate_limit", Describe(options.rate_limit)},
                               {"upstreams", std::move(upstreams)}});
  }

  // Who may do what: nullopt when the request may go on, else the refusal.
  std::optional<Answer> Authorise(const Incoming& request, std::string& subject) {
    std::optional<std::string_view> token = BearerToken(request.authorization);
    if (!token) {
      return ErrorAnswer(401, "unauthorized",
                         "a Bearer token is required (Authorization: Bearer <token>)",
                         {{"WWW-Authenticate", Challenge({}, {})}});
    }
    VerifiedToken verified;
    try {
      verified = VerifyToken(*token, options.jwt, std::chrono::system_clock::now());
    } catch (const TokenRejected& e) {
      return ErrorAnswer(401, "invalid_token", e.what(),
                         {{"WWW-Authenticate", Challenge("invalid_token", e.what())}});
    }
    bool write = IsWrite(request.method);
    if (write ? !verified.MayWrite() : !verified.MayRead()) {
      std::string needed = write ? "customer" : "customer or viewer";
      std::string detail = request.method + " " + request.path + " needs the role " + needed;
      return ErrorAnswer(403, "insufficient_scope", detail,
                         {{"WWW-Authenticate", Challenge("insufficient_scope", detail,
                                                         write ? "customer" : "viewer")}});
    }
    subject = std::move(verified.subject);
    return std::nullopt;
  }

  std::optional<Answer> Throttle(const std::string& subject) {
    RateDecision decision = limiter.Take(subject, std::chrono::steady_clock::now());
    if (decision.allowed) return std::nullopt;
    rate_limited.Increment();
    // Retry-After is whole seconds (RFC 9110 §10.2.3): rounded up, so a client that waits
    // that long finds a token.
    auto seconds = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(
               std::ceil(std::chrono::duration<double>(decision.retry_after).count())));
    return ErrorAnswer(429, "rate_limited",
                       "more than " + Describe(limiter.limit()) + " for subject " + subject +
                           "; retry in " + std::to_string(seconds) + " s",
                       {{"Retry-After", std::to_string(seconds)}});
  }

  // `upstream_seconds`: the exchange with the service, set when one took place.
  Task<Answer> Forward(const Incoming& request, const PublicRoute& route,
                       std::optional<double>& upstream_seconds) {
    std::string service(route.service);
    UpstreamAddress address = options.Upstream(service);
    // The call to the service is a CLIENT span of its own, the parent of the service's span.
    TraceContext call = request.trace.NewChild();
    Span client_span(call, request.trace.parent_id, SpanKind::kClient);
    if (client_span) {
      DescribeHttpClientSpan(client_span, request.method, service, address.Url(), request.path, 1);
    }
    UpstreamRequest upstream{request.method,
                             request.target,
                             request.body,
                             {{"traceparent", call.ToTraceparent()},
                              {std::string(kRequestIdHeader), request.request_id}}};
    if (!request.content_type.empty())
      upstream.headers.emplace_back("Content-Type", request.content_type);
    bool sampled = request.trace.Sampled();
    if (sampled)
      RecordSpan(request.trace, span::kCall, service + " " + request.method + " " + request.path);
    auto started = std::chrono::steady_clock::now();
    UpstreamResponse response = co_await pool.Send(address, upstream);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    upstream_seconds = seconds;
    if (sampled) {
      RecordSpan(request.trace, span::kCallDone,
                 service + " " + request.method + " " + request.path,
                 {{"status", response.status}});
    }
    if (response.status == 0) {
      FailHttpClientSpan(client_span, response.failure,
                         "the " + service + " service: " + response.failure);
      metrics.CountDownstreamFailure(service, response.failure);
      log::Warn("upstream failed",
                {{"service", service}, {"upstream", address.Url()}, {"failure", response.failure}},
                request.trace.trace_id);
      if (response.failure == "timeout" || response.failure == "connect_timeout") {
        co_return ErrorAnswer(504, "gateway_timeout",
                              "the " + service + " service did not answer within " +
                                  std::to_string(options.upstream_timeout.count()) + " ms");
      }
      co_return ErrorAnswer(502, "bad_gateway", "the " + service + " service could not be reached");
    }
    EndHttpClientSpan(client_span, response.status);
    client_span.End();
    metrics.ObserveDownstreamRequest(service, seconds);
    if (response.status >= 500)
      metrics.CountDownstreamFailure(service, "status_" + std::to_string(response.status));
    Answer answer{response.status,
                  std::move(response.body),
                  response.content_type.empty() ? "application/json" : response.content_type,
                  {}};
    if (!response.retry_after.empty())
      answer.headers.emplace_back("Retry-After", response.retry_after);
    co_return answer;
  }

  // Everything between a request read and its answer written; `route_label` for the metric.
  Task<Answer> Handle(const Incoming& request, std::string& route_label,
                      std::optional<double>& upstream_seconds) {
    if (request.method == "GET" && request.path == "/health") {
      route_label = "/health";
      co_return co_await Health();
    }
    if (request.method == "GET" && request.path == "/metrics") {
      route_label = "/metrics";
      co_return Answer{200, metrics.Exposition(), std::string(Metrics::kContentType), {}};
    }
    RouteMatch match = MatchRoute(request.method, request.path);
    if (match.route == nullptr) {
      route_label = "unmatched";
      if (match.path_known) {
        co_return ErrorAnswer(405, "method_not_allowed",
                              request.method + " is not allowed on " + request.path);
      }
      co_return ErrorAnswer(404, "not_found", "no route " + request.path);
    }
    route_label = std::string(match.route->pattern);
    std::string subject;
    if (std::optional<Answer> refused = Authorise(request, subject)) co_return std::move(*refused);
    if (std::optional<Answer> throttled = Throttle(subject)) co_return std::move(*throttled);
    Answer forwarded = co_await Forward(request, *match.route, upstream_seconds);
    co_return forwarded;
  }

  Task<Answer> Answered(Incoming request, std::optional<double>& upstream_seconds) {
    auto started = std::chrono::steady_clock::now();
    Span server_span(request.trace, request.sender_span_id, SpanKind::kServer);
    bool sampled = request.trace.Sampled();
    if (sampled) RecordSpan(request.trace, span::kReceived, request.method + " " + request.path);
    std::string route_label = "unmatched";
    ++in_flight;
    Answer answer;
    try {
      answer = co_await Handle(request, route_label, upstream_seconds);
    } catch (...) {
      ErrorReply mapped = ToErrorReply(std::current_exception());
      log::Error("request failed", {{"route", route_label}, {"error", mapped.cause}},
                 request.trace.trace_id);
      if (mapped.server_fault) mapped.reply.body["trace_id"] = request.trace.trace_id;
      answer = JsonAnswer(mapped.reply.status, mapped.reply.body);
    }
    --in_flight;
    answer.headers.emplace_back(std::string(kRequestIdHeader), request.request_id);
    if (sampled) {
      RecordSpan(request.trace, span::kAnswered, request.method + " " + request.path,
                 {{"route", route_label}, {"status", answer.status}});
    }
    DescribeHttpServerSpan(server_span, request.method, route_label, request.path, answer.status);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics.ObserveHttpRequest(request.method, route_label, answer.status, seconds);
    co_return answer;
  }

  Task<void> Accept() {
    net::steady_timer pause(io);
    bool out_of_resources = false;
    bool at_cap = false;
    for (;;) {
      auto [error, socket] = co_await acceptor.async_accept(kAsTuple);
      if (error) {
        if (!acceptor.is_open()) co_return;  // StopAccepting()
        if (IsOutOfResources(error)) {
          if (!out_of_resources)
            log::Warn("cannot accept connections: out of descriptors or memory");
          out_of_resources = true;
          pause.expires_after(kAcceptPause);
          co_await pause.async_wait(kAsTuple);
          continue;
        }
        log::Warn("accept failed", {{"error", error.message()}});
        continue;
      }
      if (out_of_resources) log::Info("accepting connections again");
      out_of_resources = false;
      if (*connections >= options.limits.max_connections) {
        if (!at_cap) log::Warn("connection cap reached: refusing new connections with 503");
        at_cap = true;
        Refuse(socket);
        continue;
      }
      at_cap = false;
      ++*connections;
      net::co_spawn(io, Serve(std::move(socket)), net::detached);
    }
  }

  struct Counted {
    std::shared_ptr<int> count;
    ~Counted() { --*count; }
  };

  // One client connection: the services' loop (asynchronous/runtime/http_server.cpp), kept
  // separate so the gateway depends on neither build.
  Task<void> Serve(tcp::socket socket) {
    Counted counted{connections};
    beast::tcp_stream stream(std::move(socket));
    boost::system::error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);
    beast::flat_buffer buffer;
    while (!draining) {
      if (buffer.size() == 0) {
        stream.expires_after(options.idle_timeout);
        waiting_for_request.insert(&stream);
        auto [idle_error, n] =
            co_await stream.async_read_some(buffer.prepare(kFirstRead), kAsTuple);
        waiting_for_request.erase(&stream);
        if (idle_error) break;
        buffer.commit(n);
      }
      http::request_parser<http::string_body> parser;
      parser.body_limit(kMaxBodyBytes);
      stream.expires_after(options.limits.request_deadline);
      auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kAsTuple);
      if (read_error == http::error::body_limit) {
        Answer too_large =
            ErrorAnswer(413, "payload_too_large",
                        "the body is larger than " + std::to_string(kMaxBodyBytes) + " bytes");
        metrics.ObserveHttpRequest(std::string(parser.get().method_string()), "unmatched", 413, 0);
        auto res = ToBeast(too_large, parser.get().version(), false);
        stream.expires_after(kWriteTimeout);
        co_await http::async_write(stream, res, kAsTuple);
        // Closing at once would reset the connection under a client still sending, which
        // then never reads the 413: stop sending, swallow what comes (bounded) until it closes.
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        std::array<char, 64 * 1024> sink{};
        std::size_t swallowed = 0;
        while (swallowed < kLingerLimit) {
          stream.expires_after(kLingerTimeout);
          auto [error, n] = co_await stream.async_read_some(net::buffer(sink), kAsTuple);
          if (error) break;
          swallowed += n;
        }
        co_return;
      }
      if (read_error) break;

      // The gateway's own time for this request starts here (read) and ends with the answer
      // written; the upstream exchange inside it is the service's (and the hop's) time.
      auto read_at = std::chrono::steady_clock::now();
      http::request<http::string_body> req = parser.release();
      std::string target(req.target());
      std::string request_id = CleanRequestId(req[kRequestIdHeader]);
      if (request_id.empty()) request_id = RandomIdHex(16);
      ReceivedTrace incoming = ReceiveTrace(req["traceparent"]);
      Incoming request{std::string(req.method_string()),
                       target,
                       target.substr(0, target.find('?')),
                       std::move(req.body()),
                       std::string(req[http::field::content_type]),
                       std::string(req[http::field::authorization]),
                       std::move(incoming.trace),
                       std::move(request_id),
                       std::move(incoming.sender_span_id)};
      std::optional<double> upstream_seconds;
      Answer answer = co_await Answered(std::move(request), upstream_seconds);
      auto res = ToBeast(answer, req.version(), req.keep_alive() && !draining);
      stream.expires_after(kWriteTimeout);
      auto [write_error, written] = co_await http::async_write(stream, res, kAsTuple);
      if (upstream_seconds && !write_error) {
        double total =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - read_at).count();
        added.Observe(std::max(0.0, total - *upstream_seconds));
      }
      if (write_error || !res.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
};

Gateway::Gateway(net::io_context& io, const GatewayOptions& options)
    : impl_(std::make_unique<Impl>(io, options)) {}

Gateway::~Gateway() = default;

void Gateway::Listen() {
  int port = impl_->options.port < 0 ? 0 : impl_->options.ListenPort();
  tcp::endpoint endpoint(net::ip::make_address(impl_->options.host),
                         static_cast<unsigned short>(port));
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(net::socket_base::max_listen_connections);
  impl_->bound_port = impl_->acceptor.local_endpoint().port();
  net::co_spawn(impl_->io, impl_->Accept(), net::detached);
}

int Gateway::port() const { return impl_->bound_port; }

void Gateway::StopAccepting() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->draining = true;
  for (beast::tcp_stream* idle : impl_->waiting_for_request) idle->cancel();
}

int Gateway::InFlight() const { return impl_->in_flight; }

Metrics& Gateway::metrics() { return impl_->metrics; }

}  // namespace flowbench::gateway
