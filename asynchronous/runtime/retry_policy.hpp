// What happens to a message whose handler failed: another attempt after a growing delay, or,
// after the last one, its dead-letter queue. Pure, so the schedule is unit-tested.
//
// A retry is a copy of the message published to a delay queue `<queue>.retry.<ms>ms` whose
// TTL is the delay and whose dead-letter target is `<queue>` again: the broker holds the
// message (durably) and hands it back when the delay is over, no timer in our process. The
// delay is in the name, so services started with different settings never clash over
// a queue's arguments.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/domain/topology.hpp"

namespace flowbench::async {

// The integer AMQP header that counts the retries a message has been through.
inline constexpr const char* kAttemptHeader = "x-flowbench-attempt";

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

  // `attempt`: retries this delivery has already had (0 for the first delivery).
  RetryStep AfterFailure(const std::string& queue, int attempt) const;

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
