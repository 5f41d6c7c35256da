// What one worker measures for one scenario, wrk2-style: owned by exactly one thread while
// the load runs (no locks, no atomics), merged with the other workers' after they stop.
#pragma once

#include <cstdint>

#include "bench/stats/error_counts.hpp"
#include "bench/stats/latency_histogram.hpp"

namespace flowbench::stats {

class Recorder {
 public:
  // A request that got an answer (successful or not). `corrected` runs from the intended
  // start (open loop: the schedule's time; closed loop: the actual send), `uncorrected` from
  // the actual send. Errors that produced no answer are recorded with RecordFailure.
  void RecordResponse(std::int64_t corrected_ns, std::int64_t uncorrected_ns) {
    corrected_.Record(corrected_ns);
    uncorrected_.Record(uncorrected_ns);
  }
  void RecordError(ErrorKind kind) { errors_.Add(kind); }
  void RecordStarted() { ++started_; }
  void RecordDropped() { ++dropped_; }  // an iteration the schedule wanted but could not start

  void Merge(const Recorder& other);

  const LatencyHistogram& Corrected() const { return corrected_; }
  const LatencyHistogram& Uncorrected() const { return uncorrected_; }
  const ErrorCounts& Errors() const { return errors_; }
  std::uint64_t Started() const { return started_; }
  std::uint64_t Dropped() const { return dropped_; }
  // Requests that ended one way or the other: answered, or failed without an answer.
  std::uint64_t Completed() const { return corrected_.Count() + NoAnswer(); }
  std::uint64_t NoAnswer() const {
    return errors_.Of(ErrorKind::kConnect) + errors_.Of(ErrorKind::kTimeout);
  }

  // For deserialisation.
  static Recorder FromParts(LatencyHistogram corrected, LatencyHistogram uncorrected,
                            ErrorCounts errors, std::uint64_t started, std::uint64_t dropped);

 private:
  LatencyHistogram corrected_;
  LatencyHistogram uncorrected_;
  ErrorCounts errors_;
  std::uint64_t started_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace flowbench::stats
