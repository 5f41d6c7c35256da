// When each iteration of an arrival-rate executor is due. Uniform: the times at which the
// number of arrivals, the integral of a piecewise-linear rate, reaches 0, 1, 2, ... (k6's
// constant- and ramping-arrival-rate). Poisson: the same integral reaches the partial sums
// of independent unit exponentials (a non-homogeneous Poisson process by time change), drawn
// once from the seed. Pure arithmetic, so it is tested without a server.
#pragma once

#include <optional>
#include <vector>

#include "bench/load/load_plan.hpp"

namespace flowbench::load {

class ArrivalSchedule {
 public:
  explicit ArrivalSchedule(const ArrivalRate& executor);
  // The offset from the start of iteration `index`, or nullopt when it falls after the end.
  std::optional<Duration> OffsetOf(std::uint64_t index) const;
  // Iterations the rate promises on average (the integral of the rate).
  double ExpectedIterations() const;
  // Iterations this schedule really holds: the offered load of a run, the same for both
  // builds (uniform: the integral rounded up; Poisson: this draw's count).
  std::uint64_t ScheduledIterations() const;
  // Of those, the ones due at or after `from` (a warm-up's end): the measured window's offered
  // load, from the schedule alone, so two runs with the same plan and seed agree on it.
  std::uint64_t ScheduledFrom(Duration from) const;

 private:
  struct Segment {
    double start_s, duration_s, rate_from, rate_to, arrivals_before;
  };
  // The time at which the integral of the rate reaches `arrivals`; nullopt past the end.
  std::optional<Duration> TimeOfArrivals(double arrivals) const;

  std::vector<Segment> segments_;
  double total_arrivals_ = 0;
  bool poisson_ = false;
  std::vector<double> poisson_arrivals_;  // Poisson only: the integral's value at each arrival
};

}  // namespace flowbench::load
