// The six scenario ids of CONTRACT.md §3 as constants. The id is a metric label, a k6
// scenario name and a report key: written as a literal, a typo would silently start a new
// label; written as one of these, it does not compile.
#pragma once

#include <string_view>

namespace flowbench::scenario {

inline constexpr std::string_view kEmailOnRegistration = "scenario1";
inline constexpr std::string_view kBackgroundPayment = "scenario2";
inline constexpr std::string_view kProductFanOut = "scenario3";
inline constexpr std::string_view kReportJob = "scenario4";
inline constexpr std::string_view kOrderSaga = "scenario5";
inline constexpr std::string_view kClickBuffering = "scenario6";

}  // namespace flowbench::scenario
