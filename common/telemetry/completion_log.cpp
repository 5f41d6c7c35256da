#include "common/telemetry/completion_log.hpp"

#include <array>
#include <chrono>
#include <random>
#include <stdexcept>
#include <utility>

namespace flowbench {
namespace {

constexpr std::array<std::pair<WorkOutcome, std::string_view>, 6> kOutcomeNames = {{
    {WorkOutcome::kDone, "done"},
    {WorkOutcome::kDegraded, "degraded"},
    {WorkOutcome::kCompensated, "compensated"},
    {WorkOutcome::kFailed, "failed"},
    {WorkOutcome::kDeadLettered, "dead_lettered"},
    {WorkOutcome::kWithdrawn, "withdrawn"},
}};

std::uint64_t NewEpoch() {
  std::random_device device;
  return (std::uint64_t{device()} << 32) | device();
}

std::int64_t NowUnixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const boost::json::value& Field(const boost::json::object& object, std::string_view name) {
  const boost::json::value* value = object.if_contains(name);
  if (value == nullptr)
    throw std::invalid_argument("completions: no \"" + std::string(name) + "\"");
  return *value;
}

std::uint64_t Unsigned(const boost::json::object& object, std::string_view name) {
  const boost::json::value& value = Field(object, name);
  if (value.is_uint64()) return value.as_uint64();
  if (value.is_int64() && value.as_int64() >= 0)
    return static_cast<std::uint64_t>(value.as_int64());
  throw std::invalid_argument("completions: \"" + std::string(name) + "\" is not a count");
}

}  // namespace

std::string_view OutcomeName(WorkOutcome outcome) {
  for (const auto& [value, name] : kOutcomeNames) {
    if (value == outcome) return name;
  }
  throw std::logic_error("an outcome without a name");
}

std::optional<WorkOutcome> ParseOutcome(std::string_view name) {
  for (const auto& [value, known] : kOutcomeNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

CompletionLog::CompletionLog(std::size_t capacity) : epoch_(NewEpoch()), ring_(capacity) {
  if (capacity == 0) throw std::invalid_argument("a completion log needs room for one record");
}

void CompletionLog::Record(std::string_view request_id, std::string_view scenario,
                           WorkOutcome outcome, std::int64_t end_unix_ns) {
  if (request_id.empty()) return;
  request_id = request_id.substr(0, kMaxRequestIdLength);
  std::lock_guard lock(mutex_);
  CompletionRecord& slot = ring_[recorded_ % ring_.size()];
  slot.request_id.assign(request_id);  // reuses the slot's buffer: no allocation once warm
  slot.scenario.assign(scenario);
  slot.outcome = outcome;
  slot.end_unix_ns = end_unix_ns;
  ++recorded_;
}

void CompletionLog::Record(std::string_view request_id, std::string_view scenario,
                           WorkOutcome outcome) {
  Record(request_id, scenario, outcome, NowUnixNs());
}

CompletionPage CompletionLog::After(std::uint64_t cursor, std::size_t limit) const {
  CompletionPage page;
  page.epoch = epoch_;
  std::lock_guard lock(mutex_);
  std::uint64_t oldest = recorded_ > ring_.size() ? recorded_ - ring_.size() : 0;
  if (cursor > recorded_) cursor = recorded_;  // a cursor from another epoch: start afresh
  if (cursor < oldest) {
    page.missed = oldest - cursor;
    cursor = oldest;
  }
  std::uint64_t end = std::min<std::uint64_t>(recorded_, cursor + limit);
  page.records.reserve(end - cursor);
  for (std::uint64_t i = cursor; i < end; ++i) page.records.push_back(ring_[i % ring_.size()]);
  page.next_cursor = end;
  return page;
}

boost::json::object ToJson(const CompletionPage& page) {
  boost::json::array records;
  records.reserve(page.records.size());
  for (const CompletionRecord& r : page.records) {
    records.push_back({{"request_id", r.request_id},
                       {"scenario", r.scenario},
                       {"outcome", OutcomeName(r.outcome)},
                       {"end_unix_ns", r.end_unix_ns}});
  }
  return {{"epoch", page.epoch},
          {"next_cursor", page.next_cursor},
          {"missed", page.missed},
          {"records", std::move(records)}};
}

CompletionPage CompletionPageFromJson(const boost::json::value& json) {
  if (!json.is_object()) throw std::invalid_argument("completions: not a JSON object");
  const boost::json::object& object = json.as_object();
  CompletionPage page;
  page.epoch = Unsigned(object, "epoch");
  page.next_cursor = Unsigned(object, "next_cursor");
  page.missed = Unsigned(object, "missed");
  const boost::json::value& records = Field(object, "records");
  if (!records.is_array()) throw std::invalid_argument("completions: \"records\" is not a list");
  for (const boost::json::value& item : records.as_array()) {
    if (!item.is_object()) throw std::invalid_argument("completions: a record is not an object");
    const boost::json::object& r = item.as_object();
    const boost::json::value& outcome = Field(r, "outcome");
    std::optional<WorkOutcome> parsed =
        outcome.is_string() ? ParseOutcome(outcome.as_string()) : std::nullopt;
    if (!parsed) throw std::invalid_argument("completions: unknown outcome");
    const boost::json::value& id = Field(r, "request_id");
    const boost::json::value& scenario = Field(r, "scenario");
    const boost::json::value& end = Field(r, "end_unix_ns");
    if (!id.is_string() || !scenario.is_string() || !end.is_int64()) {
      throw std::invalid_argument("completions: a record's fields have the wrong types");
    }
    page.records.push_back(
        {std::string(id.as_string()), std::string(scenario.as_string()), *parsed, end.as_int64()});
  }
  return page;
}

}  // namespace flowbench
