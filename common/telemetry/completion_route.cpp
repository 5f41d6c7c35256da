#include "common/telemetry/completion_route.hpp"

#include <charconv>
#include <chrono>

#include "common/domain/errors.hpp"

namespace flowbench {
namespace {

std::uint64_t NonNegative(std::string_view name, std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [at, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || at != end) {
    throw ClientError(400, "bad_request",
                      std::string(name) + " must be a non-negative integer, not \"" +
                          std::string(text.substr(0, 40)) + "\"");
  }
  return value;
}

}  // namespace

std::string CleanRequestId(std::string_view header_value) {
  for (char c : header_value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e) return {};
  }
  return std::string(header_value.substr(0, CompletionLog::kMaxRequestIdLength));
}

CompletionQuery ParseCompletionQuery(std::optional<std::string_view> after,
                                     std::optional<std::string_view> limit) {
  CompletionQuery query;
  if (after) query.after = NonNegative("after", *after);
  if (limit) {
    query.limit = static_cast<std::size_t>(
        std::min<std::uint64_t>(NonNegative("limit", *limit), kMaxCompletionPage));
  }
  return query;
}

boost::json::object CompletionsBody(const CompletionLog& log, const CompletionQuery& query) {
  boost::json::object body = ToJson(log.After(query.after, query.limit));
  body["now_unix_ns"] = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  return body;
}

}  // namespace flowbench
