#include "bench/load/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

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

bool SendsBody(const HttpRequestSpec& spec) {
  return !spec.body.empty() || spec.method == "POST" || spec.method == "PUT";
}

// The request as bytes on the wire, into `out` (cleared; its capacity is kept from one request
// to the next). HTTP/1.1 keeps the connection alive unless told otherwise, so no Connection
// field. The method and target come from our own request factories, never from the network.
// `fixed_fields`: the connection's own header lines, the same on every request.
void SerialiseRequest(const HttpRequestSpec& spec, std::string_view host_field,
                      std::string_view fixed_fields, std::string& out) {
  out.clear();
  out.append(spec.method).append(" ").append(spec.target).append(" HTTP/1.1\r\nHost: ");
  out.append(host_field).append("\r\n").append(fixed_fields);
  if (!spec.request_id.empty()) out.append("X-Request-Id: ").append(spec.request_id).append("\r\n");
  if (SendsBody(spec)) {
    char length[24];
    auto end = std::to_chars(length, length + sizeof length, spec.body.size()).ptr;
    out.append("Content-Type: ").append(spec.content_type).append("\r\nContent-Length: ");
    out.append(length, end).append("\r\n");
  }
  out.append("\r\n").append(spec.body);
}

// Beast's parser with nothing kept but what the load engine looks at: the status, whether the
// server keeps the connection, and the body, appended to a string the connection reuses.
// http::response_parser would also build a header container, one allocation per field, for
// every answer. Chunked bodies, Content-Length and the body limit are still Beast's.
class AnswerParser final : public http::basic_parser<false> {
 public:
  explicit AnswerParser(std::string& body) : body_(body) {
    body_.clear();
    body_limit(kBodyLimit);
  }
  int status() const { return status_; }

 private:
  void on_request_impl(http::verb, beast::string_view, beast::string_view, int,
                       beast::error_code&) override {}  // a response parser is never given one
  void on_response_impl(int code, beast::string_view, int, beast::error_code&) override {
    status_ = code;
  }
  void on_field_impl(http::field, beast::string_view, beast::string_view,
                     beast::error_code&) override {}
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         beast::error_code&) override {
    if (content_length) body_.reserve(static_cast<std::size_t>(*content_length));
  }
  std::size_t on_body_impl(beast::string_view part, beast::error_code&) override {
    body_.append(part.data(), part.size());
    return part.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view part,
                                 beast::error_code&) override {
    body_.append(part.data(), part.size());
    return part.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  std::string& body_;
  int status_ = 0;
};

}  // namespace

struct HttpConnection::Impl {
  Impl(asio::any_io_executor executor, std::string host_name, int port_number,
       std::string_view authorization)
      : resolver(executor),
        stream(executor),
        host(std::move(host_name)),
        port(port_number),
        host_field(host + ":" + std::to_string(port)),
        fixed_fields(authorization.empty()
                         ? std::string()
                         : "Authorization: " + std::string(authorization) + "\r\n") {}

  tcp::resolver resolver;
  beast::tcp_stream stream;
  // Reused by every request on this connection, so that the steady state allocates nothing.
  beast::flat_buffer buffer;  // bytes read and not yet parsed
  std::string request_bytes;  // the request being sent
  std::string body;           // the last answer's body (HttpOutcome::body points here)
  std::string host;
  int port;
  std::string host_field;    // "host:port", the Host field of every request
  std::string fixed_fields;  // "Authorization: ...\r\n" when the connection carries a token
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

  // One exchange on the current connection: `request_bytes` out, one answer in.
  asio::awaitable<boost::system::error_code> Exchange(bool head_request, Duration timeout,
                                                      HttpOutcome& outcome) {
    boost::system::error_code ec;
    stream.expires_after(timeout);  // one deadline for the write and the read
    co_await asio::async_write(stream, asio::buffer(request_bytes),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
    AnswerParser parser(body);
    parser.skip(head_request);  // an answer to HEAD announces a body it does not carry
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
    outcome.status = parser.status();
    outcome.body = body;
    if (!parser.keep_alive()) Close();
    co_return ec;
  }
};

HttpConnection::HttpConnection(asio::any_io_executor executor, std::string host, int port,
                               std::string_view authorization)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(host), port, authorization)) {}
HttpConnection::~HttpConnection() = default;

void HttpConnection::Close() { impl_->Close(); }

asio::awaitable<HttpOutcome> HttpConnection::Send(const HttpRequestSpec& spec, Duration timeout) {
  Impl& c = *impl_;
  SerialiseRequest(spec, c.host_field, c.fixed_fields, c.request_bytes);

  HttpOutcome outcome;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = c.open;
    if (!c.open) {
      boost::system::error_code ec = co_await c.Connect(timeout);
      if (ec) {
        c.Close();
        outcome.transport_error =
            ec == beast::error::timeout ? stats::ErrorKind::kTimeout : stats::ErrorKind::kConnect;
        outcome.error_message =
            "connect to " + c.host + ":" + std::to_string(c.port) + ": " + ec.message();
        co_return outcome;
      }
    }
    boost::system::error_code ec = co_await c.Exchange(spec.method == "HEAD", timeout, outcome);
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
