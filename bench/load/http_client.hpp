// One keep-alive HTTP/1.1 connection, as one virtual user holds it (Beast, C++20
// coroutines). Beast stays inside http_client.cpp: this header costs callers nothing.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bench/load/load_plan.hpp"

namespace flowbench::load {

struct HttpOutcome {
  std::optional<stats::ErrorKind> transport_error;  // kConnect or kTimeout: no answer at all
  std::string error_message;                        // for logs and tests
  int status = 0;
  // Points into the connection's own buffer, reused for every answer (no allocation per
  // request): valid until the next Send() on the same connection.
  std::string_view body;
};

class HttpConnection {
 public:
  // `authorization` non-empty: sent as the Authorization field of every request (a gateway's
  // "Bearer <token>": one virtual user, one identity).
  HttpConnection(boost::asio::any_io_executor executor, std::string host, int port,
                 std::string_view authorization = {});
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends on the open connection (connecting first when there is none). A reused connection
  // that the server had closed meanwhile is reopened and the request sent once more, so an
  // idle keep-alive timeout is not miscounted as an error. Never throws for I/O errors.
  boost::asio::awaitable<HttpOutcome> Send(const HttpRequestSpec& request, Duration timeout);
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowbench::load
