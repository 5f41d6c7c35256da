// One hop of a traced request as `flowbench demo` reads it back from a service's log: the
// span line that RecordSpan (common/telemetry/span.hpp) wrote, parsed.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/domain/events.hpp"

namespace flowbench::demo {

// The demo's own two hops (service "client"), next to the services' span kinds.
inline constexpr std::string_view kClientRequest = "client.request";
inline constexpr std::string_view kClientAnswer = "client.answer";

struct Hop {
  SystemTime ts;
  std::string arch;            // "sync" | "async"
  std::string service;         // "order"
  std::string kind;            // span::kReceived, ...
  std::string text;            // the span's "msg": "inventory POST /reserve"
  boost::json::object fields;  // what else the line carries: status, queue, table, ...

  // A field as text ("" when absent): "status" -> "400".
  std::string Field(std::string_view name) const;
};

// The hop of `trace_id` on this log line; nullopt for any other line (another trace, a plain
// log line, a torn or foreign line: a service log may hold anything).
std::optional<Hop> ParseHop(std::string_view line, std::string_view trace_id);

}  // namespace flowbench::demo
