#include "gateway/token_bucket.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace flowbench::gateway {

std::optional<RateLimit> ParseRateLimit(std::string_view text, double burst) {
  if (text == "off") return RateLimit{false, 0, 0};
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos || burst < 1) return std::nullopt;
  std::string_view count_text = text.substr(0, slash);
  std::string_view unit = text.substr(slash + 1);
  double count = 0;
  auto [end, error] =
      std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
  if (error != std::errc() || end != count_text.data() + count_text.size()) return std::nullopt;
  if (!std::isfinite(count) || count <= 0) return std::nullopt;
  double seconds = 0;
  if (unit == "s") {
    seconds = 1;
  } else if (unit == "m") {
    seconds = 60;
  } else {
    return std::nullopt;
  }
  return RateLimit{true, count / seconds, burst};
}

std::string Describe(const RateLimit& limit) {
  if (!limit.enabled) return "off";
  std::ostringstream out;
  out << limit.per_second << "/s, burst " << limit.burst;
  return out.str();
}

TokenBucket::TokenBucket(double per_second, double burst, SteadyTime now)
    : per_second_(per_second), burst_(burst), tokens_(burst), updated_(now) {}

double TokenBucket::Tokens(SteadyTime now) const {
  // A clock that went backwards (it cannot, steady) would add nothing rather than subtract.
  double elapsed = std::max(0.0, std::chrono::duration<double>(now - updated_).count());
  return std::min(burst_, tokens_ + elapsed * per_second_);
}

RateDecision TokenBucket::Take(SteadyTime now) {
  tokens_ = Tokens(now);
  updated_ = std::max(updated_, now);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return {true, std::chrono::nanoseconds(0)};
  }
  double wait_seconds = (1 - tokens_) / per_second_;
  return {false,
          std::chrono::nanoseconds(static_cast<std::int64_t>(std::ceil(wait_seconds * 1e9)))};
}

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_subjects)
    : limit_(limit), max_subjects_(max_subjects) {}

RateDecision RateLimiter::Take(std::string_view subject, SteadyTime now) {
  if (!limit_.enabled) return {};
  std::string key(subject);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_subjects_) DropFullBuckets(now);
    it = buckets_.emplace(std::move(key), TokenBucket(limit_.per_second, limit_.burst, now)).first;
  }
  return it->second.Take(now);
}

void RateLimiter::DropFullBuckets(SteadyTime now) {
  std::erase_if(buckets_,
                [&](const auto& entry) { return entry.second.Tokens(now) >= limit_.burst; });
}

}  // namespace flowbench::gateway
