#include "bench/report/faults_section.hpp"

#include <algorithm>

#include "bench/report/aggregate.hpp"

namespace flowbench::report {
namespace {

struct Counts {
  std::uint64_t answered = 0;
  std::uint64_t errors = 0;
};

// Requests due in [from, to) seconds of the measured window, every scenario together.
Counts Between(const ProfileRun& run, double from, double to) {
  Counts c;
  for (const ScenarioResult& s : run.scenarios) {
    for (const SecondSample& second : s.timeseries) {
      if (second.t < from || second.t >= to) continue;
      c.answered += second.answered;
      c.errors += second.errors;
    }
  }
  return c;
}

std::string CountsText(const Counts& c) {
  return std::to_string(c.answered) + " / " + std::to_string(c.errors);
}

std::string OptionalSeconds(const std::optional<double>& s, const char* none) {
  return s ? Number(*s, 1) + " s" : none;
}

Outcomes Total(const ProfileRun& run) {
  Outcomes t;
  for (const ScenarioResult& s : run.scenarios) {
    if (!s.outcomes) continue;
    const Outcomes& o = *s.outcomes;
    t.accepted += o.accepted;
    t.done += o.done;
    t.degraded += o.degraded;
    t.compensated += o.compensated;
    t.failed += o.failed;
    t.dead_lettered += o.dead_lettered;
    t.withdrawn += o.withdrawn;
    t.duplicated += o.duplicated;
    t.unfinished += o.unfinished;
    t.lost += o.lost;
  }
  return t;
}

}  // namespace

void FaultsSection(std::ostringstream& md, const RunResults& r) {
  bool any = std::any_of(r.runs.begin(), r.runs.end(),
                         [](const ProfileRun& run) { return !run.faults.empty(); });
  if (!any) return;
  md << "## Faults\n\n"
     << "Injected with `--fault` at the same moment of each build's measured window (seconds "
        "from its start). Answered / errors count the requests due in that stretch, every "
        "scenario together; *after* runs from the fault's end to the end of the window. "
        "Recovered: from the fault's end to the first second with answers and no error. "
        "Back: when the component answered again.\n\n";
  for (const ProfileRun& run : r.runs) {
    if (run.faults.empty()) continue;
    md << "### " << run.arch << " / " << run.profile << " / repeat " << run.repeat << "\n\n"
       << "| fault | window | answered / errors during | answered / errors after | "
          "recovered after | back at | problem |\n"
       << "|---|---|---|---|---|---|---|\n";
    for (const Fault& f : run.faults) {
      double end = f.start_s + f.duration_s;
      md << "| " << f.kind << (f.kind.starts_with("service") ? ":" + f.target : "") << " | "
         << Number(f.start_s, 1) << "–" << Number(end, 1) << " s | "
         << CountsText(Between(run, f.start_s, end)) << " | "
         << CountsText(Between(run, end, run.duration_seconds + 1)) << " | "
         << OptionalSeconds(f.recovery_s, "not within the window") << " | "
         << OptionalSeconds(f.restored_s, "**not back**") << " | "
         << (f.error.empty() ? "" : f.error) << " |\n";
    }
    Outcomes t = Total(run);
    md << "\nDrain: " << Number(run.drain_seconds, 1) << " s"
       << (run.drained ? "" : " (**deadline passed**: the figures are lower bounds)")
       << ". Every accepted request: accepted " << t.accepted << ", done " << t.done
       << ", degraded " << t.degraded << ", compensated " << t.compensated << ", failed "
       << t.failed << ", dead_lettered " << t.dead_lettered << ", withdrawn " << t.withdrawn
       << ", duplicated " << t.duplicated << ", unfinished " << t.unfinished << ", **lost "
       << t.lost << "**.\n\n";
  }
}

}  // namespace flowbench::report
