#include "bench/load/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace flowbench::load {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr std::uint64_t kBodyLimit = 16 << 20;

bool ServerClosedIdleConnection(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}
}  // namespace

struct HttpConnection::Impl {
  Impl(asio::any_io_executor executor, std::string host_name, int port_number)
      : resolver(executor), stream(executor), host(std::move(host_name)), port(port_number) {}

  tcp::resolver resolver;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::string host;
  int port;
  std::optional<tcp::endpoint> endpoint;
  bool open = false;

  void Close() {
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
    buffer.clear();
    open = false;
  }

  asio::awaitable<boost::system::error_code> Connect(Duration timeout) {
    boost::system::error_code ec;
    if (!endpoint) {
      auto results = co_await resolver.async_resolve(host, std::to_string(port),
                                                     asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return ec;
      endpoint = results.begin()->endpoint();
    }
    stream.expires_after(timeout);
    co_await stream.async_connect(*endpoint, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
    stream.socket().set_option(tcp::no_delay(true), ec);  // Nagle + delayed ACK cost 40 ms
    open = !ec;
    co_return ec;
  }

  // One exchange on the current connection; `sent_anything_back` tells a stale connection
  // (nothing came back at all) from a failure mid-answer.
  asio::awaitable<boost::system::error_code> Exchange(const http::request<http::string_body>& request,
                                                      Duration timeout, HttpOutcome& outcome) {
    boost::system::error_code ec;
    stream.expires_after(timeout);
    co_await http::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
    http::response<http::string_body>& response = parser.get();
    outcome.status = static_cast<int>(response.result_int());
    outcome.body = std::move(response.body());
    if (!response.keep_alive()) Close();
    co_return ec;
  }
};

HttpConnection::HttpConnection(asio::any_io_executor executor, std::string host, int port)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(host), port)) {}
HttpConnection::~HttpConnection() = default;

void HttpConnection::Close() { impl_->Close(); }

asio::awaitable<HttpOutcome> HttpConnection::Send(const HttpRequestSpec& spec, Duration timeout) {
  Impl& c = *impl_;
  http::request<http::string_body> request{http::string_to_verb(spec.method), spec.target, 11};
  request.set(http::field::host, c.host + ":" + std::to_string(c.port));
  request.keep_alive(true);
  if (!spec.body.empty() || spec.method == "POST" || spec.method == "PUT") {
    request.set(http::field::content_type, spec.content_type);
    request.body() = spec.body;
  }
  request.prepare_payload();

  HttpOutcome outcome;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = c.open;
    if (!c.open) {
      boost::system::error_code ec = co_await c.Connect(timeout);
      if (ec) {
        c.Close();
        outcome.transport_error =
            ec == beast::error::timeout ? stats::ErrorKind::kTimeout : stats::ErrorKind::kConnect;
        outcome.error_message = "connect to " + c.host + ":" + std::to_string(c.port) + ": " + ec.message();
        co_return outcome;
      }
    }
    boost::system::error_code ec = co_await c.Exchange(request, timeout, outcome);
    if (!ec) co_return outcome;
    c.Close();
    if (reused && attempt == 0 && ServerClosedIdleConnection(ec)) continue;
    outcome.transport_error =
        ec == beast::error::timeout ? stats::ErrorKind::kTimeout : stats::ErrorKind::kConnect;
    outcome.error_message = spec.method + " " + spec.target + ": " + ec.message();
    co_return outcome;
  }
  co_return outcome;
}

}  // namespace flowbench::load
