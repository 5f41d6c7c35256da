#include "bench/run/run_order.hpp"

#include <algorithm>
#include <random>

namespace flowbench::run {

std::vector<Slot> InterleavedOrder(const RunOptions& o, const std::vector<const Profile*>& profiles,
                                   const std::vector<Arch>& archs) {
  std::vector<Slot> order;
  std::mt19937_64 rng(o.seed);
  for (const Profile* profile : profiles) {
    for (int repeat = 1; repeat <= o.repeats; ++repeat) {
      std::vector<Arch> shuffled = archs;
      // One run each: the order given (sync first) is kept, as a reader expects.
      if (o.repeats > 1) std::shuffle(shuffled.begin(), shuffled.end(), rng);
      for (Arch arch : shuffled) {
        order.push_back({arch, profile, repeat, o.seed + static_cast<std::uint64_t>(repeat) - 1});
      }
    }
  }
  return order;
}

std::string SlotName(const Slot& slot) {
  std::string name = std::string(ArchName(slot.arch)) + "#" + std::to_string(slot.repeat);
  if (slot.profile->name != "baseline") name += "@" + std::string(slot.profile->name);
  return name;
}

}  // namespace flowbench::run
