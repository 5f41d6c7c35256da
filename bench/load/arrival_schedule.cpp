#include "bench/load/arrival_schedule.hpp"

#include <cmath>
#include <random>

namespace flowbench::load {

ArrivalRate ConstantArrivalRate(double rate, Duration duration, int max_vus) {
  return ArrivalRate{rate, {{rate, duration}}, max_vus, Duration{0}, Duration{0}};
}

ArrivalRate RampingArrivalRate(double start_rate, std::vector<RateStage> stages, int max_vus) {
  return ArrivalRate{start_rate, std::move(stages), max_vus, Duration{0}, Duration{0}};
}

Duration TotalDuration(const ArrivalRate& executor) {
  Duration total{0};
  for (const RateStage& stage : executor.stages) total += stage.duration;
  return total;
}

ArrivalSchedule::ArrivalSchedule(const ArrivalRate& executor) {
  double start = 0, rate = executor.start_rate;
  for (const RateStage& stage : executor.stages) {
    double d = std::chrono::duration<double>(stage.duration).count();
    if (d <= 0) continue;
    segments_.push_back({start, d, rate, stage.target_rate, total_arrivals_});
    total_arrivals_ += (rate + stage.target_rate) / 2 * d;
    start += d;
    rate = stage.target_rate;
  }
  poisson_ = executor.process == ArrivalProcess::kPoisson;
  if (poisson_) {
    std::mt19937_64 rng(executor.seed);
    std::exponential_distribution<double> gap(1.0);
    for (double at = gap(rng); at < total_arrivals_; at += gap(rng)) {
      poisson_arrivals_.push_back(at);
    }
  }
}

double ArrivalSchedule::ExpectedIterations() const { return total_arrivals_; }

std::uint64_t ArrivalSchedule::ScheduledIterations() const {
  if (poisson_) return poisson_arrivals_.size();
  return static_cast<std::uint64_t>(std::ceil(total_arrivals_));
}

std::uint64_t ArrivalSchedule::ScheduledFrom(Duration from) const {
  // Offsets grow with the index: the first index due at or after `from`, by bisection.
  std::uint64_t low = 0, high = ScheduledIterations();
  while (low < high) {
    std::uint64_t mid = low + (high - low) / 2;
    std::optional<Duration> offset = OffsetOf(mid);
    if (offset && *offset < from) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return ScheduledIterations() - low;
}

std::optional<Duration> ArrivalSchedule::OffsetOf(std::uint64_t index) const {
  if (!poisson_) return TimeOfArrivals(static_cast<double>(index));
  if (index >= poisson_arrivals_.size()) return std::nullopt;
  return TimeOfArrivals(poisson_arrivals_[index]);
}

std::optional<Duration> ArrivalSchedule::TimeOfArrivals(double n) const {
  for (const Segment& s : segments_) {
    double in_segment = (s.rate_from + s.rate_to) / 2 * s.duration_s;
    double k = n - s.arrivals_before;  // arrivals still to go inside this segment
    if (k >= in_segment) continue;
    // Solve r0 t + (r1 - r0) t^2 / (2 D) = k for t in [0, D).
    double a = (s.rate_to - s.rate_from) / (2 * s.duration_s);
    double t;
    if (std::abs(a) < 1e-12) {
      t = s.rate_from > 0 ? k / s.rate_from : 0;
    } else {
      t = (-s.rate_from + std::sqrt(s.rate_from * s.rate_from + 4 * a * k)) / (2 * a);
    }
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s.start_s + t));
  }
  return std::nullopt;
}

}  // namespace flowbench::load
