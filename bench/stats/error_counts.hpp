// Typed error counters: what went wrong, by kind, so a report can tell an unreachable
// service from a slow one from a wrong answer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace flowbench::stats {

enum class ErrorKind {
  kConnect,  // could not connect, or the connection broke mid-request
  kTimeout,  // no complete answer within the request timeout
  kStatus,   // an answer with a status the scenario does not allow
  kCheck,    // an allowed status, but the body broke the scenario's rule
};
inline constexpr int kErrorKindCount = 4;

std::string_view ErrorKindName(ErrorKind kind);  // "connect", "timeout", "status", "check"
std::optional<ErrorKind> ParseErrorKind(std::string_view name);

class ErrorCounts {
 public:
  void Add(ErrorKind kind, std::uint64_t n = 1) { counts_[static_cast<int>(kind)] += n; }
  std::uint64_t Of(ErrorKind kind) const { return counts_[static_cast<int>(kind)]; }
  std::uint64_t Total() const {
    std::uint64_t total = 0;
    for (std::uint64_t c : counts_) total += c;
    return total;
  }
  void Merge(const ErrorCounts& other) {
    for (int i = 0; i < kErrorKindCount; ++i) counts_[i] += other.counts_[i];
  }
  friend bool operator==(const ErrorCounts&, const ErrorCounts&) = default;

 private:
  std::array<std::uint64_t, kErrorKindCount> counts_{};
};

}  // namespace flowbench::stats
