// Real spans (OpenTelemetry's model: a trace id, a span id, the parent's span id, a kind,
// start and end times, attributes), exported over OTLP when the process was started with
// --otlp-endpoint. Beside them, the demo's span log lines (span.hpp) go on as before.
//
// Only sampled traces (W3C flag 01, set by `flowbench demo`, a test or a traced client)
// are recorded: benchmark load carries no traceparent, so its requests never build a span.
// With export off (the default), a Span is a null pointer and one relaxed atomic load.
//
// The span ids are the W3C ids the services already propagate: a service's TraceContext
// for a request or message has its own span id in `parent_id` (what it sends on as the
// parent), and the id of the span that sent it (the caller's client or publish span) is
// kept beside it (ReceivedTrace), so every span can name its parent.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/telemetry/otlp_exporter.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench {

// In main, once: from now on this process's sampled spans go to options.endpoint.
void StartSpanExport(OtlpExporterOptions options);
// Sends what is queued and stops exporting (before exit). Nothing when export is off.
void StopSpanExport();
bool SpanExportEnabled();
// Spans this process ended but did not export because the exporter's bounded queue was full
// (or it was stopping): flowbench_otlp_spans_dropped_total on every /metrics.
std::uint64_t SpansDropped();

// main()'s span export: on for the scope when `endpoint` is not empty (the --otlp-endpoint
// flag), flushed when the scope ends, so the last request's spans leave with the process.
class SpanExportScope {
 public:
  SpanExportScope(const std::string& endpoint, std::string service_name);
  ~SpanExportScope();
  SpanExportScope(const SpanExportScope&) = delete;
  SpanExportScope& operator=(const SpanExportScope&) = delete;
};

// An incoming request's or message's trace: its own context (a child of the traceparent,
// or a new unsampled root) and, for a sampled trace, the span id of the sender (the parent
// of the span this service records for it; empty otherwise).
struct ReceivedTrace {
  TraceContext trace;
  std::string sender_span_id;
};
ReceivedTrace ReceiveTrace(std::string_view traceparent_header);

std::uint64_t UnixNanosNow();
std::uint64_t UnixNanos(std::chrono::system_clock::time_point at);

// One span being recorded: started when made, exported when ended (End() or destruction).
// Not recording (every call a no-op) unless the trace is sampled and export is on; a
// caller builds names and attributes only `if (span)`.
class Span {
 public:
  Span() = default;
  // The span `self.parent_id` of `self.trace_id`, child of `parent_span_id` (empty: root).
  Span(const TraceContext& self, std::string_view parent_span_id, SpanKind kind);
  Span(Span&&) noexcept = default;
  Span& operator=(Span&&) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;
  ~Span() { End(); }

  explicit operator bool() const { return span_ != nullptr; }

  void SetName(std::string name);
  void Set(std::string_view key, std::string_view value);
  void Set(std::string_view key, const char* value) { Set(key, std::string_view(value)); }
  void Set(std::string_view key, std::int64_t value);
  void SetError(std::string_view message);
  void SetStart(std::uint64_t unix_nano);  // when it began before the Span was made
  void End();

 private:
  std::unique_ptr<ExportedSpan> span_;
};

}  // namespace flowbench
