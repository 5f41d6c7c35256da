#include "synchronous/runtime/retry.hpp"

#include <algorithm>

namespace flowbench::sync {

std::chrono::milliseconds BackoffDelay(const RetrySettings& settings, int retry,
                                       std::mt19937_64& random) {
  using std::chrono::milliseconds;
  const int doublings = std::clamp(retry - 1, 0, 30);  // 2^30 * base overflows nothing we cap
  const std::int64_t grown = settings.base_delay.count() << doublings;
  const std::int64_t ceiling = std::clamp<std::int64_t>(grown, 0, settings.max_delay.count());
  std::uniform_int_distribution<std::int64_t> jitter(ceiling / 2, ceiling);
  return milliseconds(jitter(random));
}

}  // namespace flowbench::sync
