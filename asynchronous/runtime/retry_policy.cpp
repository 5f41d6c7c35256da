#include "asynchronous/runtime/retry_policy.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <stdexcept>

#include "common/domain/errors.hpp"

namespace flowbench::async {
namespace {

bool IsDependencySqlState(std::string_view state) {
  return state.starts_with("08") || state.starts_with("57P0") || state == "57014" ||
         state == "53300" || state == "40001" || state == "40P01";
}

}  // namespace

FailureKind ClassifyFailure(const std::exception& error) {
  if (dynamic_cast<const ServiceUnavailable*>(&error) != nullptr ||
      dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr ||
      dynamic_cast<const pqxx::transaction_rollback*>(&error) != nullptr) {
    return FailureKind::kDependency;
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    return IsDependencySqlState(sql->sqlstate()) ? FailureKind::kDependency : FailureKind::kHandler;
  }
  if (const auto* client = dynamic_cast<const ClientError*>(&error)) {
    if (client->status() == 400 || client->status() == 422) return FailureKind::kUndecodable;
  }
  return FailureKind::kHandler;
}

std::string_view FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kDependency:
      return "dependency";
    case FailureKind::kUndecodable:
      return "undecodable";
    case FailureKind::kHandler:
      return "handler";
  }
  throw std::logic_error("unknown failure kind");
}

std::chrono::milliseconds RetryPolicy::DelayOf(int retry) const {
  return topology::RetrySchedule{attempts_, base_delay_}.DelayOf(retry);
}

std::vector<std::string> RetryPolicy::DelayQueues(const std::string& queue) const {
  std::vector<std::string> names;
  for (int retry = 1; retry <= attempts_; ++retry)
    names.push_back(DelayQueue(queue, DelayOf(retry)));
  return names;
}

RetryStep RetryPolicy::AfterFailure(const std::string& queue, int attempt, FailureKind kind) const {
  attempt = std::max(attempt, 0);
  if (attempt >= attempts_ || kind == FailureKind::kUndecodable)
    return RetryStep{true, std::chrono::milliseconds(0), DeadLetterQueue(queue), attempt};
  std::chrono::milliseconds delay = DelayOf(attempt + 1);
  return RetryStep{false, delay, DelayQueue(queue, delay), attempt + 1};
}

std::chrono::milliseconds RetryPolicy::DependencyDelay(int consecutive) const {
  std::chrono::milliseconds longest =
      std::max(base_delay_, attempts_ > 0 ? DelayOf(attempts_) : base_delay_);
  std::chrono::milliseconds delay = base_delay_;
  for (int n = 1; n < consecutive && delay < longest; ++n) delay *= 2;
  return std::min(delay, longest);
}

}  // namespace flowbench::async
