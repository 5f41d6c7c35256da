// The order of the runs of `flowbench run`: per profile and repeat, every build once, the
// builds of each repeat in an order drawn from the seed. Builds alternate, so a slow drift of
// the machine (heat, a neighbour, the page cache) spreads over both instead of favouring the
// one that ran first; the draw is recorded in results.json (design.order).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/run/run_options.hpp"
#include "common/domain/catalogue.hpp"
#include "common/domain/profiles.hpp"

namespace flowbench::run {

// One run of the experiment: which build, profile and repeat, and its schedules' seed.
struct Slot {
  Arch arch;
  const Profile* profile;
  int repeat;
  std::uint64_t seed;  // options.seed + repeat - 1: the same for both builds of one repeat
};

std::vector<Slot> InterleavedOrder(const RunOptions& options,
                                   const std::vector<const Profile*>& profiles,
                                   const std::vector<Arch>& archs);

// "sync#1", "async#2@light" (the profile named when it is not baseline).
std::string SlotName(const Slot& slot);

}  // namespace flowbench::run
