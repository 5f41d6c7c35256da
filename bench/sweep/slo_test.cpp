#include "bench/sweep/slo.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace flowbench::sweep {
namespace {

TEST(SloFlag, SetsTheFigureQuantileAndAllowance) {
  SloAllowances a;
  ApplySloFlag("answer:p95<150ms", a);
  ApplySloFlag("completion:p99.9<2.5s", a);
  EXPECT_DOUBLE_EQ(a.answer.quantile, 0.95);
  EXPECT_DOUBLE_EQ(a.answer.limit_s, 0.150);
  EXPECT_DOUBLE_EQ(a.completion.quantile, 0.999);
  EXPECT_DOUBLE_EQ(a.completion.limit_s, 2.5);
}

TEST(SloFlag, RefusesWhatItCannotReadAndSaysWhy) {
  SloAllowances a;
  auto message = [&](const char* text) {
    try {
      ApplySloFlag(text, a);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("answer<200ms").find("not like"), std::string::npos);
  EXPECT_NE(message("latency:p99<200ms").find("'answer' or 'completion'"), std::string::npos);
  EXPECT_NE(message("answer:p42<200ms").find("p50, p90"), std::string::npos);
  EXPECT_NE(message("answer:p99<fast").find("not a duration"), std::string::npos);
  EXPECT_NE(message("answer:p99<200h").find("not a duration"), std::string::npos);
  EXPECT_DOUBLE_EQ(a.answer.limit_s, 0.200);  // unchanged by the refused ones
}

TEST(Slo, TheSyncAnswerWaitsForTheWorkTheAsyncAnswerDoesNot) {
  WorkloadSettings w;  // email 500 ms
  SloAllowances a;
  EXPECT_DOUBLE_EQ(AnswerSlo(Arch::kSync, "scenario1", w, a).limit_s, 0.700);
  EXPECT_DOUBLE_EQ(AnswerSlo(Arch::kAsync, "scenario1", w, a).limit_s, 0.200);
  EXPECT_DOUBLE_EQ(AnswerSlo(Arch::kSync, "scenario6", w, a).limit_s, 0.200);
}

TEST(Slo, CompletionIsTheScenariosWorkPlusTheAllowance) {
  WorkloadSettings w;
  SloAllowances a;
  EXPECT_DOUBLE_EQ(CompletionSlo("scenario3", w, a).limit_s, 5.2);  // 100 + 50 + 50 ms
  EXPECT_DOUBLE_EQ(CompletionSlo("scenario4", w, a).limit_s, 15.0);
  w.payment_gateway_delay = std::chrono::milliseconds(100);
  EXPECT_DOUBLE_EQ(CompletionSlo("scenario2", w, a).limit_s, 5.1);
  EXPECT_THROW(CompletionSlo("scenario9", w, a), std::invalid_argument);
}

}  // namespace
}  // namespace flowbench::sweep
