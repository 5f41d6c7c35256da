#include "common/telemetry/span_conventions.hpp"

#include <string>

namespace flowbench {
namespace {

// "http://127.0.0.1:8010" -> {"127.0.0.1", 8010}
std::pair<std::string_view, int> HostAndPort(std::string_view base_url) {
  std::size_t scheme = base_url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? base_url : base_url.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return {rest, 80};
  int port = 0;
  for (char c : rest.substr(colon + 1)) {
    if (c < '0' || c > '9') return {rest, 80};
    port = port * 10 + (c - '0');
  }
  return {rest.substr(0, colon), port};
}

}  // namespace

void DescribeHttpServerSpan(Span& span, std::string_view method, std::string_view route,
                            std::string_view path, int status) {
  if (!span) return;
  span.SetName(std::string(method) + " " + std::string(route));
  span.Set("http.request.method", method);
  span.Set("http.route", route);
  span.Set("url.path", path);
  span.Set("http.response.status_code", status);
  if (status >= 500) span.SetError("HTTP " + std::to_string(status));
}

void DescribeHttpClientSpan(Span& span, std::string_view method, std::string_view peer,
                            std::string_view base_url, std::string_view path, int attempt) {
  if (!span) return;
  auto [host, port] = HostAndPort(base_url);
  span.SetName(std::string(method) + " " + std::string(path));
  span.Set("http.request.method", method);
  span.Set("url.full", std::string(base_url) + std::string(path));
  span.Set("server.address", host);
  span.Set("server.port", port);
  span.Set("peer.service", peer);
  if (attempt > 1) span.Set("http.request.resend_count", attempt - 1);
}

void EndHttpClientSpan(Span& span, int status) {
  if (!span) return;
  span.Set("http.response.status_code", status);
  if (status >= 500) span.SetError("HTTP " + std::to_string(status));
}

void FailHttpClientSpan(Span& span, std::string_view error_type, std::string_view detail) {
  if (!span) return;
  span.Set("error.type", error_type);
  span.SetError(detail);
}

void DescribePublishSpan(Span& span, std::string_view exchange, std::string_view routing_key,
                         std::string_view message_id, std::string_view event_type) {
  if (!span) return;
  std::string_view destination = exchange.empty() ? routing_key : exchange;
  span.SetName(std::string(destination) + " publish");
  span.Set("messaging.system", "rabbitmq");
  span.Set("messaging.destination.name", destination);
  span.Set("messaging.operation.type", "publish");
  span.Set("messaging.operation.name", "publish");
  if (!routing_key.empty()) span.Set("messaging.rabbitmq.destination.routing_key", routing_key);
  span.Set("messaging.message.id", message_id);
  span.Set("flowbench.event.type", event_type);
}

void DescribeProcessSpan(Span& span, std::string_view queue, std::string_view message_id,
                         std::string_view event_type, int attempt) {
  if (!span) return;
  span.SetName(std::string(queue) + " process");
  span.Set("messaging.system", "rabbitmq");
  span.Set("messaging.destination.name", queue);
  span.Set("messaging.operation.type", "process");
  span.Set("messaging.operation.name", "process");
  span.Set("messaging.message.id", message_id);
  span.Set("flowbench.event.type", event_type);
  if (attempt > 0) span.Set("flowbench.attempt", attempt);
}

}  // namespace flowbench
