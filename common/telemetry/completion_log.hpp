// The exact end of each request's work, for the driver: when the last piece of a scenario's
// work ends (email sent, payment settled, order confirmed or compensated, ...), the service
// records the request's id (the driver's X-Request-Id), its scenario, its outcome and the
// time. The driver reads the records back (GET /completions?after=CURSOR) during and after
// the load and joins them to its own intended send times: completion latency per request,
// not read off histogram buckets.
//
// A bounded ring in memory: no database write, the same cost in both builds (measured in
// completion_log_benchmark). When the driver reads too slowly the oldest records are
// overwritten, and the page says how many it missed: an overflow is reported, never silent.
// `epoch` changes with every process start, so a reader notices a restarted service.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowbench {

// How the work a request started ended (CONTRACT.md §5).
enum class WorkOutcome {
  kDone,          // all of it happened
  kDegraded,      // the answer said success but part of it did not happen (an email not sent)
  kCompensated,   // the saga undid what it had done (stock released)
  kFailed,        // it ended without the work and without compensation
  kDeadLettered,  // a message of it was given up on
  kWithdrawn,     // the front withdrew it (the broker refused its event) and said so
};
std::string_view OutcomeName(WorkOutcome outcome);
std::optional<WorkOutcome> ParseOutcome(std::string_view name);

struct CompletionRecord {
  std::string request_id;
  std::string scenario;
  WorkOutcome outcome = WorkOutcome::kDone;
  std::int64_t end_unix_ns = 0;  // system clock, comparable with the driver's after an offset
};

struct CompletionPage {
  std::uint64_t epoch = 0;        // the process start this log belongs to
  std::uint64_t next_cursor = 0;  // ask for `after=next_cursor` next time
  std::uint64_t missed = 0;       // records after the cursor overwritten before this read
  std::vector<CompletionRecord> records;
};

class CompletionLog {
 public:
  static constexpr std::size_t kDefaultCapacity = 1 << 16;
  static constexpr std::size_t kMaxRequestIdLength = 64;  // longer ids are cut, not refused

  explicit CompletionLog(std::size_t capacity = kDefaultCapacity);

  // Thread-safe; a request without an id (not sent by the driver) is not recorded.
  void Record(std::string_view request_id, std::string_view scenario, WorkOutcome outcome,
              std::int64_t end_unix_ns);
  void Record(std::string_view request_id, std::string_view scenario, WorkOutcome outcome);

  // The records numbered `cursor` and on (at most `limit`), oldest first.
  CompletionPage After(std::uint64_t cursor, std::size_t limit = 10'000) const;

  std::uint64_t epoch() const { return epoch_; }

 private:
  const std::uint64_t epoch_;
  mutable std::mutex mutex_;
  std::vector<CompletionRecord> ring_;
  std::uint64_t recorded_ = 0;  // records ever written; the next one gets this number
};

boost::json::object ToJson(const CompletionPage& page);
// Throws std::invalid_argument naming what is missing or malformed.
CompletionPage CompletionPageFromJson(const boost::json::value& json);

}  // namespace flowbench
