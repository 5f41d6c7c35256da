#include "common/telemetry/completion_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "common/telemetry/log.hpp"

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

CompletionLog::CompletionLog(std::size_t capacity, const std::filesystem::path& journal)
    : CompletionLog(capacity) {
  if (journal.empty()) return;
  LoadJournal(journal);
  journal_fd_ = ::open(journal.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (journal_fd_ < 0) {
    throw std::runtime_error("cannot open the completion journal " + journal.string() + ": " +
                             std::strerror(errno));
  }
  if (recorded_ == 0 && ::lseek(journal_fd_, 0, SEEK_END) == 0) {
    std::string header = "flowbench-completions 1 " + std::to_string(epoch_) + "\n";
    if (::write(journal_fd_, header.data(), header.size()) != static_cast<ssize_t>(header.size())) {
      throw std::runtime_error("cannot write the completion journal " + journal.string());
    }
  }
}

CompletionLog::~CompletionLog() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
}

// Line 1: "flowbench-completions 1 EPOCH"; then "END_NS OUTCOME SCENARIO REQUEST_ID" per
// record (the id last: it may hold spaces, never a newline). A last line without its newline
// was cut by the process's death mid-write: it is dropped (and cut off the file).
void CompletionLog::LoadJournal(const std::filesystem::path& journal) {
  std::ifstream in(journal, std::ios::binary);
  if (!in) return;  // a new journal
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content.empty()) return;
  std::size_t line_start = 0;
  bool header = true;
  while (line_start < content.size()) {
    std::size_t newline = content.find('\n', line_start);
    if (newline == std::string::npos) {
      std::filesystem::resize_file(journal, line_start);  // the torn last record
      break;
    }
    std::istringstream line(content.substr(line_start, newline - line_start));
    line_start = newline + 1;
    if (header) {
      std::string magic;
      int version = 0;
      if (!(line >> magic >> version >> epoch_) || magic != "flowbench-completions" ||
          version != 1) {
        throw std::runtime_error(journal.string() + " is not a flowbench completion journal");
      }
      header = false;
      continue;
    }
    std::int64_t end_unix_ns = 0;
    std::string outcome, scenario, request_id;
    line >> end_unix_ns >> outcome >> scenario;
    line.get();  // the space before the id
    std::getline(line, request_id);
    std::optional<WorkOutcome> parsed = ParseOutcome(outcome);
    if (!line.eof() || !parsed || request_id.empty()) {
      throw std::runtime_error(journal.string() + ": a malformed record after record " +
                               std::to_string(recorded_));
    }
    Store(request_id, scenario, *parsed, end_unix_ns);
  }
}

void CompletionLog::Store(std::string_view request_id, std::string_view scenario,
                          WorkOutcome outcome, std::int64_t end_unix_ns) {
  CompletionRecord& slot = ring_[recorded_ % ring_.size()];
  slot.request_id.assign(request_id);  // reuses the slot's buffer: no allocation once warm
  slot.scenario.assign(scenario);
  slot.outcome = outcome;
  slot.end_unix_ns = end_unix_ns;
  ++recorded_;
}

void CompletionLog::Record(std::string_view request_id, std::string_view scenario,
                           WorkOutcome outcome, std::int64_t end_unix_ns) {
  if (request_id.empty()) return;
  request_id = request_id.substr(0, kMaxRequestIdLength);
  std::lock_guard lock(mutex_);
  if (journal_fd_ >= 0) {
    // Under the lock: the journal's order is the ring's numbering.
    std::string line = std::to_string(end_unix_ns) + " " + std::string(OutcomeName(outcome)) + " " +
                       std::string(scenario) + " " + std::string(request_id) + "\n";
    if (::write(journal_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      // The record stays in the ring; only a restart could lose it now. Said, not hidden.
      log::Error("completion journal: a record was not written", {{"error", std::strerror(errno)}});
    }
  }
  Store(request_id, scenario, outcome, end_unix_ns);
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
