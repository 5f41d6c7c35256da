#include "synchronous/runtime/circuit_breaker.hpp"

namespace flowbench::sync {

CircuitBreaker::CircuitBreaker(BreakerSettings settings, StateListener on_change)
    : settings_(settings), on_change_(std::move(on_change)) {
  if (on_change_) on_change_(state_);
}

bool CircuitBreaker::Allow(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (now - opened_at_ < settings_.open_duration) return false;
      MoveTo(State::kHalfOpen, now);
      [[fallthrough]];
    case State::kHalfOpen:
      if (trial_in_flight_) return false;
      trial_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  consecutive_failures_ = 0;
  if (state_ != State::kHalfOpen) return;
  trial_in_flight_ = false;
  if (++trial_successes_ >= settings_.half_open_successes) MoveTo(State::kClosed, now);
}

void CircuitBreaker::RecordFailure(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::kClosed:
      if (++consecutive_failures_ >= settings_.failure_threshold) MoveTo(State::kOpen, now);
      break;
    case State::kHalfOpen:
      MoveTo(State::kOpen, now);
      break;
    case State::kOpen:
      break;  // a call let through before it opened; the clock has already started
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void CircuitBreaker::MoveTo(State state, Clock::time_point now) {
  state_ = state;
  consecutive_failures_ = 0;
  trial_successes_ = 0;
  trial_in_flight_ = false;
  if (state == State::kOpen) opened_at_ = now;
  if (on_change_) on_change_(state);
}

std::string_view StateName(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed:
      return "closed";
    case CircuitBreaker::State::kOpen:
      return "open";
    case CircuitBreaker::State::kHalfOpen:
      return "half-open";
  }
  return "?";
}

}  // namespace flowbench::sync
