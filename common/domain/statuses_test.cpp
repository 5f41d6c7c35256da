#include "common/domain/statuses.hpp"

#include <gtest/gtest.h>

namespace flowbench {
namespace {

TEST(Statuses, EveryStatusRoundTripsThroughItsText) {
  for (auto s : {PaymentStatus::kProcessing, PaymentStatus::kSucceeded, PaymentStatus::kFailed}) {
    EXPECT_EQ(ParsePaymentStatus(ToString(s)), s) << ToString(s);
  }
  for (auto s : {ReportStatus::kQueued, ReportStatus::kRunning, ReportStatus::kCompleted}) {
    EXPECT_EQ(ParseReportStatus(ToString(s)), s) << ToString(s);
  }
  for (auto s : {OrderStatus::kPending, OrderStatus::kConfirmed, OrderStatus::kFailed}) {
    EXPECT_EQ(ParseOrderStatus(ToString(s)), s) << ToString(s);
  }
  for (auto s : {AuthorisationState::kAuthorized, AuthorisationState::kDeclined,
                 AuthorisationState::kVoided}) {
    EXPECT_EQ(ParseAuthorisationState(ToString(s)), s) << ToString(s);
  }
}

TEST(Statuses, TheTextsAreTheContracts) {
  EXPECT_EQ(ToString(OrderStatus::kPending), "pending");
  EXPECT_EQ(ToString(OrderStatus::kConfirmed), "confirmed");
  EXPECT_EQ(ToString(PaymentStatus::kSucceeded), "succeeded");
  EXPECT_EQ(ToString(ReportStatus::kQueued), "queued");
  EXPECT_EQ(ToString(AuthorisationState::kAuthorized), "authorized");  // as POST /authorize says
  EXPECT_EQ(ToString(AuthorisationState::kVoided), "voided");
}

TEST(Statuses, UnknownTextIsNoStatus) {
  EXPECT_FALSE(ParseOrderStatus("maybe"));
  EXPECT_FALSE(ParsePaymentStatus("Succeeded"));
  EXPECT_FALSE(ParseReportStatus(""));
}

}  // namespace
}  // namespace flowbench
