// Reads the services' completion records (GET /completions?after=CURSOR, CONTRACT.md §5)
// during and after a run: one cursor per service, so each record is read once. A service
// that restarted (a new epoch) or overwrote records before they were read is reported, never
// silently skipped: its requests would otherwise look lost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/telemetry/completion_log.hpp"

namespace flowbench::run {

class CompletionCollector {
 public:
  // `service_urls`: every service of one build (http://host:port).
  explicit CompletionCollector(std::vector<std::string> service_urls);

  // Moves every cursor to the service's current end: records written before the run (a
  // --target deployment's earlier traffic) are not this run's. False when a service does not
  // serve /completions (then nothing is collected: see Supported()).
  bool SkipExisting();

  // Reads every service's new records (all pages). False when a service did not answer this
  // time (its records stay for the next poll).
  bool Poll();

  bool Supported() const { return supported_; }
  const std::vector<CompletionRecord>& Records() const { return records_; }
  std::uint64_t Missed() const { return missed_; }
  // What went wrong on the way, in words (restarts, overflows, unreadable answers).
  const std::vector<std::string>& Problems() const { return problems_; }

 private:
  struct Source {
    std::string url;
    std::uint64_t cursor = 0;
    std::optional<std::uint64_t> epoch;
  };
  bool Read(Source& source, bool skip);

  std::vector<Source> sources_;
  std::vector<CompletionRecord> records_;
  std::uint64_t missed_ = 0;
  bool supported_ = true;
  std::vector<std::string> problems_;
};

// The services' system clock minus this machine's, estimated NTP-style over `now_unix_ns` in
// GET /completions: of `samples` exchanges the one with the shortest round trip, whose
// midpoint is closest to the server's reading; the uncertainty is half that round trip.
struct ClockOffsetEstimate {
  std::int64_t offset_ns = 0;
  std::int64_t uncertainty_ns = 0;
};
std::optional<ClockOffsetEstimate> EstimateClockOffset(const std::string& service_url,
                                                       int samples = 8);

}  // namespace flowbench::run
