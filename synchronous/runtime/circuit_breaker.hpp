// A circuit breaker for one downstream target: closed (calls go through) -> open after
// `failure_threshold` consecutive failures (calls fail at once, no thread waits on a dead
// peer) -> half-open after `open_duration` (one trial call at a time) -> closed again after
// `half_open_successes` trial calls succeeded, or open again when one fails.
// Pure logic on an explicit clock, so the unit tests need no network and no sleeping.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string_view>

namespace flowbench::sync {

struct BreakerSettings {
  int failure_threshold = 5;                      // consecutive failures that open it
  std::chrono::milliseconds open_duration{5000};  // how long it stays open before a trial
  int half_open_successes = 1;                    // trial successes that close it again
};

class CircuitBreaker {
 public:
  enum class State { kClosed = 0, kOpen = 1, kHalfOpen = 2 };  // values = the metric's
  using Clock = std::chrono::steady_clock;
  using StateListener = std::function<void(State)>;

  explicit CircuitBreaker(BreakerSettings settings, StateListener on_change = {});

  // Asks to make a call now. False: fail fast. In half-open only one trial is let through at
  // a time; whoever got true must report the outcome with RecordSuccess/RecordFailure.
  bool Allow(Clock::time_point now = Clock::now());
  void RecordSuccess(Clock::time_point now = Clock::now());
  void RecordFailure(Clock::time_point now = Clock::now());

  State state() const;

 private:
  void MoveTo(State state, Clock::time_point now);  // mutex_ held

  const BreakerSettings settings_;
  const StateListener on_change_;
  mutable std::mutex mutex_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  int trial_successes_ = 0;
  bool trial_in_flight_ = false;
  Clock::time_point opened_at_{};
};

std::string_view StateName(CircuitBreaker::State state);  // "closed", "open", "half-open"

}  // namespace flowbench::sync
