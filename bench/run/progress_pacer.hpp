// How often the live progress line is printed. On a terminal every update rewrites one line
// in place; in a log (CI, `tee`, a file) a line per update would be several a second, so a
// log gets one line every `log_interval`, plus the first line of each run and of each phase
// (load, then draining), so that no phase goes unseen.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "bench/run/run_options.hpp"

namespace flowbench::run {

class ProgressPacer {
 public:
  using Clock = std::chrono::steady_clock;

  ProgressPacer(bool to_terminal, std::chrono::seconds log_interval = std::chrono::seconds(10));

  // Whether `progress`, arriving at `now`, is to be printed.
  bool Due(const Progress& progress, Clock::time_point now);

 private:
  bool to_terminal_;
  std::chrono::seconds log_interval_;
  std::string phase_;  // the run and phase of the last line printed
  std::optional<Clock::time_point> last_printed_;
};

}  // namespace flowbench::run
