#include "bench/run/live_completion.hpp"

#include <algorithm>

namespace flowbench::run {

LiveCompletion::LiveCompletion(std::vector<LiveCompletionScenario> scenarios, load::Duration warmup)
    : scenarios_(std::move(scenarios)), warmup_(warmup), seen_(scenarios_.size()) {
  for (std::size_t s = 0; s < scenarios_.size(); ++s) {
    if (scenarios_[s].schedule) seen_[s].resize(scenarios_[s].schedule->ScheduledIterations());
  }
}

void LiveCompletion::JoinNew(const std::vector<CompletionRecord>& records, const JoinClock& clock) {
  std::lock_guard lock(mutex_);
  for (; joined_ < records.size(); ++joined_) Join(records[joined_], clock);
}

void LiveCompletion::Join(const CompletionRecord& record, const JoinClock& clock) {
  if (!IsCompletion(record.outcome)) return;
  for (std::size_t s = 0; s < scenarios_.size(); ++s) {
    std::optional<std::uint64_t> iteration =
        IterationOf(record.request_id, scenarios_[s].request_id_prefix);
    if (!iteration) continue;
    // Ours, but a closed loop's or past the schedule: no intended time known now.
    if (!scenarios_[s].schedule || *iteration >= seen_[s].size()) return;
    std::optional<load::Duration> offset = scenarios_[s].schedule->OffsetOf(*iteration);
    if (!offset || *offset < warmup_ || seen_[s][*iteration]) return;
    seen_[s][*iteration] = true;
    std::int64_t intended_unix_ns = clock.start_unix_ns + offset->count();
    std::int64_t latency = record.end_unix_ns - clock.service_offset_ns - intended_unix_ns;
    if (latency >= 0) {
      completion_.Record(latency);
    } else {
      ++before_intended_;
    }
    return;
  }
}

LiveCompletionFigures LiveCompletion::Figures() const {
  std::lock_guard lock(mutex_);
  LiveCompletionFigures f;
  f.completions = completion_.Count();
  auto open = [](const LiveCompletionScenario& s) { return s.schedule.has_value(); };
  const auto tracked =
      static_cast<std::size_t>(std::count_if(scenarios_.begin(), scenarios_.end(), open));
  if (tracked == 0) {
    f.note =
        "closed loop: a request's intended send time is its send time, known after the run "
        "(completion in the report)";
    return f;
  }
  if (f.completions > 0) {
    f.p50_s = static_cast<double>(completion_.Percentile(50)) * 1e-9;
    f.p99_s = static_cast<double>(completion_.Percentile(99)) * 1e-9;
  } else {
    f.note = "no completion in the measured window yet";
  }
  if (tracked < scenarios_.size()) {
    std::string closed;
    for (const LiveCompletionScenario& s : scenarios_) {
      if (open(s)) continue;
      closed += (closed.empty() ? "" : ", ") + s.name;
    }
    f.note += (f.note.empty() ? "" : "; ") +
              ("open-loop scenarios only (" + closed + ": closed loop, completion in the report)");
  }
  if (before_intended_ > 0) {
    f.note += (f.note.empty() ? "" : "; ") + std::to_string(before_intended_) +
              " records end before their intended send (the clock offset misjudged)";
  }
  return f;
}

}  // namespace flowbench::run
