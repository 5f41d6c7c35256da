#include "common/telemetry/tracing.hpp"

#include <atomic>
#include <mutex>

#include "common/telemetry/log.hpp"

namespace flowbench {
namespace {

// Set once in main before any request is served, reset after the last one: the atomic
// flag is what the hot path reads, the exporter itself only when it is set.
std::atomic<bool> g_enabled{false};
std::mutex g_mutex;
std::unique_ptr<OtlpExporter> g_exporter;
// Every span this process dropped, across exporters (one per StartSpanExport): /metrics
// serves it as a counter, which must never go down.
std::atomic<std::uint64_t> g_spans_dropped{0};

}  // namespace

void StartSpanExport(OtlpExporterOptions options) {
  std::lock_guard lock(g_mutex);
  g_exporter = std::make_unique<OtlpExporter>(std::move(options));
  g_enabled.store(true, std::memory_order_release);
}

void StopSpanExport() {
  std::unique_ptr<OtlpExporter> exporter;
  {
    std::lock_guard lock(g_mutex);
    g_enabled.store(false, std::memory_order_release);
    exporter = std::move(g_exporter);
  }
  if (exporter) exporter->Shutdown();
}

SpanExportScope::SpanExportScope(const std::string& endpoint, std::string service_name) {
  if (endpoint.empty()) return;
  StartSpanExport({endpoint, std::move(service_name)});
  log::Info("exporting the spans of sampled traces over OTLP",
            {{"endpoint", endpoint + "/v1/traces"}});
}

SpanExportScope::~SpanExportScope() { StopSpanExport(); }

std::uint64_t SpansDropped() { return g_spans_dropped.load(std::memory_order_relaxed); }

bool SpanExportEnabled() { return g_enabled.load(std::memory_order_relaxed); }

ReceivedTrace ReceiveTrace(std::string_view traceparent_header) {
  if (std::optional<TraceContext> incoming = ParseTraceparent(traceparent_header)) {
    ReceivedTrace received{incoming->NewChild(), {}};
    if (incoming->Sampled()) received.sender_span_id = std::move(incoming->parent_id);
    return received;
  }
  return {TraceContext::NewRoot(/*sampled=*/false), {}};
}

std::uint64_t UnixNanosNow() { return UnixNanos(std::chrono::system_clock::now()); }

std::uint64_t UnixNanos(std::chrono::system_clock::time_point at) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count());
}

Span::Span(const TraceContext& self, std::string_view parent_span_id, SpanKind kind) {
  if (!self.Sampled() || !SpanExportEnabled()) return;
  span_ = std::make_unique<ExportedSpan>();
  span_->trace_id = self.trace_id;
  span_->span_id = self.parent_id;
  span_->parent_span_id = parent_span_id;
  span_->kind = kind;
  span_->start_unix_nano = UnixNanosNow();
}

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    End();
    span_ = std::move(other.span_);
  }
  return *this;
}

void Span::SetName(std::string name) {
  if (span_) span_->name = std::move(name);
}

void Span::Set(std::string_view key, std::string_view value) {
  if (span_) span_->attributes[key] = value;
}

void Span::Set(std::string_view key, std::int64_t value) {
  if (span_) span_->attributes[key] = value;
}

void Span::SetError(std::string_view message) {
  if (!span_) return;
  span_->error = true;
  span_->status_message = message;
}

void Span::SetStart(std::uint64_t unix_nano) {
  if (span_) span_->start_unix_nano = unix_nano;
}

void Span::End() {
  if (!span_) return;
  span_->end_unix_nano = UnixNanosNow();
  std::lock_guard lock(g_mutex);  // StopSpanExport may be taking the exporter away
  if (g_exporter && !g_exporter->Export(std::move(*span_))) {
    g_spans_dropped.fetch_add(1, std::memory_order_relaxed);
  }
  span_.reset();
}

}  // namespace flowbench
