// The one place that turns whatever a handler threw into the answer the client sees:
// a ClientError its own status, ServiceUnavailable (and a lost database) 503, anything else
// 500, always as {"error": "...", "detail": "..."}. Transport-free, so any front can use it.
#pragma once

#include <boost/json.hpp>
#include <exception>
#include <string_view>

namespace flowbench::sync {

struct ErrorReply {
  int status = 500;
  boost::json::object body;   // {"error", "detail"}
  bool server_fault = false;  // a bug or an unexpected failure: log it, count it
};

boost::json::object ErrorBody(std::string_view error, std::string_view detail);

ErrorReply ToErrorReply(std::exception_ptr error);

}  // namespace flowbench::sync
