#include "bench/run/timeseries.hpp"

#include <algorithm>
#include <cmath>

namespace flowbench::run {
namespace {

// Nearest rank, as the driver's histograms report percentiles (bench/stats/PERCENTILES.md).
std::optional<double> PercentileSeconds(std::vector<std::int64_t>& values, double percentile) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  auto rank =
      static_cast<std::size_t>(std::ceil(percentile / 100.0 * static_cast<double>(values.size())));
  rank = std::clamp<std::size_t>(rank, 1, values.size());
  return static_cast<double>(values[rank - 1]) * 1e-9;
}

}  // namespace

std::vector<report::SecondSample> PerSecond(const load::ScenarioRecording& recording,
                                            const JoinedScenario* joined, load::Duration warmup,
                                            load::Duration measured) {
  using std::chrono::seconds;
  auto count = static_cast<std::size_t>(std::ceil(std::chrono::duration<double>(measured).count()));
  std::vector<report::SecondSample> samples(count);
  std::vector<std::vector<std::int64_t>> answers(count), completions(count);
  for (std::size_t s = 0; s < count; ++s) samples[s].t = static_cast<double>(s);
  for (std::size_t i = 0; i < recording.requests.size(); ++i) {
    const load::RequestRecord& r = recording.requests[i];
    if (r.warmup || r.intended < warmup) continue;
    auto second = static_cast<std::size_t>((r.intended - warmup) / seconds(1));
    if (second >= count) continue;  // due after the window: never part of the offered load
    report::SecondSample& sample = samples[second];
    ++sample.offered;
    if (r.fate == load::RequestFate::kAnswered) ++sample.answered;
    if (r.fate != load::RequestFate::kAnswered || r.error) ++sample.errors;
    if (r.ended.count() >= 0) answers[second].push_back((r.ended - r.intended).count());
    if (joined != nullptr && joined->completion_ns[i] && *joined->completion_ns[i] >= 0) {
      completions[second].push_back(*joined->completion_ns[i]);
    }
  }
  for (std::size_t s = 0; s < count; ++s) {
    samples[s].answer_p50 = PercentileSeconds(answers[s], 50);
    samples[s].answer_p99 = PercentileSeconds(answers[s], 99);
    samples[s].completion_p99 = PercentileSeconds(completions[s], 99);
  }
  return samples;
}

std::vector<std::uint64_t> BacklogPerSecond(const load::ScenarioRecording& recording,
                                            const JoinedScenario& joined, load::Duration warmup,
                                            load::Duration measured) {
  auto count = static_cast<std::size_t>(std::ceil(std::chrono::duration<double>(measured).count()));
  std::vector<std::uint64_t> backlog(count, 0);
  constexpr auto kNever = load::Duration::max();
  for (std::size_t i = 0; i < recording.requests.size(); ++i) {
    const load::RequestRecord& r = recording.requests[i];
    load::Duration end = kNever;
    switch (r.fate) {
      case load::RequestFate::kDropped:
        continue;
      case load::RequestFate::kCut:
        break;
      case load::RequestFate::kFailed:
        end = r.ended;
        break;
      case load::RequestFate::kAnswered:
        if (!r.Accepted()) {
          end = r.ended;
        } else if (i < joined.work_ended_ns.size() && joined.work_ended_ns[i]) {
          end = load::Duration(*joined.work_ended_ns[i]);
        }
        break;
    }
    for (std::size_t s = 0; s < count; ++s) {
      load::Duration second_end = warmup + std::chrono::seconds(s + 1);
      if (r.intended <= second_end && end > second_end) ++backlog[s];
    }
  }
  return backlog;
}

}  // namespace flowbench::run
