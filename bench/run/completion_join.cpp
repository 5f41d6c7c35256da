#include "bench/run/completion_join.hpp"

#include <charconv>
#include <unordered_map>

namespace flowbench::run {
namespace {

void Count(report::Outcomes& o, WorkOutcome outcome) {
  switch (outcome) {
    case WorkOutcome::kDone:
      ++o.done;
      break;
    case WorkOutcome::kDegraded:
      ++o.degraded;
      break;
    case WorkOutcome::kCompensated:
      ++o.compensated;
      break;
    case WorkOutcome::kFailed:
      ++o.failed;
      break;
    case WorkOutcome::kDeadLettered:
      ++o.dead_lettered;
      break;
    case WorkOutcome::kWithdrawn:
      ++o.withdrawn;
      break;
  }
}

}  // namespace

std::optional<std::uint64_t> IterationOf(std::string_view id, std::string_view prefix) {
  if (!id.starts_with(prefix)) return std::nullopt;
  std::string_view digits = id.substr(prefix.size());
  std::uint64_t iteration = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), iteration);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return iteration;
}

bool IsCompletion(WorkOutcome outcome) {
  return outcome == WorkOutcome::kDone || outcome == WorkOutcome::kCompensated;
}

std::vector<JoinedScenario> JoinCompletions(std::span<const load::ScenarioRecording> recordings,
                                            std::span<const std::string> prefixes,
                                            std::span<const CompletionRecord> records,
                                            const JoinClock& clock, bool work_left) {
  std::vector<JoinedScenario> joined(recordings.size());
  // Per scenario: iteration -> index into its requests; per request: its records, by end time.
  std::vector<std::unordered_map<std::uint64_t, std::size_t>> index(recordings.size());
  std::vector<std::vector<std::vector<const CompletionRecord*>>> found(recordings.size());
  for (std::size_t s = 0; s < recordings.size(); ++s) {
    const std::vector<load::RequestRecord>& requests = recordings[s].requests;
    index[s].reserve(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) index[s][requests[i].iteration] = i;
    found[s].resize(requests.size());
    joined[s].completion_ns.resize(requests.size());
    joined[s].work_ended_ns.resize(requests.size());
  }
  for (const CompletionRecord& record : records) {
    bool matched = false;
    for (std::size_t s = 0; s < recordings.size() && !matched; ++s) {
      std::optional<std::uint64_t> iteration = IterationOf(record.request_id, prefixes[s]);
      if (!iteration) continue;
      auto it = index[s].find(*iteration);
      if (it == index[s].end()) break;  // our prefix, an iteration never sent
      found[s][it->second].push_back(&record);
      matched = true;
    }
    if (matched || recordings.empty()) continue;
    std::size_t named = 0;
    for (std::size_t s = 0; s < recordings.size(); ++s) {
      if (recordings[s].name == record.scenario) named = s;
    }
    ++joined[named].outcomes.unknown_ids;
  }

  for (std::size_t s = 0; s < recordings.size(); ++s) {
    const std::vector<load::RequestRecord>& requests = recordings[s].requests;
    JoinedScenario& j = joined[s];
    for (std::size_t i = 0; i < requests.size(); ++i) {
      const load::RequestRecord& request = requests[i];
      if (!request.Accepted()) continue;
      std::vector<const CompletionRecord*>& mine = found[s][i];
      if (mine.empty()) ++j.awaiting;
      // The first end counts; a second record means the work (or part of it) ran twice.
      const CompletionRecord* first = nullptr;
      for (const CompletionRecord* r : mine) {
        if (first == nullptr || r->end_unix_ns < first->end_unix_ns) first = r;
      }
      if (first != nullptr) {
        j.work_ended_ns[i] = first->end_unix_ns - clock.service_offset_ns - clock.start_unix_ns;
      }
      if (request.warmup) continue;
      report::Outcomes& o = j.outcomes;
      ++o.accepted;
      if (first == nullptr) {
        ++(work_left ? o.unfinished : o.lost);
        continue;
      }
      if (mine.size() > 1) ++o.duplicated;
      Count(o, first->outcome);
      if (!IsCompletion(first->outcome)) continue;
      std::int64_t intended_unix_ns = clock.start_unix_ns + request.intended.count();
      std::int64_t latency = first->end_unix_ns - clock.service_offset_ns - intended_unix_ns;
      j.completion_ns[i] = latency;
      // A clock offset misjudged by more than the work took gives a negative latency: it
      // cannot be charted, so it is counted and reported instead of dropped in silence.
      if (latency >= 0) {
        j.completion.Record(latency);
      } else {
        ++j.before_intended;
      }
    }
  }
  return joined;
}

}  // namespace flowbench::run
