#include "bench/demo/hop.hpp"

namespace flowbench::demo {
namespace {

std::string StringOr(const boost::json::object& line, std::string_view key) {
  const boost::json::value* v = line.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::string Hop::Field(std::string_view name) const {
  const boost::json::value* v = fields.if_contains(name);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  return boost::json::serialize(*v);
}

std::optional<Hop> ParseHop(std::string_view line, std::string_view trace_id) {
  // Most lines belong to other requests: skip them before parsing any JSON.
  if (trace_id.empty() || line.find(trace_id) == std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(line, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  boost::json::object& json = parsed.get_object();
  if (StringOr(json, "trace_id") != trace_id || !json.contains("span")) return std::nullopt;

  Hop hop;
  try {
    hop.ts = ParseTimestamp(StringOr(json, "ts"));
  } catch (const std::exception&) {
    return std::nullopt;  // a span line always has a timestamp; this is not one of ours
  }
  hop.arch = StringOr(json, "arch");
  hop.service = StringOr(json, "service");
  hop.kind = StringOr(json, "span");
  hop.text = StringOr(json, "msg");
  for (std::string_view known : {"ts", "level", "arch", "service", "trace_id", "span", "msg"}) {
    json.erase(known);
  }
  hop.fields = std::move(json);
  return hop;
}

}  // namespace flowbench::demo
