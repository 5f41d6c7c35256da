// The computed steps: the CPU report and the saga's payment decision.
#include "common/domain/work.hpp"

#include <gtest/gtest.h>

namespace flowbench {
namespace {

TEST(GenerateReport, UsesAtLeastTheConfiguredCpuTimeAndReturnsAHash) {
  ReportResult r = GenerateReport("monthly", Milliseconds(30));
  EXPECT_GE(r.cpu_time_seconds, 0.030);
  EXPECT_GT(r.iterations, 0u);
  EXPECT_EQ(r.report_hash.size(), 64u);
  EXPECT_EQ(r.report_hash.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(GenerateReport, SameIterationsGiveTheSameHashForTheSameType) {
  // The hash chain is deterministic: only the number of rounds depends on the machine.
  ReportResult a = GenerateReport("weekly", Milliseconds(0));
  ReportResult b = GenerateReport("weekly", Milliseconds(0));
  ASSERT_EQ(a.iterations, b.iterations);
  EXPECT_EQ(a.report_hash, b.report_hash);
  EXPECT_NE(GenerateReport("daily", Milliseconds(0)).report_hash, a.report_hash);
}

TEST(GenerateReport, ComputesTheSimulatedSlowdownLongerWhileItIsOn) {
  SetSimulatedSlowdown(Milliseconds(40));
  ReportResult slowed = GenerateReport("monthly", Milliseconds(10));
  SetSimulatedSlowdown(Milliseconds(0));
  EXPECT_EQ(SimulatedSlowdown(), Milliseconds(0));
  // CPU time, not wall time: a lower bound that holds however busy the machine is.
  EXPECT_GE(slowed.cpu_time_seconds, 0.050);
}

TEST(AuthorisePayment, FailureRateOneAlwaysFailsAndZeroNeverFails) {
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(AuthorisePayment(1.0));
    EXPECT_TRUE(AuthorisePayment(0.0));
  }
}

TEST(AuthorisePayment, FailureRateHalfFailsAboutHalfTheTime) {
  int failures = 0;
  for (int i = 0; i < 10000; ++i) failures += AuthorisePayment(0.5) ? 0 : 1;
  EXPECT_NEAR(failures, 5000, 300);  // > 6 standard deviations
}

}  // namespace
}  // namespace flowbench
