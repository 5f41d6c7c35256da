// Spans out to a trace viewer (Jaeger, any OpenTelemetry collector): OTLP over HTTP with the
// JSON encoding, POSTed to <endpoint>/v1/traces. Debian has no OpenTelemetry C++ SDK, and
// the protocol's JSON form needs nothing beyond Boost.JSON and cpp-httplib.
//
// The exporter never blocks its caller: Export() puts a finished span on a bounded queue (a
// full queue drops the span and counts it), and a background thread sends the queue in
// batches, every flush interval or as soon as a batch is full. Shutdown() (or the
// destructor) sends what is left.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace flowbench {

// The OTLP SpanKind values.
enum class SpanKind : int {
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};

// One finished span, as it goes out.
struct ExportedSpan {
  std::string trace_id;        // 32 hex digits
  std::string span_id;         // 16 hex digits
  std::string parent_span_id;  // 16 hex digits; empty for a root
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  // Strings, integers, booleans and doubles; anything else is sent as its JSON text.
  boost::json::object attributes;
  bool error = false;  // OTLP status ERROR; otherwise UNSET (the semantic conventions' advice)
  std::string status_message;
};

// {"resourceSpans":[{"resource":{service.name},"scopeSpans":[{"scope":...,"spans":[...]}]}]}:
// the body of one export request (OTLP/JSON: hex ids, 64-bit integers as strings).
boost::json::object EncodeExportRequest(std::string_view service_name,
                                        const std::vector<ExportedSpan>& spans);

struct OtlpExporterOptions {
  std::string endpoint;      // "http://jaeger:4318": spans go to <endpoint>/v1/traces
  std::string service_name;  // the resource's service.name: "sync-order"
  std::size_t queue_capacity = 4096;
  std::size_t max_batch = 512;
  std::chrono::milliseconds flush_interval{500};
  std::chrono::milliseconds timeout{2000};  // connect and read, per POST
};

class OtlpExporter {
 public:
  explicit OtlpExporter(OtlpExporterOptions options);
  ~OtlpExporter();  // Shutdown()
  OtlpExporter(const OtlpExporter&) = delete;
  OtlpExporter& operator=(const OtlpExporter&) = delete;

  // Queues a finished span; false (and counted as dropped) when the queue is full or the
  // exporter is shut down. Never waits for the network.
  bool Export(ExportedSpan span);
  // Sends what is queued and stops the background thread. Idempotent.
  void Shutdown();

  std::uint64_t dropped() const;
  std::uint64_t sent() const;            // spans in POSTs the receiver answered 2xx
  std::uint64_t failed_batches() const;  // POSTs that failed or were refused

 private:
  void Run();
  void Send(const std::vector<ExportedSpan>& batch);

  const OtlpExporterOptions options_;
  std::string base_url_;  // scheme://host:port
  std::string path_;      // /v1/traces, after the endpoint's own path if it has one

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<ExportedSpan> queue_;
  bool stopping_ = false;
  std::uint64_t dropped_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t failed_batches_ = 0;
  std::thread worker_;
};

}  // namespace flowbench
