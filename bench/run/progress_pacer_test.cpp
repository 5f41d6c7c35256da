// The progress line's pace: every update on a terminal; in a log, one line per interval plus
// the first of each run and of each phase.
#include "bench/run/progress_pacer.hpp"

#include <gtest/gtest.h>

namespace flowbench::run {
namespace {

using namespace std::chrono_literals;

Progress At(std::string arch, bool draining = false, int repeat = 1) {
  Progress p;
  p.arch = std::move(arch);
  p.profile = "baseline";
  p.repeat = repeat;
  p.draining = draining;
  return p;
}

TEST(ProgressPacer, OnATerminalEveryUpdateIsPrinted) {
  ProgressPacer pacer(/*to_terminal=*/true);
  ProgressPacer::Clock::time_point t0{};
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(pacer.Due(At("sync"), t0 + i * 100ms));
}

TEST(ProgressPacer, InALogOneLinePerIntervalOutOfUpdatesEverySecond) {
  ProgressPacer pacer(/*to_terminal=*/false, 10s);
  ProgressPacer::Clock::time_point t0{};
  int printed = 0;
  for (int s = 0; s < 30; ++s) printed += pacer.Due(At("sync"), t0 + s * 1s) ? 1 : 0;
  EXPECT_EQ(printed, 3);  // at 0, 10 and 20 s
}

TEST(ProgressPacer, InALogEachRunAndPhaseStartsWithALine) {
  ProgressPacer pacer(/*to_terminal=*/false, 10s);
  ProgressPacer::Clock::time_point t0{};
  EXPECT_TRUE(pacer.Due(At("sync"), t0));
  EXPECT_FALSE(pacer.Due(At("sync"), t0 + 1s));
  EXPECT_TRUE(pacer.Due(At("sync", /*draining=*/true), t0 + 2s));
  EXPECT_FALSE(pacer.Due(At("sync", true), t0 + 3s));
  EXPECT_TRUE(pacer.Due(At("async"), t0 + 4s));
  EXPECT_TRUE(pacer.Due(At("async", false, /*repeat=*/2), t0 + 5s));
}

}  // namespace
}  // namespace flowbench::run
