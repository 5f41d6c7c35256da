#include "common/telemetry/trace.hpp"

#include <stdexcept>

#include "common/domain/random_ids.hpp"

namespace flowbench {
namespace {

bool IsLowerHex(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool IsAllZero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

// Trace and span ids are unique, not secret (W3C Trace Context asks for randomness, not
// unpredictability): the cheap per-thread generator of random_ids.hpp.
std::string RandomHex(std::size_t bytes) {
  std::string hex;
  do {
    hex = RandomIdHex(bytes);
  } while (IsAllZero(hex));
  return hex;
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

}  // namespace

TraceContext TraceContext::NewRoot(bool sampled) {
  return TraceContext{RandomHex(16), RandomHex(8), static_cast<std::uint8_t>(sampled ? 1 : 0)};
}

TraceContext TraceContext::NewChild() const { return TraceContext{trace_id, RandomHex(8), flags}; }

std::string TraceContext::ToTraceparent() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string flag_hex{kDigits[flags >> 4], kDigits[flags & 0xf]};
  return "00-" + trace_id + "-" + parent_id + "-" + flag_hex;
}

std::optional<TraceContext> ParseTraceparent(std::string_view h) {
  // version(2) - trace-id(32) - parent-id(16) - flags(2) = 55 characters
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  std::string_view version = h.substr(0, 2), trace = h.substr(3, 32), parent = h.substr(36, 16),
                   flags = h.substr(53, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  if (version == "00" && h.size() != 55) return std::nullopt;
  // A later version may append fields, always after another '-'.
  if (h.size() > 55 && h[55] != '-') return std::nullopt;
  if (!IsLowerHex(trace) || IsAllZero(trace)) return std::nullopt;
  if (!IsLowerHex(parent) || IsAllZero(parent)) return std::nullopt;
  if (!IsLowerHex(flags)) return std::nullopt;
  return TraceContext{std::string(trace), std::string(parent),
                      static_cast<std::uint8_t>(HexValue(flags[0]) * 16 + HexValue(flags[1]))};
}

TraceContext ContinueOrStartTrace(std::string_view header) {
  if (std::optional<TraceContext> incoming = ParseTraceparent(header)) return incoming->NewChild();
  return TraceContext::NewRoot(/*sampled=*/false);
}

}  // namespace flowbench
