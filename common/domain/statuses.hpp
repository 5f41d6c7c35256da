// The states a payment, a report job and an order go through, as enums; their text is what
// the database stores and the JSON answers say ("pending", "confirmed", ...), spelt here
// once. Parsing text that is none of them gives nullopt.
#pragma once

#include <optional>
#include <string_view>

namespace flowbench {

enum class PaymentStatus { kProcessing, kSucceeded, kFailed };
enum class ReportStatus { kQueued, kRunning, kCompleted };
enum class OrderStatus { kPending, kConfirmed, kFailed };
// The saga's payment authorisation of one order (sync build: payment's GET /authorizations/{id}).
// Voided: cancelled by the order service, or refused because a void came first.
enum class AuthorisationState { kAuthorized, kDeclined, kVoided };

std::string_view ToString(PaymentStatus status);
std::string_view ToString(ReportStatus status);
std::string_view ToString(OrderStatus status);
std::string_view ToString(AuthorisationState state);

std::optional<PaymentStatus> ParsePaymentStatus(std::string_view text);
std::optional<ReportStatus> ParseReportStatus(std::string_view text);
std::optional<OrderStatus> ParseOrderStatus(std::string_view text);
std::optional<AuthorisationState> ParseAuthorisationState(std::string_view text);

}  // namespace flowbench
