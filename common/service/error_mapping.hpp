// The one place that turns whatever a handler threw into the answer the client sees, in both
// builds: a ClientError its own status, ServiceUnavailable and a lost or too slow database
// 503, anything else 500 (whose detail is a fixed sentence: what was thrown is only logged),
// always as {"error": "...", "detail": "..."}. Transport-free: the
// sync front (cpp-httplib) and the async front (Beast) both answer with it.
#pragma once

#include <boost/json.hpp>
#include <exception>
#include <string>
#include <string_view>

#include "common/service/reply.hpp"

namespace flowbench {

struct ErrorReply {
  Reply reply;                // {"error", "detail"}
  bool server_fault = false;  // a bug or an unexpected failure: log it, count it
  std::string cause;          // what was thrown, driver text included: for logs, never the body
};

boost::json::object ErrorBody(std::string_view error, std::string_view detail);

ErrorReply ToErrorReply(std::exception_ptr error);

}  // namespace flowbench
