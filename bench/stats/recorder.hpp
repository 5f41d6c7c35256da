// What one worker measures for one scenario, wrk2-style: owned by exactly one thread while
// the load runs (no locks, no atomics), merged with the other workers' after they stop.
#pragma once

#include <algorithm>
#include <cstdint>

#include "bench/stats/error_counts.hpp"
#include "bench/stats/latency_histogram.hpp"

namespace flowbench::stats {

class Recorder {
 public:
  // A request that got an answer (successful or not). `corrected` runs from the intended
  // start (open loop: the schedule's time; closed loop: the actual send), `uncorrected` from
  // the actual send. An answer with a wrong status or body also gets RecordError(kStatus or
  // kCheck); errors that produced no answer are recorded with RecordFailure instead.
  void RecordResponse(std::int64_t corrected_ns, std::int64_t uncorrected_ns) {
    corrected_.Record(corrected_ns);
    uncorrected_.Record(uncorrected_ns);
  }
  // A request that got no answer (kConnect or kTimeout), with the time it took to fail. It
  // enters the latency histograms too, as k6 does: a timeout is a user waiting the whole
  // timeout, and leaving it out would make a failing service look fast.
  void RecordFailure(ErrorKind kind, std::int64_t corrected_ns, std::int64_t uncorrected_ns) {
    errors_.Add(kind);
    corrected_.Record(corrected_ns);
    uncorrected_.Record(uncorrected_ns);
  }
  // A wrong answer (kStatus, kCheck), after its RecordResponse. kConnect and kTimeout go
  // through RecordFailure, or Completed() would miss them.
  void RecordError(ErrorKind kind) { errors_.Add(kind); }
  void RecordStarted() { ++started_; }
  void RecordDropped() { ++dropped_; }  // an iteration the schedule wanted but could not start

  void Merge(const Recorder& other);

  const LatencyHistogram& Corrected() const { return corrected_; }
  const LatencyHistogram& Uncorrected() const { return uncorrected_; }
  const ErrorCounts& Errors() const { return errors_; }
  std::uint64_t Started() const { return started_; }
  std::uint64_t Dropped() const { return dropped_; }
  // Requests that ended one way or the other: answered, or failed without an answer. Each
  // has one latency sample (RecordResponse or RecordFailure).
  std::uint64_t Completed() const { return corrected_.Count(); }
  // Of those, the ones that failed without an answer (connect error or timeout).
  std::uint64_t NoAnswer() const {
    return errors_.Of(ErrorKind::kConnect) + errors_.Of(ErrorKind::kTimeout);
  }
  // Of those, the ones that got an HTTP answer (whatever its status).
  std::uint64_t Answered() const { return Completed() - std::min(Completed(), NoAnswer()); }

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
