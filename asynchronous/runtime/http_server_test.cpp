// Unit tests of the async HTTP front without a socket: routing and the mapping of what a
// handler throws to the answer, which must be the sync build's answer for the same failure.
#include "asynchronous/runtime/http_server.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <pqxx/pqxx>

#include "common/telemetry/metrics.hpp"

namespace flowbench::async {
namespace {

// Answers one GET `path` on a server whose only route, "/users/{id}", runs `handler`.
HttpResponse AnswerOne(RequestHandler handler, std::string path) {
  net::io_context io;
  Metrics metrics("async", "test");
  HttpServer server(io, metrics, std::chrono::seconds(1));
  server.Route("GET", "/users/{id}", std::move(handler));
  Request request("GET", std::move(path), "", TraceContext::NewRoot(/*sampled=*/false),
                  std::chrono::system_clock::now());
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
}

}  // namespace
}  // namespace flowbench::async
