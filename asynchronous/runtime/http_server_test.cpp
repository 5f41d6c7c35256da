// Unit tests of the async HTTP front without a socket: routing and the mapping of what a
// handler throws to the answer, which must be the sync build's answer for the same failure;
// query parameters, and a bad /completions cursor answered 400.
#include "asynchronous/runtime/http_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <thread>

#include "common/infra/ports.hpp"
#include "common/telemetry/completion_route.hpp"
#include "common/telemetry/metrics.hpp"

namespace flowbench::async {
namespace {

// Answers one GET `path` (with `query`) on a server whose only route, `route`, runs `handler`.
HttpResponse AnswerOne(RequestHandler handler, std::string path, std::string query = {},
                       std::string route = "/users/{id}") {
  net::io_context io;
  Metrics metrics("async", "test");
  HttpServer server(io, metrics, std::chrono::seconds(1), ConnectionLimits{});
  server.Route("GET", std::move(route), std::move(handler));
  Request request("GET", std::move(path), "", TraceContext::NewRoot(/*sampled=*/false),
                  std::chrono::system_clock::now(), std::move(query));
  std::optional<HttpResponse> answer;
  net::co_spawn(
      io, [&]() -> Task<void> { answer = co_await server.Answer(std::move(request)); },
      net::detached);
  io.run();
  return answer.value();
}

boost::json::object Body(const HttpResponse& response) {
  return boost::json::parse(response.body).as_object();
}

TEST(HttpServer, AnswersALostDatabaseWith503LikeTheSyncBuild) {
  HttpResponse answer = AnswerOne(
      [](const Request&) -> Task<Reply> {
        throw pqxx::broken_connection("server closed the connection unexpectedly");
        co_return Reply{};
      },
      "/users/1");
  EXPECT_EQ(answer.status, 503) << answer.body;
  EXPECT_EQ(Body(answer).at("error"), "service_unavailable") << answer.body;
  EXPECT_EQ(Body(answer).at("detail"), "database unreachable") << answer.body;
}

TEST(HttpServer, AnswersAnUnexpectedFailureWith500) {
  HttpResponse answer = AnswerOne(
      [](const Request&) -> Task<Reply> {
        throw std::logic_error("a bug");
        co_return Reply{};
      },
      "/users/1");
  EXPECT_EQ(answer.status, 500) << answer.body;
  EXPECT_EQ(Body(answer).at("error"), "internal_error") << answer.body;
  // What was thrown goes to the log; the client gets the trace id to quote.
  EXPECT_EQ(answer.body.find("a bug"), std::string::npos) << answer.body;
  EXPECT_TRUE(Body(answer).contains("trace_id")) << answer.body;
}

TEST(Request, ReadsQueryParametersAsWritten) {
  Request request("GET", "/completions", "", TraceContext::NewRoot(false),
                  std::chrono::system_clock::now(), "after=12&limit=&flag", "run-1");
  EXPECT_EQ(request.Query("after"), "12");
  EXPECT_EQ(request.Query("limit"), "");
  EXPECT_EQ(request.Query("flag"), "");
  EXPECT_EQ(request.Query("missing"), std::nullopt);
  EXPECT_EQ(request.Query("aft"), std::nullopt);
  EXPECT_EQ(request.request_id(), "run-1");
}

// The runtime's GET /completions parses its query this way (asynchronous/runtime/service.cpp).
RequestHandler CompletionsRoute(const CompletionLog& log) {
  return [&log](const Request& request) -> Task<Reply> {
    CompletionQuery query = ParseCompletionQuery(request.Query("after"), request.Query("limit"));
    co_return Reply{200, CompletionsBody(log, query)};
  };
}

TEST(HttpServer, AnswersABadCompletionsCursorWith400) {
  CompletionLog log(4);
  for (std::string query : {"after=abc", "after=-1", "limit=x", "after="}) {
    HttpResponse answer = AnswerOne(CompletionsRoute(log), "/completions", query, "/completions");
    EXPECT_EQ(answer.status, 400) << query << ": " << answer.body;
    EXPECT_EQ(Body(answer).at("error"), "bad_request") << answer.body;
    EXPECT_TRUE(Body(answer).contains("detail")) << answer.body;
  }
  log.Record("r1", "scenario1", WorkOutcome::kDone);
  HttpResponse page = AnswerOne(CompletionsRoute(log), "/completions", "after=0", "/completions");
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(Body(page).at("records").as_array().size(), 1u) << page.body;
  EXPECT_TRUE(Body(page).contains("now_unix_ns")) << page.body;
}

// Everything the server sends on `socket` until it closes the connection, or "<timeout>"
// appended when it has not closed it within 3 s.
std::string ReadToEnd(net::ip::tcp::socket& socket) {
  timeval limit{3, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string received;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::recv(socket.native_handle(), chunk, sizeof chunk, 0);
    if (n == 0) return received;
    if (n < 0) return received + "<timeout>";
    received.append(chunk, static_cast<std::size_t>(n));
  }
}

TEST(HttpServer, WhenDrainingAnswersInFlightRequestsWithConnectionCloseAndClosesIdleOnes) {
  net::io_context io;
  Metrics metrics("async", "test");
  HttpServer server(io, metrics, std::chrono::seconds(30), ConnectionLimits{});
  server.Route("GET", "/slow", [](const Request&) -> Task<Reply> {
    co_await Wait(std::chrono::milliseconds(300));
    co_return Reply{200, {{"ok", true}}};
  });
  int port = infra::FindFreePort();
  server.Listen("127.0.0.1", port);
  std::thread loop([&io] { io.run_for(std::chrono::seconds(5)); });

  net::io_context client;
  net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"),
                                  static_cast<unsigned short>(port));
  net::ip::tcp::socket idle(client), busy(client);
  idle.connect(endpoint);  // keep-alive, no request yet
  busy.connect(endpoint);
  net::write(busy, net::buffer(std::string("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the request is in flight
  net::post(io, [&server] { server.StopAccepting(); });

  auto started = std::chrono::steady_clock::now();
  std::string idle_received = ReadToEnd(idle);
  EXPECT_EQ(idle_received, "");  // closed without an answer, at once
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  std::string answer = ReadToEnd(busy);  // ends: the server closed after answering
  EXPECT_NE(answer.find("200 OK"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  io.stop();
  loop.join();
}

}  // namespace
}  // namespace flowbench::async
