// Unit tests of the async runtime's pure logic: the retry schedule, the classification of
// handler failures, and the click batching policy.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "asynchronous/runtime/click_batcher.hpp"
#include "asynchronous/runtime/retry_policy.hpp"
#include "common/domain/errors.hpp"

namespace flowbench::async {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, DoublesTheDelayThenDeadLetters) {
  RetryPolicy policy(3, milliseconds(100));
  RetryStep first = policy.AfterFailure("q", 0);
  EXPECT_FALSE(first.dead_letter);
  EXPECT_EQ(first.delay, milliseconds(100));
  EXPECT_EQ(first.target_queue, "q.retry.100ms");
  EXPECT_EQ(first.next_attempt, 1);
  EXPECT_EQ(policy.AfterFailure("q", 1).delay, milliseconds(200));
  RetryStep third = policy.AfterFailure("q", 2);
  EXPECT_EQ(third.delay, milliseconds(400));
  EXPECT_EQ(third.target_queue, "q.retry.400ms");
  RetryStep last = policy.AfterFailure("q", 3);
  EXPECT_TRUE(last.dead_letter);
  EXPECT_EQ(last.target_queue, "q.dlq");
}

TEST(RetryPolicy, ListsOneDelayQueuePerRetry) {
  RetryPolicy policy(3, milliseconds(1000));
  EXPECT_EQ(policy.DelayQueues("orders"),
            (std::vector<std::string>{"orders.retry.1000ms", "orders.retry.2000ms",
                                      "orders.retry.4000ms"}));
}

TEST(RetryPolicy, NoAttemptsMeansStraightToTheDeadLetterQueue) {
  RetryPolicy policy(0, milliseconds(100));
  EXPECT_TRUE(policy.AfterFailure("q", 0).dead_letter);
  EXPECT_TRUE(policy.DelayQueues("q").empty());
}

TEST(RetryPolicy, AHeaderFromTheFutureStillDeadLetters) {
  RetryPolicy policy(2, milliseconds(100));
  EXPECT_TRUE(policy.AfterFailure("q", 99).dead_letter);
  EXPECT_FALSE(policy.AfterFailure("q", -5).dead_letter);
}

TEST(ClassifyFailure, ADependencyThatIsDownOrSlowIsNotTheMessagesFault) {
  EXPECT_EQ(ClassifyFailure(ServiceUnavailable("database unreachable")), FailureKind::kDependency);
  EXPECT_EQ(ClassifyFailure(pqxx::broken_connection("server closed the connection")),
            FailureKind::kDependency);
  EXPECT_EQ(ClassifyFailure(pqxx::in_doubt_error("commit outcome unknown")),
            FailureKind::kDependency);
  EXPECT_EQ(ClassifyFailure(pqxx::deadlock_detected("deadlock")), FailureKind::kDependency);
  for (const char* state : {"08006", "08001", "57P01", "57P03", "57014", "53300", "40001"}) {
    EXPECT_EQ(ClassifyFailure(pqxx::sql_error("failed", "SELECT 1", state)),
              FailureKind::kDependency)
        << state;
  }
}

TEST(ClassifyFailure, AMessageThatDoesNotDecodeIsUndecodable) {
  EXPECT_EQ(ClassifyFailure(MalformedJson("not JSON")), FailureKind::kUndecodable);
  EXPECT_EQ(ClassifyFailure(ValidationError("field 'payload' is missing")),
            FailureKind::kUndecodable);
}

TEST(ClassifyFailure, EverythingElseIsTheHandlersOwnError) {
  EXPECT_EQ(ClassifyFailure(std::runtime_error("bug")), FailureKind::kHandler);
  EXPECT_EQ(ClassifyFailure(DoesNotExist("report job", "j1")), FailureKind::kHandler);
  EXPECT_EQ(ClassifyFailure(pqxx::sql_error("duplicate key", "INSERT", "23505")),
            FailureKind::kHandler);
  EXPECT_EQ(ClassifyFailure(pqxx::sql_error("syntax", "SELEC", "42601")), FailureKind::kHandler);
}

TEST(RetryPolicy, AnUndecodableMessageIsDeadLetteredAtOnce) {
  RetryPolicy policy(3, milliseconds(100));
  RetryStep step = policy.AfterFailure("q", 0, FailureKind::kUndecodable);
  EXPECT_TRUE(step.dead_letter);
  EXPECT_EQ(step.target_queue, "q.dlq");
  EXPECT_EQ(step.next_attempt, 0);
}

TEST(RetryPolicy, DependencyDelayDoublesUpToTheLongestRetryDelay) {
  RetryPolicy policy(3, milliseconds(100));
  EXPECT_EQ(policy.DependencyDelay(1), milliseconds(100));
  EXPECT_EQ(policy.DependencyDelay(2), milliseconds(200));
  EXPECT_EQ(policy.DependencyDelay(3), milliseconds(400));
  EXPECT_EQ(policy.DependencyDelay(4), milliseconds(400));
  EXPECT_EQ(policy.DependencyDelay(1000), milliseconds(400));
  EXPECT_EQ(RetryPolicy(0, milliseconds(100)).DependencyDelay(5), milliseconds(100));
}

TEST(ClickBatcher, FlushesWhenFull) {
  ClickBatcher<int> batcher(3, milliseconds(100));
  auto t0 = ClickBatcher<int>::Clock::now();
  EXPECT_FALSE(batcher.Add(1, t0));
  EXPECT_FALSE(batcher.Add(2, t0));
  EXPECT_TRUE(batcher.Add(3, t0));
  EXPECT_EQ(batcher.Take(), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(batcher.size(), 0u);
  EXPECT_FALSE(batcher.Deadline().has_value());
}

TEST(ClickBatcher, FlushesWhenTheFirstRowHasWaitedLongEnough) {
  ClickBatcher<int> batcher(100, milliseconds(50));
  auto t0 = ClickBatcher<int>::Clock::now();
  batcher.Add(1, t0);
  batcher.Add(2, t0 + milliseconds(40));
  EXPECT_EQ(batcher.Deadline(), t0 + milliseconds(50));  // counted from the first row
  EXPECT_FALSE(batcher.Due(t0 + milliseconds(49)));
  EXPECT_TRUE(batcher.Due(t0 + milliseconds(50)));
  batcher.Take();
  batcher.Add(3, t0 + milliseconds(60));
  EXPECT_EQ(batcher.Deadline(), t0 + milliseconds(110));  // a new batch, a new clock
}

TEST(ClickBatcher, AnEmptyBatchIsNeverDue) {
  ClickBatcher<int> batcher(1, milliseconds(0));
  EXPECT_FALSE(batcher.Due(ClickBatcher<int>::Clock::now()));
}

}  // namespace
}  // namespace flowbench::async
