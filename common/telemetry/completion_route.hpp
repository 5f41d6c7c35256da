// What both builds' runtimes share for the per-request completion records
// (common/telemetry/completion_log.hpp, CONTRACT.md §5.1): the request id header, its
// cleaning, and the route GET /completions?after=CURSOR&limit=N.
//
// The id travels with the work: on every downstream HTTP call (sync) and in every message's
// AMQP headers next to traceparent (async), so whichever process ends the work records it.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/telemetry/completion_log.hpp"

namespace flowbench {

// The driver's tag on a request (HTTP), and the same id in a message's AMQP headers.
inline constexpr std::string_view kRequestIdHeader = "X-Request-Id";
inline constexpr std::string_view kRequestIdAmqpHeader = "x-request-id";

// The id a request or message carries: cut to CompletionLog::kMaxRequestIdLength; empty (not
// recorded) when absent or when it holds a control character or a byte outside printable
// ASCII, so a record can never break a log line or a JSON reader.
std::string CleanRequestId(std::string_view header_value);

struct CompletionQuery {
  std::uint64_t after = 0;
  std::size_t limit = 10'000;
};
inline constexpr std::size_t kMaxCompletionPage = 10'000;

// `after` and `limit` as the query string had them (nullopt: absent). Each must be a
// non-negative decimal integer; else a ClientError 400 bad_request. A limit above
// kMaxCompletionPage is served as kMaxCompletionPage.
CompletionQuery ParseCompletionQuery(std::optional<std::string_view> after,
                                     std::optional<std::string_view> limit);

// The answer of GET /completions: ToJson(page) plus "now_unix_ns", the system clock when the
// page was read (the driver estimates the clock offset from it, NTP-style).
boost::json::object CompletionsBody(const CompletionLog& log, const CompletionQuery& query);

}  // namespace flowbench
