#include "common/telemetry/otlp_exporter.hpp"

#include <httplib.h>

#include <stdexcept>

#include "common/telemetry/log.hpp"

namespace flowbench {
namespace {

namespace json = boost::json;

// An OTLP AnyValue. OTLP/JSON writes 64-bit integers as decimal strings.
json::object AnyValue(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return {{"stringValue", value.get_string()}};
    case json::kind::int64:
      return {{"intValue", std::to_string(value.get_int64())}};
    case json::kind::uint64:
      return {{"intValue", std::to_string(value.get_uint64())}};
    case json::kind::bool_:
      return {{"boolValue", value.get_bool()}};
    case json::kind::double_:
      return {{"doubleValue", value.get_double()}};
    default:
      return {{"stringValue", json::serialize(value)}};
  }
}

json::array KeyValues(const json::object& attributes) {
  json::array list;
  list.reserve(attributes.size());
  for (const auto& [key, value] : attributes) {
    list.push_back(json::object{{"key", key}, {"value", AnyValue(value)}});
  }
  return list;
}

json::object EncodeSpan(const ExportedSpan& span) {
  json::object status;
  if (span.error) {
    status["code"] = 2;  // STATUS_CODE_ERROR
    if (!span.status_message.empty()) status["message"] = span.status_message;
  }
  json::object encoded{{"traceId", span.trace_id},
                       {"spanId", span.span_id},
                       {"name", span.name},
                       {"kind", static_cast<int>(span.kind)},
                       {"startTimeUnixNano", std::to_string(span.start_unix_nano)},
                       {"endTimeUnixNano", std::to_string(span.end_unix_nano)},
                       {"attributes", KeyValues(span.attributes)},
                       {"status", std::move(status)}};
  if (!span.parent_span_id.empty()) encoded["parentSpanId"] = span.parent_span_id;
  return encoded;
}

// "http://host:4318/prefix/" -> {"http://host:4318", "/prefix/v1/traces"}
std::pair<std::string, std::string> SplitEndpoint(const std::string& endpoint) {
  std::size_t scheme = endpoint.find("://");
  if (scheme == std::string::npos || endpoint.compare(0, scheme, "http") != 0) {
    throw std::invalid_argument("--otlp-endpoint '" + endpoint +
                                "' is not an http:// URL (e.g. http://localhost:4318)");
  }
  std::size_t path = endpoint.find('/', scheme + 3);
  std::string base = endpoint.substr(0, path);
  std::string prefix = path == std::string::npos ? std::string() : endpoint.substr(path);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {base, prefix + "/v1/traces"};
}

}  // namespace

json::object EncodeExportRequest(std::string_view service_name,
                                 const std::vector<ExportedSpan>& spans) {
  json::array encoded;
  encoded.reserve(spans.size());
  for (const ExportedSpan& span : spans) encoded.push_back(EncodeSpan(span));
  json::object resource{{"attributes", KeyValues(json::object{{"service.name", service_name},
                                                              {"telemetry.sdk.name", "flowbench"},
                                                              {"telemetry.sdk.language", "cpp"}})}};
  json::object scope_spans{{"scope", json::object{{"name", "flowbench"}}},
                           {"spans", std::move(encoded)}};
  json::object resource_spans{{"resource", std::move(resource)},
                              {"scopeSpans", json::array{std::move(scope_spans)}}};
  return {{"resourceSpans", json::array{std::move(resource_spans)}}};
}

OtlpExporter::OtlpExporter(OtlpExporterOptions options) : options_(std::move(options)) {
  std::tie(base_url_, path_) = SplitEndpoint(options_.endpoint);
  worker_ = std::thread([this] { Run(); });
}

OtlpExporter::~OtlpExporter() { Shutdown(); }

bool OtlpExporter::Export(ExportedSpan span) {
  bool first_drop = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.queue_capacity) {
      first_drop = dropped_++ == 0;
    } else {
      queue_.push_back(std::move(span));
      if (queue_.size() >= options_.max_batch) wake_.notify_one();
      return true;
    }
  }
  if (first_drop) {  // once: a full queue under load would otherwise flood the log too
    log::Warn("span export queue full: spans are dropped (counted, told at shutdown)",
              {{"capacity", options_.queue_capacity}, {"endpoint", options_.endpoint}});
  }
  return false;
}

void OtlpExporter::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
  std::lock_guard lock(mutex_);
  if (dropped_ > 0 || failed_batches_ > 0) {
    log::Warn("span export stopped with losses", {{"sent", sent_},
                                                  {"dropped", dropped_},
                                                  {"failed_batches", failed_batches_},
                                                  {"endpoint", options_.endpoint}});
  }
}

std::uint64_t OtlpExporter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}
std::uint64_t OtlpExporter::sent() const {
  std::lock_guard lock(mutex_);
  return sent_;
}
std::uint64_t OtlpExporter::failed_batches() const {
  std::lock_guard lock(mutex_);
  return failed_batches_;
}

void OtlpExporter::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, options_.flush_interval,
                   [this] { return stopping_ || queue_.size() >= options_.max_batch; });
    // Stopping: everything queued goes out, in as many batches as it takes.
    while (!queue_.empty()) {
      std::vector<ExportedSpan> batch;
      std::size_t n = std::min(queue_.size(), options_.max_batch);
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      lock.unlock();  // the network without the lock: Export() never waits for it
      Send(batch);
      lock.lock();
      if (!stopping_ && queue_.size() < options_.max_batch) break;  // wait for more
    }
    if (stopping_ && queue_.empty()) return;
  }
}

void OtlpExporter::Send(const std::vector<ExportedSpan>& batch) {
  std::string body = json::serialize(EncodeExportRequest(options_.service_name, batch));
  httplib::Client client(base_url_);
  client.set_connection_timeout(options_.timeout);
  client.set_read_timeout(options_.timeout);
  client.set_write_timeout(options_.timeout);
  httplib::Result result = client.Post(path_, body, "application/json");
  bool ok = result && result->status >= 200 && result->status < 300;
  bool first_failure = false;
  {
    std::lock_guard lock(mutex_);
    if (ok) {
      sent_ += batch.size();
    } else {
      first_failure = failed_batches_++ == 0;
    }
  }
  if (first_failure) {  // once, like drops: the receiver being away is not news every batch
    log::Warn("span export failed; later failures are counted, told at shutdown",
              {{"endpoint", options_.endpoint},
               {"spans", batch.size()},
               {"error", result ? "HTTP " + std::to_string(result->status) + " " +
                                      result->body.substr(0, 200)
                                : httplib::to_string(result.error())}});
  }
}

}  // namespace flowbench
