// When each iteration of an arrival-rate executor is due: the times at which the number of
// arrivals, the integral of a piecewise-linear rate, reaches 0, 1, 2, ... (k6's
// constant- and ramping-arrival-rate). Pure arithmetic, so it is tested without a server.
#pragma once

#include <optional>

#include "bench/load/load_plan.hpp"

namespace flowbench::load {

class ArrivalSchedule {
 public:
  explicit ArrivalSchedule(const ArrivalRate& executor);
  // The offset from the start of iteration `index`, or nullopt when it falls after the end.
  std::optional<Duration> OffsetOf(std::uint64_t index) const;
  // Iterations the whole schedule holds (for tests and reports).
  double ExpectedIterations() const;

 private:
  struct Segment {
    double start_s, duration_s, rate_from, rate_to, arrivals_before;
  };
  std::vector<Segment> segments_;
  double total_arrivals_ = 0;
};

}  // namespace flowbench::load
