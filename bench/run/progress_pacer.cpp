#include "bench/run/progress_pacer.hpp"

namespace flowbench::run {

ProgressPacer::ProgressPacer(bool to_terminal, std::chrono::seconds log_interval)
    : to_terminal_(to_terminal), log_interval_(log_interval) {}

bool ProgressPacer::Due(const Progress& progress, Clock::time_point now) {
  if (to_terminal_) return true;
  std::string phase = progress.arch + "/" + progress.profile + "/" +
                      std::to_string(progress.repeat) +
                      (progress.draining      ? "/drain"
                       : progress.WarmingUp() ? "/warm-up"
                                              : "/load");
  if (phase != phase_ || !last_printed_ || now - *last_printed_ >= log_interval_) {
    phase_ = std::move(phase);
    last_printed_ = now;
    return true;
  }
  return false;
}

}  // namespace flowbench::run
