#include "asynchronous/runtime/retry_policy.hpp"

#include <algorithm>

namespace flowbench::async {

std::chrono::milliseconds RetryPolicy::DelayOf(int retry) const {
  return topology::RetrySchedule{attempts_, base_delay_}.DelayOf(retry);
}

std::vector<std::string> RetryPolicy::DelayQueues(const std::string& queue) const {
  std::vector<std::string> names;
  for (int retry = 1; retry <= attempts_; ++retry)
    names.push_back(DelayQueue(queue, DelayOf(retry)));
  return names;
}

RetryStep RetryPolicy::AfterFailure(const std::string& queue, int attempt) const {
  attempt = std::max(attempt, 0);
  if (attempt >= attempts_)
    return RetryStep{true, std::chrono::milliseconds(0), DeadLetterQueue(queue), attempt};
  std::chrono::milliseconds delay = DelayOf(attempt + 1);
  return RetryStep{false, delay, DelayQueue(queue, delay), attempt + 1};
}

}  // namespace flowbench::async
