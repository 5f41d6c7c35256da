// The trivial endpoint of the driver-vs-wrk benchmark: one thread, HTTP/1.1 keep-alive,
// `GET /` answered with a tiny fixed body. It does as little as a Beast server can, so that
// when wrk and our load engine drive it in turn the difference measured is the client's.
//
//   trivial_server <port>    (0: any free port; the bound port is printed on stdout)
//
// Stops on SIGTERM or SIGINT.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string_view>

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
asio::awaitable<void> Serve(tcp::socket socket) {
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
    stream.expires_after(kIdleTimeout);
    auto [write_error, written] = co_await http::async_write(stream, response, kAsTuple);
    if (write_error || !response.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> Accept(tcp::acceptor& acceptor) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(kAsTuple);
    if (error) {
      if (!acceptor.is_open()) co_return;  // stopping
      continue;  // e.g. too many open files: keep serving the connections we have
    }
    asio::co_spawn(acceptor.get_executor(), Serve(std::move(socket)), asio::detached);
  }
}

bool ParsePort(std::string_view text, unsigned short& port) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  if (argc != 2 || !ParsePort(argv[1], port)) {
    std::fprintf(stderr, "usage: %s <port>   (0: any free port)\n", argv[0]);
    return 2;
  }
  asio::io_context io(1);  // one thread: the server the benchmark's reference figure used
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    io.stop();
  });
  asio::co_spawn(io, Accept(acceptor), asio::detached);
  std::printf("listening on 127.0.0.1:%u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  io.run();
  return 0;
}
