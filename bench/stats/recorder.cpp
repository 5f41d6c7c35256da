#include "bench/stats/recorder.hpp"

#include <utility>

namespace flowbench::stats {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConnect:
      return "connect";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kStatus:
      return "status";
    case ErrorKind::kCheck:
      return "check";
  }
  return "unknown";
}

std::optional<ErrorKind> ParseErrorKind(std::string_view name) {
  for (int i = 0; i < kErrorKindCount; ++i) {
    auto kind = static_cast<ErrorKind>(i);
    if (ErrorKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

void Recorder::Merge(const Recorder& other) {
  corrected_.Merge(other.corrected_);
  uncorrected_.Merge(other.uncorrected_);
  errors_.Merge(other.errors_);
  started_ += other.started_;
  dropped_ += other.dropped_;
}

Recorder Recorder::FromParts(LatencyHistogram corrected, LatencyHistogram uncorrected,
                             ErrorCounts errors, std::uint64_t started, std::uint64_t dropped) {
  Recorder r;
  r.corrected_ = corrected;
  r.uncorrected_ = uncorrected;
  r.errors_ = errors;
  r.started_ = started;
  r.dropped_ = dropped;
  return r;
}

}  // namespace flowbench::stats
