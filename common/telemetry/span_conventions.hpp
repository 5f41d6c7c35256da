// Names and attributes of the spans both builds export, after OpenTelemetry's semantic
// conventions for HTTP (https://opentelemetry.io/docs/specs/semconv/http/http-spans/) and
// messaging (.../messaging/rabbitmq/), in one place so that the twins describe the same
// hop the same way. Each call does nothing on a Span that is not recording.
#pragma once

#include <string_view>

#include "common/telemetry/tracing.hpp"

namespace flowbench {

// SERVER: "POST /create_order" ({method} {route}); http.request.method, http.route,
// url.path, http.response.status_code; status ERROR for a 5xx.
void DescribeHttpServerSpan(Span& span, std::string_view method, std::string_view route,
                            std::string_view path, int status);

// CLIENT, a call to a peer service: "POST /reserve"; http.request.method, url.full,
// server.address, server.port, peer.service, http.request.resend_count (a retry), then
// the answer's status (ERROR for a 5xx) or the transport error (error.type).
void DescribeHttpClientSpan(Span& span, std::string_view method, std::string_view peer,
                            std::string_view base_url, std::string_view path, int attempt);
void EndHttpClientSpan(Span& span, int status);
void FailHttpClientSpan(Span& span, std::string_view error_type, std::string_view detail);

// PRODUCER: "<exchange or queue> publish"; messaging.system=rabbitmq,
// messaging.destination.name, messaging.operation.type=publish,
// messaging.rabbitmq.destination.routing_key, messaging.message.id.
void DescribePublishSpan(Span& span, std::string_view exchange, std::string_view routing_key,
                         std::string_view message_id, std::string_view event_type);

// CONSUMER: "<queue> process"; messaging.system, messaging.destination.name (the queue),
// messaging.operation.type=process, messaging.message.id; the outcome when it ends.
void DescribeProcessSpan(Span& span, std::string_view queue, std::string_view message_id,
                         std::string_view event_type, int attempt);

}  // namespace flowbench
