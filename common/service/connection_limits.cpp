#include "common/service/connection_limits.hpp"

#include <CLI/CLI.hpp>
#include <cstdint>

#include "common/service/error_mapping.hpp"

namespace flowbench {

void BindConnectionLimits(CLI::App& app, ConnectionLimits& limits, const char* group) {
  app.add_option("--max-connections", limits.max_connections,
                 "connections open at once; past it a new one is answered 503 and closed")
      ->envname("FLOWBENCH_MAX_CONNECTIONS")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str()
      ->group(group);
  app.add_option_function<std::int64_t>(
         "--request-deadline-ms",
         [&limits](std::int64_t ms) { limits.request_deadline = std::chrono::milliseconds(ms); },
         "a request (head and body) must arrive within this from its first byte")
      ->envname("FLOWBENCH_REQUEST_DEADLINE_MS")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{3'600'000}))
      ->default_str(std::to_string(limits.request_deadline.count()))
      ->group(group);
}

void AddToJson(boost::json::object& transport, const ConnectionLimits& limits) {
  transport["max_connections"] = limits.max_connections;
  transport["request_deadline_ms"] = limits.request_deadline.count();
}

const std::string& ConnectionCapAnswer() {
  static const std::string kAnswer = [] {
    std::string body = boost::json::serialize(
        ErrorBody("service_unavailable", "too many connections; try again later"));
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  }();
  return kAnswer;
}

}  // namespace flowbench
