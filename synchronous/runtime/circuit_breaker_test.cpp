// CircuitBreaker: closed -> open after the threshold, fails fast while open, one trial at a
// time when half-open, closes after successful trials, reopens on a failed one; the state
// listener sees every transition (it drives the metric).
#include "synchronous/runtime/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace flowbench::sync {
namespace {

using State = CircuitBreaker::State;
using std::chrono::milliseconds;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  CircuitBreaker Make(int threshold, int half_open_successes = 1) {
    return CircuitBreaker(BreakerSettings{threshold, milliseconds(1000), half_open_successes},
                          [this](State s) { transitions_.push_back(s); });
  }
  CircuitBreaker::Clock::time_point t0_ = CircuitBreaker::Clock::now();
  std::vector<State> transitions_;
};

TEST_F(CircuitBreakerTest, StaysClosedBelowTheThresholdAndSuccessResetsTheCount) {
  CircuitBreaker breaker = Make(3);
  breaker.RecordFailure(t0_);
  breaker.RecordFailure(t0_);
  breaker.RecordSuccess(t0_);
  breaker.RecordFailure(t0_);
  breaker.RecordFailure(t0_);
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_TRUE(breaker.Allow(t0_));
}

TEST_F(CircuitBreakerTest, OpensAtTheThresholdAndFailsFastUntilTheOpenDurationPassed) {
  CircuitBreaker breaker = Make(3);
  for (int i = 0; i < 3; ++i) breaker.RecordFailure(t0_);
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_FALSE(breaker.Allow(t0_));
  EXPECT_FALSE(breaker.Allow(t0_ + milliseconds(999)));
  EXPECT_TRUE(breaker.Allow(t0_ + milliseconds(1000)));
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
}

TEST_F(CircuitBreakerTest, HalfOpenLetsOneTrialThroughAtATime) {
  CircuitBreaker breaker = Make(1);
  breaker.RecordFailure(t0_);
  auto later = t0_ + milliseconds(1500);
  EXPECT_TRUE(breaker.Allow(later));
  EXPECT_FALSE(breaker.Allow(later));  // the trial is still in flight
}

TEST_F(CircuitBreakerTest, ClosesAfterTheRequiredTrialSuccesses) {
  CircuitBreaker breaker = Make(1, 2);
  breaker.RecordFailure(t0_);
  auto later = t0_ + milliseconds(1500);
  ASSERT_TRUE(breaker.Allow(later));
  breaker.RecordSuccess(later);
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
  ASSERT_TRUE(breaker.Allow(later));
  breaker.RecordSuccess(later);
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_TRUE(breaker.Allow(later));
  EXPECT_TRUE(breaker.Allow(later));
}

TEST_F(CircuitBreakerTest, AFailedTrialReopensForAnotherFullOpenDuration) {
  CircuitBreaker breaker = Make(1);
  breaker.RecordFailure(t0_);
  auto trial = t0_ + milliseconds(1000);
  ASSERT_TRUE(breaker.Allow(trial));
  breaker.RecordFailure(trial);
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_FALSE(breaker.Allow(trial + milliseconds(999)));
  EXPECT_TRUE(breaker.Allow(trial + milliseconds(1000)));
}

TEST_F(CircuitBreakerTest, TheListenerSeesEveryTransitionStartingWithClosed) {
  CircuitBreaker breaker = Make(1);
  breaker.RecordFailure(t0_);
  ASSERT_TRUE(breaker.Allow(t0_ + milliseconds(1000)));
  breaker.RecordSuccess(t0_ + milliseconds(1001));
  EXPECT_EQ(transitions_,
            (std::vector<State>{State::kClosed, State::kOpen, State::kHalfOpen, State::kClosed}));
  EXPECT_EQ(StateName(State::kHalfOpen), "half-open");
  EXPECT_EQ(static_cast<int>(State::kOpen), 1);  // the metric's encoding
}

}  // namespace
}  // namespace flowbench::sync
