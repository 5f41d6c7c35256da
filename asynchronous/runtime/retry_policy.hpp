// What happens to a message whose handler failed, by the kind of failure (ClassifyFailure):
// - a dependency that is down or slow (the database, the broker) is not the message's fault:
//   the message waits and is requeued, using up none of its attempts, for as long as the
//   outage lasts (DependencyDelay);
// - a message that cannot be decoded never will be: straight to its dead-letter queue;
// - the handler's own error gets another attempt after a growing delay, and after the last
//   one its dead-letter queue.
// Pure, so the schedule is unit-tested.
//
// A retry is a copy of the message published to a delay queue `<queue>.retry.<ms>ms` whose
// TTL is the delay and whose dead-letter target is `<queue>` again: the broker holds the
// message (durably) and hands it back when the delay is over, no timer in our process. The
// delay is in the name, so services started with different settings never clash over
// a queue's arguments.
#pragma once

#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include "common/domain/topology.hpp"

namespace flowbench::async {

// The integer AMQP header that counts the retries a message has been through.
inline constexpr const char* kAttemptHeader = "x-flowbench-attempt";

enum class FailureKind {
  kDependency,   // a dependency is down or slow: requeued after a wait, no attempt used
  kUndecodable,  // the message (envelope or payload) does not decode: dead-lettered at once
  kHandler,      // the handler's own error: retried, then dead-lettered
};

// Sorts what a handler threw. Dependency failures: ServiceUnavailable (the pool could not
// connect or had no free connection, the broker did not confirm a follow-up), a broken or
// in-doubt PostgreSQL connection, and SQLSTATEs of the connection (08xxx), operator
// intervention (57P0x: shutdown, cannot connect now), statement timeout (57014), too many
// connections (53300), serialization failure (40001) and deadlock (40P01). Undecodable: a
// ClientError 400/422 (what DecodeEnvelope and PayloadAs throw). Anything else: kHandler.
FailureKind ClassifyFailure(const std::exception& error);
std::string_view FailureKindName(FailureKind kind);

struct RetryStep {
  bool dead_letter = false;            // no retry left: to <queue>.dlq
  std::chrono::milliseconds delay{0};  // before the next attempt
  std::string target_queue;            // where the copy is published (default exchange)
  int next_attempt = 0;                // the header value of the copy
};

class RetryPolicy {
 public:
  RetryPolicy(int attempts, std::chrono::milliseconds base_delay)
      : attempts_(attempts), base_delay_(base_delay) {}

  // `attempt`: retries this delivery has already had (0 for the first delivery). An
  // undecodable message goes to the dead-letter queue at once, its attempt unchanged.
  // (kDependency is not a step of this schedule: see DependencyDelay.)
  RetryStep AfterFailure(const std::string& queue, int attempt,
                         FailureKind kind = FailureKind::kHandler) const;

  // How long a consumer holds a message before requeueing it after the `consecutive`-th
  // dependency failure in a row (1, 2, ...): base * 2^(n-1), at most the longest retry delay
  // (and at least base). Held messages stay unacked, so the prefetch bounds how many a
  // consumer holds: while the dependency is away, consumption slows to this pace.
  std::chrono::milliseconds DependencyDelay(int consecutive) const;

  // base * 2^(retry - 1) for retry 1..attempts.
  std::chrono::milliseconds DelayOf(int retry) const;
  // Every delay queue of `queue`, in retry order.
  std::vector<std::string> DelayQueues(const std::string& queue) const;
  // The names of common/domain/topology.hpp.
  static std::string DelayQueue(const std::string& queue, std::chrono::milliseconds delay) {
    return flowbench::topology::DelayQueue(queue, delay);
  }
  static std::string DeadLetterQueue(const std::string& queue) {
    return flowbench::topology::DeadLetterQueue(queue);
  }

  int attempts() const { return attempts_; }

 private:
  int attempts_;
  std::chrono::milliseconds base_delay_;
};

}  // namespace flowbench::async
