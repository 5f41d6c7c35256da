#include "gateway/upstream_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <unordered_map>

namespace flowbench::gateway {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kAsTuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t kMaxResponseBytes = 64 * 1024 * 1024;
using Clock = std::chrono::steady_clock;

struct Idle {
  std::unique_ptr<beast::tcp_stream> stream;
  Clock::time_point since;
};

// The service closed a kept-alive connection before it read our request: nothing of the
// answer arrived, so the request can be sent again on a new connection.
bool ClosedBeforeAnswer(const boost::system::error_code& error) {
  return error == http::error::end_of_stream || error == net::error::eof ||
         error == net::error::connection_reset || error == net::error::broken_pipe;
}

}  // namespace

struct UpstreamPool::Impl {
  Impl(net::io_context& io, UpstreamSettings settings) : io(io), settings(settings) {}

  net::io_context& io;
  UpstreamSettings settings;
  std::unordered_map<std::string, std::vector<Idle>> idle;  // by URL, the most recent last

  std::unique_ptr<beast::tcp_stream> TakeIdle(const std::string& url) {
    std::vector<Idle>& list = idle[url];
    while (!list.empty()) {
      Idle last = std::move(list.back());
      list.pop_back();
      if (Clock::now() - last.since < settings.max_idle) return std::move(last.stream);
    }
    return nullptr;
  }

  void PutIdle(const std::string& url, std::unique_ptr<beast::tcp_stream> stream) {
    std::vector<Idle>& list = idle[url];
    if (static_cast<int>(list.size()) >= settings.idle_per_service) {
      list.erase(list.begin());  // the oldest goes
    }
    list.push_back({std::move(stream), Clock::now()});
  }

  // A new connection, or the reason there is none ("connect", "connect_timeout").
  Task<std::pair<std::unique_ptr<beast::tcp_stream>, std::string>> Connect(
      const UpstreamAddress& address) {
    tcp::resolver resolver(io);
    auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(address.host, std::to_string(address.port), kAsTuple);
    if (resolve_error) co_return std::pair{nullptr, std::string("connect")};
    auto stream = std::make_unique<beast::tcp_stream>(io);
    stream->expires_after(settings.timeout);
    auto [connect_error, endpoint] = co_await stream->async_connect(endpoints, kAsTuple);
    if (connect_error) {
      co_return std::pair{
          nullptr,
          std::string(connect_error == beast::error::timeout ? "connect_timeout" : "connect")};
    }
    boost::system::error_code ignored;
    stream->socket().set_option(tcp::no_delay(true), ignored);
    co_return std::pair{std::move(stream), std::string()};
  }
};

UpstreamPool::UpstreamPool(net::io_context& io, UpstreamSettings settings)
    : impl_(std::make_unique<Impl>(io, settings)) {}

UpstreamPool::~UpstreamPool() = default;

int UpstreamPool::IdleConnections() const {
  int count = 0;
  for (const auto& [url, list] : impl_->idle) count += static_cast<int>(list.size());
  return count;
}

Task<UpstreamResponse> UpstreamPool::Send(const UpstreamAddress& address,
                                          const UpstreamRequest& request) {
  const std::string url = address.Url();
  http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
  req.method_string(request.method);  // also a method Beast has no verb for
  req.set(http::field::host, address.host + ":" + std::to_string(address.port));
  for (const auto& [name, value] : request.headers) req.set(name, value);
  req.keep_alive(true);
  req.body() = request.body;
  req.prepare_payload();

  for (;;) {
    std::unique_ptr<beast::tcp_stream> stream = impl_->TakeIdle(url);
    bool reused = stream != nullptr;
    if (!reused) {
      auto [fresh, failure] = co_await impl_->Connect(address);
      if (!fresh) co_return UpstreamResponse{0, failure, {}, {}, {}};
      stream = std::move(fresh);
    }
    stream->expires_after(impl_->settings.timeout);
    auto [write_error, written] = co_await http::async_write(*stream, req, kAsTuple);
    if (write_error) {
      if (reused && ClosedBeforeAnswer(write_error)) continue;
      co_return UpstreamResponse{
          0, write_error == beast::error::timeout ? "timeout" : "write", {}, {}, {}};
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    auto [read_error, read] = co_await http::async_read(*stream, buffer, parser, kAsTuple);
    if (read_error) {
      if (reused && ClosedBeforeAnswer(read_error) && !parser.got_some()) continue;
      co_return UpstreamResponse{
          0, read_error == beast::error::timeout ? "timeout" : "read", {}, {}, {}};
    }
    http::response<http::string_body> res = parser.release();
    UpstreamResponse answer{static_cast<int>(res.result_int()),
                            {},
                            std::move(res.body()),
                            std::string(res[http::field::content_type]),
                            std::string(res[http::field::retry_after])};
    // A connection with unread bytes after the answer cannot be reused safely.
    if (res.keep_alive() && buffer.size() == 0) {
      stream->expires_never();
      impl_->PutIdle(url, std::move(stream));
    }
    co_return answer;
  }
}

}  // namespace flowbench::gateway
