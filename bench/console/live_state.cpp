#include "bench/console/live_state.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cmath>

namespace flowbench::console {
namespace {

std::string FaultName(const run::FaultSpec& f) {
  std::string name(run::FaultKindName(f.kind));
  if (!f.target.empty()) name += ":" + f.target;
  return name;
}

std::string Seconds(double s) { return std::to_string(static_cast<long long>(std::floor(s))); }

bool SameRun(const LiveRun& run, const run::Progress& p) {
  return run.arch == p.arch && run.profile == p.profile && run.repeat == p.repeat;
}

// A load update that cannot continue the last run's series: that run drained already, or the
// clock went back (a sweep's next step of the same build and profile).
bool StartsAgain(const LiveRun& run, const run::Progress& p) {
  if (p.draining || run.points.empty()) return false;
  const LivePoint& last = run.points.back();
  return last.phase == "draining" || p.elapsed_s + 0.5 < last.t;
}

boost::json::value Nullable(std::optional<double> v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::object PointJson(const LivePoint& p) {
  return {{"t", p.t},
          {"phase", p.phase},
          {"offered_per_s", p.offered_per_s},
          {"answered_per_s", p.answered_per_s},
          {"p50_ms", p.p50_ms},
          {"p99_ms", p.p99_ms},
          {"completion_p50_ms", Nullable(p.completion_p50_ms)},
          {"completion_p99_ms", Nullable(p.completion_p99_ms)},
          {"completions", p.completions},
          {"completion_note", p.completion_note},
          {"errors", p.errors},
          {"dropped", p.dropped},
          {"backlog", p.backlog},
          {"fault", p.fault}};
}

}  // namespace

std::string FaultPhase(const std::vector<run::FaultSpec>& faults, double measured_s) {
  if (faults.empty()) return "";
  std::string on, next;
  double next_at = 0;
  for (const run::FaultSpec& f : faults) {
    double start = std::chrono::duration<double>(f.start).count();
    double length = std::chrono::duration<double>(f.duration).count();
    if (measured_s >= start && measured_s < start + length) {
      if (!on.empty()) on += ", ";
      on += FaultName(f) + " on (" + Seconds(measured_s - start) + " of " + Seconds(length) + " s)";
    } else if (measured_s < start && (next.empty() || start < next_at)) {
      next = FaultName(f);
      next_at = start;
    }
  }
  if (!on.empty()) return on;
  if (!next.empty()) return "before " + next + " (at " + Seconds(next_at) + " s)";
  return "after " + FaultName(faults.back());
}

LiveState::LiveState(std::string command, std::size_t max_runs, std::size_t max_points)
    : command_(std::move(command)), max_runs_(max_runs), max_points_(max_points) {}

void LiveState::SetFaults(std::vector<run::FaultSpec> faults) {
  std::lock_guard lock(mutex_);
  faults_ = std::move(faults);
}

void LiveState::Update(const run::Progress& p) {
  std::lock_guard lock(mutex_);
  if (runs_.empty() || !SameRun(runs_.back(), p) || StartsAgain(runs_.back(), p)) {
    runs_.push_back({p.arch, p.profile, p.repeat, p.repeats, p.total_s, p.warmup_s, {}, {}});
    if (runs_.size() > max_runs_) runs_.erase(runs_.begin());
  }
  LiveRun& run = runs_.back();
  run.total_s = p.total_s;
  run.queues = p.queue_depths;

  LivePoint point;
  point.phase = p.draining ? "draining" : p.WarmingUp() ? "warm-up" : "load";
  // While draining the load clock stands still: the drain's seconds follow the last point,
  // one per update (the drain reports once a second too).
  point.t = p.elapsed_s;
  if (p.draining && !run.points.empty() && run.points.back().t >= p.elapsed_s) {
    point.t = run.points.back().t + 1;
  }
  if (!p.draining) {
    point.offered_per_s = p.offered_per_second;
    point.answered_per_s = p.requests_per_second;
  }
  point.p50_ms = p.p50_s * 1000;
  point.p99_ms = p.p99_s * 1000;
  if (p.completion_p50_s) point.completion_p50_ms = *p.completion_p50_s * 1000;
  if (p.completion_p99_s) point.completion_p99_ms = *p.completion_p99_s * 1000;
  point.completions = p.completions;
  point.completion_note = p.completion_note;
  point.errors = p.errors;
  point.dropped = p.dropped;
  point.backlog = p.backlog;
  point.fault = FaultPhase(faults_, p.elapsed_s - p.warmup_s);
  run.points.push_back(std::move(point));
  if (run.points.size() > max_points_) run.points.erase(run.points.begin());
}

void LiveState::Finish(std::string results_dir) {
  std::lock_guard lock(mutex_);
  finished_ = true;
  results_dir_ = std::move(results_dir);
}

std::string LiveState::Json() const {
  std::lock_guard lock(mutex_);
  boost::json::array runs;
  for (const LiveRun& r : runs_) {
    boost::json::array points;
    for (const LivePoint& p : r.points) points.push_back(PointJson(p));
    boost::json::array queues;
    for (const auto& [queue, depth] : r.queues) {
      queues.push_back({{"queue", queue}, {"depth", depth}});
    }
    runs.push_back({{"arch", r.arch},
                    {"profile", r.profile},
                    {"repeat", r.repeat},
                    {"repeats", r.repeats},
                    {"total_s", r.total_s},
                    {"warmup_s", r.warmup_s},
                    {"points", std::move(points)},
                    {"queues", std::move(queues)}});
  }
  boost::json::object out{{"live", true},
                          {"command", command_},
                          {"finished", finished_},
                          {"results_dir", results_dir_},
                          {"runs", std::move(runs)}};
  return boost::json::serialize(out);
}

}  // namespace flowbench::console
