// Retries of idempotent downstream calls: how many attempts, and how long to wait between
// them (exponential back-off with jitter, so that callers that failed together do not all
// come back at the same instant and knock the recovering peer over again).
#pragma once

#include <chrono>
#include <random>

namespace flowbench::sync {

struct RetrySettings {
  int max_attempts = 3;                       // first try included; 1 = no retry
  std::chrono::milliseconds base_delay{50};   // before the first retry (before jitter)
  std::chrono::milliseconds max_delay{1000};  // cap of the exponential growth
};

// The wait before retry number `retry` (1 for the first retry): "equal jitter", uniformly
// drawn from [d/2, d] with d = min(max_delay, base_delay * 2^(retry-1)).
std::chrono::milliseconds BackoffDelay(const RetrySettings& settings, int retry,
                                       std::mt19937_64& random);

// Whether a call may be repeated at all: only when doing it twice has the effect of doing
// it once (a reindex, a keyed reservation), never for a payment or an email.
enum class Idempotency { kIdempotent, kNotIdempotent };

}  // namespace flowbench::sync
