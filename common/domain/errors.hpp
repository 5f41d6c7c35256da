// Domain errors that a transport turns into a client answer (HTTP 4xx, or a dead-lettered
// message). Anything else that escapes a handler is a server fault (500).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace flowbench {

class ClientError : public std::runtime_error {
 public:
  // status: the HTTP status the sync and async fronts answer with (400, 404, 409, 413, 422).
  // error: a short machine-readable code; detail: a sentence for the human.
  ClientError(int status, std::string error, std::string detail)
      : std::runtime_error(detail),
        status_(status),
        error_(std::move(error)),
        detail_(std::move(detail)) {}

  int status() const { return status_; }
  const std::string& error() const { return error_; }
  const std::string& detail() const { return detail_; }

 private:
  int status_;
  std::string error_;
  std::string detail_;
};

inline ClientError ValidationError(std::string detail) {
  return ClientError(422, "validation_error", std::move(detail));
}
inline ClientError MalformedJson(std::string detail) {
  return ClientError(400, "malformed_json", std::move(detail));
}
inline ClientError NotFound(std::string detail) {
  return ClientError(404, "not_found", std::move(detail));
}
// The one 404 text of both builds for a resource that is not there (or a path id that could
// not name one): "user 42 does not exist".
inline ClientError DoesNotExist(std::string_view what, std::string_view id) {
  return NotFound(std::string(what) + " " + std::string(id) + " does not exist");
}
inline ClientError Conflict(std::string detail) {
  return ClientError(409, "conflict", std::move(detail));
}

}  // namespace flowbench

namespace flowbench {

// A dependency (database, broker, downstream service) cannot serve the request now: the
// fronts answer 503 with this message, quickly, instead of hanging.
class ServiceUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace flowbench
