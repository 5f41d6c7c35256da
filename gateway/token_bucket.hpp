// Token-bucket rate limiting, one bucket per subject (the JWT `sub`). Pure: every call is
// given the time, so tests drive it with a made-up clock and never sleep. Not thread-safe:
// the gateway calls it from its one event-loop thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace flowbench::gateway {

using SteadyTime = std::chrono::steady_clock::time_point;

// --rate-limit 100/s --burst 200: `per_second` tokens come back each second, at most
// `burst` are held. Off: every request passes.
struct RateLimit {
  bool enabled = true;
  double per_second = 100;
  double burst = 200;
};

// "100/s", "6000/m", "off" (the --rate-limit flag); nullopt for anything else. The burst is
// the --burst flag's business and is left as given.
std::optional<RateLimit> ParseRateLimit(std::string_view text, double burst);
std::string Describe(const RateLimit& limit);  // "100/s, burst 200" or "off"

struct RateDecision {
  bool allowed = true;
  // Refused: when the next token will be there (what Retry-After says, rounded up to whole
  // seconds by the caller).
  std::chrono::nanoseconds retry_after{0};
};

class TokenBucket {
 public:
  // Starts full: a new subject may send its burst at once.
  TokenBucket(double per_second, double burst, SteadyTime now);

  RateDecision Take(SteadyTime now);
  double Tokens(SteadyTime now) const;  // what it holds at `now` (tests, pruning)

 private:
  double per_second_;
  double burst_;
  double tokens_;
  SteadyTime updated_;
};

class RateLimiter {
 public:
  // max_subjects: past it, the buckets that have filled up again are dropped (a full
  // bucket and a missing one behave alike), so tokens for many subjects cannot grow the
  // map without bound.
  explicit RateLimiter(RateLimit limit, std::size_t max_subjects = 100'000);

  RateDecision Take(std::string_view subject, SteadyTime now);
  std::size_t Subjects() const { return buckets_.size(); }
  const RateLimit& limit() const { return limit_; }

 private:
  void DropFullBuckets(SteadyTime now);

  RateLimit limit_;
  std::size_t max_subjects_;
  std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace flowbench::gateway
