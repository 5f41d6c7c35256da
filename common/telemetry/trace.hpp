// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header that
// carries a request's trace id through HTTP calls (sync) and AMQP headers (async).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowbench {

struct TraceContext {
  std::string trace_id;    // 32 lowercase hex digits, not all zero
  std::string parent_id;   // 16 lowercase hex digits, not all zero: the span that sent it
  std::uint8_t flags = 1;  // bit 0: sampled

  static TraceContext NewRoot(bool sampled = true);
  TraceContext NewChild() const;      // same trace, new span id
  std::string ToTraceparent() const;  // "00-<trace_id>-<parent_id>-01"
  // Whether spans are written for it (flag 01). A hot path asks before it builds a span's
  // text and fields: benchmark load is unsampled and should not pay for them.
  bool Sampled() const { return (flags & 0x01) != 0; }
};

// Parses a traceparent header; nullopt for anything the spec says to ignore (wrong length,
// upper-case hex, all-zero ids, version ff, extra fields on version 00).
std::optional<TraceContext> ParseTraceparent(std::string_view header);

// The context of an incoming request: a child of its traceparent (keeping the caller's
// sampled flag), or a new, unsampled root when it has none or an invalid one, so every
// request has a trace id in the logs, and only requests a caller chose to trace (the demo)
// write spans.
TraceContext ContinueOrStartTrace(std::string_view traceparent_header);

}  // namespace flowbench
