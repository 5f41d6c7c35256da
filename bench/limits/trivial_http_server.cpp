#include "bench/limits/trivial_http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string_view>

namespace flowbench::limits {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kIdleTimeout = 30s;  // a keep-alive connection may wait this long between requests
constexpr std::uint64_t kBodyLimit = 4096;  // GET / carries no body; anything big is not ours
constexpr std::string_view kBody = R"({"status":"ok"})";

http::response<http::string_body> Answer(const http::request<http::string_body>& request) {
  const bool ours = request.method() == http::verb::get && request.target() == "/";
  http::response<http::string_body> response{ours ? http::status::ok : http::status::not_found,
                                             request.version()};
  response.set(http::field::content_type, "application/json");
  response.keep_alive(request.keep_alive());
  if (ours) response.body() = kBody;
  response.prepare_payload();
  return response;
}

// One connection, read top to bottom: request, answer, until the client closes, idles too
// long, sends something that is not HTTP, or asks to close.
asio::awaitable<void> Serve(tcp::socket socket, std::atomic<std::uint64_t>& answered) {
  beast::tcp_stream stream(std::move(socket));
  boost::system::error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);  // Nagle + delayed ACK: 40 ms
  beast::flat_buffer buffer;  // reused for every request of the connection
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    stream.expires_after(kIdleTimeout);
    auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kAsTuple);
    if (read_error) break;
    http::response<http::string_body> response = Answer(parser.get());
    answered.fetch_add(1, std::memory_order_relaxed);  // before the client can have it
    stream.expires_after(kIdleTimeout);
    auto [write_error, written] = co_await http::async_write(stream, response, kAsTuple);
    if (write_error || !response.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor, std::atomic<std::uint64_t>& answered) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(kAsTuple);
    if (error) {
      if (!acceptor.is_open()) co_return;  // stopping
      continue;  // e.g. too many open files: keep serving the connections we have
    }
    asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket), answered), asio::detached);
  }
}

}  // namespace

struct TrivialHttpServer::Io {
  asio::io_context context{1};  // one thread: the server the reference figure used
  tcp::acceptor acceptor{context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
};

TrivialHttpServer::TrivialHttpServer() : io_(std::make_unique<Io>()) {
  port_ = io_->acceptor.local_endpoint().port();
  asio::co_spawn(io_->context, Accept(io_->acceptor, answered_), asio::detached);
  thread_ = std::thread([this] { io_->context.run(); });
}

TrivialHttpServer::~TrivialHttpServer() {
  // Stopped, not drained: the connections' coroutines are destroyed with the io_context,
  // which closes their sockets.
  io_->context.stop();
  thread_.join();
}

}  // namespace flowbench::limits
