// A mix's range: the scales searched, from each scenario's own rate range. No servers.
#include "bench/sweep/sweep_plan.hpp"

#include <gtest/gtest.h>

#include "common/domain/profiles.hpp"

namespace flowbench::sweep {
namespace {

// The default top scale drives no scenario past its own maximum rate, and at least one to it:
// a top taken from the scenario of the largest maximum would step from the last failing
// scale straight to a scale thousands of times another's maximum.
TEST(MixRange, TheDefaultTopIsTheFirstScaleAtWhichAScenarioReachesItsOwnMaximum) {
  for (const Profile& profile : Profiles()) {
    for (bool quick : {false, true}) {
      SweepOptions options;
      options.quick = quick;
      MixRange mix = MixRangeFor(profile.name, options);
      bool one_at_its_maximum = false;
      for (std::size_t i = 0; i < mix.rates.size(); ++i) {
        const auto& [scenario, rate] = mix.rates[i];
        double at_top = mix.search.max * rate;
        double own_max = mix.ranges[i].search.max;
        EXPECT_LE(at_top, own_max * (1 + 1e-9))
            << profile.name << (quick ? " --quick " : " ") << scenario << " at x" << mix.search.max;
        if (at_top >= own_max * (1 - 1e-9)) one_at_its_maximum = true;
      }
      EXPECT_TRUE(one_at_its_maximum) << profile.name << " top x" << mix.search.max;
      EXPECT_LT(mix.search.from, mix.search.max) << profile.name;
    }
  }
}

TEST(MixRange, AGivenTopScaleIsKept) {
  SweepOptions options;
  options.max = 1000;
  EXPECT_EQ(MixRangeFor("smoke", options).search.max, 1000);
}

}  // namespace
}  // namespace flowbench::sweep
