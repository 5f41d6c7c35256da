#include "common/domain/statuses.hpp"

#include <array>
#include <utility>

namespace flowbench {
namespace {

template <typename Status, std::size_t N>
using Names = std::array<std::pair<Status, std::string_view>, N>;

constexpr Names<PaymentStatus, 3> kPaymentNames{{{PaymentStatus::kProcessing, "processing"},
                                                 {PaymentStatus::kSucceeded, "succeeded"},
                                                 {PaymentStatus::kFailed, "failed"}}};
constexpr Names<ReportStatus, 3> kReportNames{{{ReportStatus::kQueued, "queued"},
                                               {ReportStatus::kRunning, "running"},
                                               {ReportStatus::kCompleted, "completed"}}};
constexpr Names<OrderStatus, 3> kOrderNames{{{OrderStatus::kPending, "pending"},
                                             {OrderStatus::kConfirmed, "confirmed"},
                                             {OrderStatus::kFailed, "failed"}}};
constexpr Names<AuthorisationState, 3> kAuthorisationNames{
    {{AuthorisationState::kAuthorized, "authorized"},
     {AuthorisationState::kDeclined, "declined"},
     {AuthorisationState::kVoided, "voided"}}};

template <typename Status, std::size_t N>
std::string_view NameOf(const Names<Status, N>& names, Status status) {
  for (const auto& [value, name] : names) {
    if (value == status) return name;
  }
  return "unknown";  // unreachable: every enumerator has a name
}

template <typename Status, std::size_t N>
std::optional<Status> ValueOf(const Names<Status, N>& names, std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view ToString(PaymentStatus status) { return NameOf(kPaymentNames, status); }
std::string_view ToString(ReportStatus status) { return NameOf(kReportNames, status); }
std::string_view ToString(OrderStatus status) { return NameOf(kOrderNames, status); }
std::string_view ToString(AuthorisationState state) { return NameOf(kAuthorisationNames, state); }

std::optional<PaymentStatus> ParsePaymentStatus(std::string_view text) {
  return ValueOf(kPaymentNames, text);
}
std::optional<ReportStatus> ParseReportStatus(std::string_view text) {
  return ValueOf(kReportNames, text);
}
std::optional<OrderStatus> ParseOrderStatus(std::string_view text) {
  return ValueOf(kOrderNames, text);
}
std::optional<AuthorisationState> ParseAuthorisationState(std::string_view text) {
  return ValueOf(kAuthorisationNames, text);
}

}  // namespace flowbench
