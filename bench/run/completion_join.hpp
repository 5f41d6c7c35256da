// The driver's side of exact completion: each request it sent carried an id (X-Request-Id =
// the scenario's prefix + iteration); the services recorded the end of each request's work
// under that id. Joining the two gives, per request, what became of the work and how long it
// took from the moment the driver meant to send it (CONTRACT.md §5). Pure data in, data out:
// tested without servers.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/load/load_run.hpp"
#include "bench/report/results.hpp"
#include "bench/stats/latency_histogram.hpp"
#include "common/telemetry/completion_log.hpp"

namespace flowbench::run {

struct JoinedScenario {
  report::Outcomes outcomes;  // of the measured window's accepted requests
  // From the intended send to the end of the work, of requests whose work was done or
  // compensated (a degraded, failed or lost request is not a completion).
  stats::LatencyHistogram completion;
  // Per request (parallel to the recording's `requests`): its completion latency, when it has
  // one that counts.
  std::vector<std::optional<std::int64_t>> completion_ns;
  // Per request, warm-up included: when its work ended (whatever the outcome), in nanoseconds
  // since the load's start on the driver's clock; nullopt: no record (yet). What the backlog
  // series counts down.
  std::vector<std::optional<std::int64_t>> work_ended_ns;
  // Accepted requests of the whole run (warm-up included) without a record yet: the drain
  // waits for these.
  std::uint64_t awaiting = 0;
  // Completions that appear to end before their request was meant to start: only a clock
  // offset misjudged (a --target's) can do that; reported as a problem of the run.
  std::uint64_t before_intended = 0;
};

struct JoinClock {
  std::int64_t start_unix_ns = 0;      // the load's start on the driver's system clock
  std::int64_t service_offset_ns = 0;  // the services' clock minus the driver's
};

// The iteration a request id of this prefix names (prefix + decimal iteration); nullopt for an
// id of another prefix.
std::optional<std::uint64_t> IterationOf(std::string_view id, std::string_view prefix);

// Whether a record's outcome is a completion: the work was done or compensated (a degraded,
// failed, dead-lettered or withdrawn request is not).
bool IsCompletion(WorkOutcome outcome);

// `prefixes[i]` is recordings[i]'s request id prefix. `work_left` says whether any queue still
// held messages when the records were read: an accepted request without a record is then
// `unfinished` (its work may still come), else `lost`. Records for ids this run never sent
// count as unknown_ids of the scenario they name (or of the first scenario when it names none
// of them).
std::vector<JoinedScenario> JoinCompletions(std::span<const load::ScenarioRecording> recordings,
                                            std::span<const std::string> prefixes,
                                            std::span<const CompletionRecord> records,
                                            const JoinClock& clock, bool work_left);

}  // namespace flowbench::run
