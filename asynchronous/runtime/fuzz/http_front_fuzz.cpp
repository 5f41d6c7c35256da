// libFuzzer target: the async build's HTTP front without a socket. The bytes go through
// Beast's request parser (with the front's body limit), become a Request as the connection
// loop makes one (target split at '?', traceparent, X-Request-Id), and are answered by
// HttpServer::Answer against the services' routes, whose handlers parse bodies and path ids
// as the real ones do. Every request must be answered with a status the contract knows.
#include <boost/asio/co_spawn.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>
#include <utility>

#include "asynchronous/runtime/http_server.hpp"
#include "common/domain/requests.hpp"
#include "common/telemetry/completion_route.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/metrics.hpp"

namespace {

namespace http = boost::beast::http;
using flowbench::Reply;
using flowbench::async::HttpResponse;
using flowbench::async::HttpServer;
using flowbench::async::Request;
using flowbench::async::Task;

Task<Reply> Accepted(boost::json::object body) { co_return Reply{202, std::move(body)}; }

// The routes of the ten services (asynchronous/services), each reading what its real
// handler reads, and nothing behind it.
void AddRoutes(HttpServer& server) {
  server.Route("POST", "/register", [](const Request& r) {
    return Accepted({{"email", flowbench::ParseRegistration(r.body()).email}});
  });
  server.Route("POST", "/process_payment", [](const Request& r) {
    return Accepted({{"amount", flowbench::ParsePaymentRequest(r.body()).amount}});
  });
  server.Route("PUT", "/products/{id}", [](const Request& r) {
    std::int64_t id = r.PathId("product");
    (void)flowbench::ParseProductUpdate(r.body());
    return Accepted({{"id", id}});
  });
  server.Route("POST", "/generate_report", [](const Request& r) {
    return Accepted({{"type", flowbench::ParseReportRequest(r.body()).report_type}});
  });
  server.Route("POST", "/create_order", [](const Request& r) {
    return Accepted({{"quantity", flowbench::ParseOrderRequest(r.body()).quantity}});
  });
  server.Route("POST", "/track_click", [](const Request& r) {
    return Accepted({{"page", flowbench::ParseClickRequest(r.body()).page}});
  });
  server.Route("PUT", "/fault/slow", [](const Request& r) {
    return Accepted({{"extra_ms", flowbench::ParseSlowdown(r.body()).count()}});
  });
  server.Route("GET", "/clicks/count", [](const Request& r) {
    return Accepted({{"page", r.Query("page").value_or("")}});
  });
  server.Route("GET", "/products", [](const Request&) { return Accepted({}); });
  for (const char* route : {"/users/{id}", "/payments/{id}", "/products/{id}", "/orders/{id}",
                            "/jobs/{id}", "/inventory/{id}"}) {
    server.Route("GET", route, [](const Request& r) { return Accepted({{"id", r.PathId("it")}}); });
  }
  server.RouteRaw("GET", "/metrics", [](const Request&) -> Task<HttpResponse> {
    co_return HttpResponse{200, "# nothing\n", "text/plain"};
  });
}

struct Front {
  Front()
      : metrics("async", "fuzz"),
        server(io, metrics, std::chrono::seconds(1), flowbench::ConnectionLimits{}) {
    flowbench::log::Configure("async", "fuzz", flowbench::log::Level::kError);
    AddRoutes(server);
  }
  flowbench::async::net::io_context io;
  flowbench::Metrics metrics;
  HttpServer server;
};

// As the connection loop reads one request: nullopt when the bytes are not one (the loop
// then closes the connection) or the body is over the limit (the loop answers 413).
std::optional<http::request<http::string_body>> ReadRequest(std::string_view bytes) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(flowbench::async::kMaxBodyBytes);
  parser.eager(true);
  boost::beast::error_code error;
  boost::asio::const_buffer rest(bytes.data(), bytes.size());
  while (!parser.is_done() && rest.size() > 0) {
    std::size_t used = parser.put(rest, error);
    rest += used;
    if (error == http::error::need_more) break;  // the input ends inside the message
    if (error) return std::nullopt;
    if (used == 0) break;
  }
  if (!parser.is_done()) {
    if (!parser.got_some()) return std::nullopt;  // closed before a byte: Beast's end_of_stream
    parser.put_eof(error);                        // the peer closed here
    if (error || !parser.is_done()) return std::nullopt;
  }
  return parser.release();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Front front;
  std::optional<http::request<http::string_body>> req =
      ReadRequest(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!req) return 0;

  std::string target(req->target());
  std::size_t question = target.find('?');
  Request request(std::string(req->method_string()), target.substr(0, question),
                  std::move(req->body()),
                  flowbench::ContinueOrStartTrace(std::string((*req)["traceparent"])),
                  std::chrono::system_clock::now(),
                  question == std::string::npos ? std::string() : target.substr(question + 1),
                  flowbench::CleanRequestId((*req)[flowbench::kRequestIdHeader]));

  int status = 0;
  boost::asio::co_spawn(front.io, front.server.Answer(std::move(request)),
                        [&](std::exception_ptr thrown, HttpResponse answer) {
                          if (thrown) std::rethrow_exception(thrown);  // Answer must answer
                          status = answer.status;
                        });
  front.io.restart();
  front.io.run();
  // What a handler that parses a request may answer (CONTRACT §3): never a 500.
  if (status != 202 && status != 200 && status != 400 && status != 404 && status != 405 &&
      status != 422) {
    std::abort();
  }
  return 0;
}
