#include "common/infra/testing/otlp_receiver.hpp"

#include <stdexcept>

namespace flowbench::testing {
namespace {

namespace json = boost::json;

json::value ValueOf(const json::object& any_value) {
  for (const auto& [type, value] : any_value) {
    (void)type;
    return value;
  }
  return nullptr;
}

std::uint64_t Nanos(const json::object& span, std::string_view key) {
  const json::value* v = span.if_contains(key);
  return v && v->is_string() ? std::stoull(std::string(v->get_string())) : 0;
}

std::string StringAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

OtlpReceiver::OtlpReceiver() {
  server_.Post("/v1/traces", [this](const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mutex_);
    ++started_;
    released_.wait(lock, [this] { return !held_; });
    json::value body = json::parse(req.body);
    bodies_.push_back(body.as_object());
    res.set_content("{}", "application/json");
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("the OTLP receiver could not bind a port");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

OtlpReceiver::~OtlpReceiver() {
  Release();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string OtlpReceiver::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<json::object> OtlpReceiver::Bodies() const {
  std::lock_guard lock(mutex_);
  return bodies_;
}

std::vector<ReceivedSpan> OtlpReceiver::Spans() const {
  std::vector<ReceivedSpan> spans;
  for (const json::object& body : Bodies()) {
    for (const json::value& rs : body.at("resourceSpans").as_array()) {
      std::string service;
      for (const json::value& kv : rs.at("resource").at("attributes").as_array()) {
        if (kv.at("key") == "service.name") {
          service = json::value_to<std::string>(kv.at("value").at("stringValue"));
        }
      }
      for (const json::value& ss : rs.at("scopeSpans").as_array()) {
        for (const json::value& s : ss.at("spans").as_array()) {
          const json::object& span = s.as_object();
          ReceivedSpan r{service,
                         StringAt(span, "traceId"),
                         StringAt(span, "spanId"),
                         StringAt(span, "parentSpanId"),
                         StringAt(span, "name"),
                         static_cast<int>(span.at("kind").as_int64()),
                         Nanos(span, "startTimeUnixNano"),
                         Nanos(span, "endTimeUnixNano"),
                         {},
                         0};
          for (const json::value& kv : span.at("attributes").as_array()) {
            r.attributes[kv.at("key").as_string()] = ValueOf(kv.at("value").as_object());
          }
          if (const json::value* code = span.at("status").as_object().if_contains("code")) {
            r.status_code = static_cast<int>(code->as_int64());
          }
          spans.push_back(std::move(r));
        }
      }
    }
  }
  return spans;
}

std::vector<ReceivedSpan> OtlpReceiver::SpansOf(const std::string& trace_id) const {
  std::vector<ReceivedSpan> of;
  for (ReceivedSpan& s : Spans()) {
    if (s.trace_id == trace_id) of.push_back(std::move(s));
  }
  return of;
}

void OtlpReceiver::Hold() {
  std::lock_guard lock(mutex_);
  held_ = true;
}

void OtlpReceiver::Release() {
  {
    std::lock_guard lock(mutex_);
    held_ = false;
  }
  released_.notify_all();
}

std::size_t OtlpReceiver::requests_started() const {
  std::lock_guard lock(mutex_);
  return started_;
}

}  // namespace flowbench::testing
