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
//
// Optionally journaled (`--completion-journal DIR`, which `flowbench run` passes): every
// record is also appended to a file, one line per record, and a process started on an
// existing journal begins with its records, their numbers and its epoch. A service killed
// (`--fault service-kill:NAME`) and started again then continues where it stopped: the
// records it made after the driver's last read are not lost with the process. One write(2)
// per record into the page cache (no fsync: a process's death is the fault to survive, not
// the machine's).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <filesystem>
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
  // Journaled in `journal` (created if absent, continued if not; an empty path: not
  // journaled). Throws std::runtime_error when the file cannot be opened or is not a
  // completion journal.
  CompletionLog(std::size_t capacity, const std::filesystem::path& journal);
  ~CompletionLog();
  CompletionLog(const CompletionLog&) = delete;
  CompletionLog& operator=(const CompletionLog&) = delete;

  // Thread-safe; a request without an id (not sent by the driver) is not recorded.
  void Record(std::string_view request_id, std::string_view scenario, WorkOutcome outcome,
              std::int64_t end_unix_ns);
  void Record(std::string_view request_id, std::string_view scenario, WorkOutcome outcome);

  // The records numbered `cursor` and on (at most `limit`), oldest first.
  CompletionPage After(std::uint64_t cursor, std::size_t limit = 10'000) const;

  std::uint64_t epoch() const { return epoch_; }

 private:
  void Store(std::string_view request_id, std::string_view scenario, WorkOutcome outcome,
             std::int64_t end_unix_ns);  // into the ring; the caller holds the mutex
  void LoadJournal(const std::filesystem::path& journal);

  std::uint64_t epoch_;
  int journal_fd_ = -1;
  mutable std::mutex mutex_;
  std::vector<CompletionRecord> ring_;
  std::uint64_t recorded_ = 0;  // records ever written; the next one gets this number
};

boost::json::object ToJson(const CompletionPage& page);
// Throws std::invalid_argument naming what is missing or malformed.
CompletionPage CompletionPageFromJson(const boost::json::value& json);
// The same from the body as it came (what the driver's collector reads, one record per
// request). Throws std::invalid_argument when it is not a completions page.
CompletionPage CompletionPageFromText(std::string_view text);

}  // namespace flowbench
