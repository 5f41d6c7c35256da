#include "common/domain/random_ids.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace flowbench {
namespace {

TEST(RandomIds, HexHasTwoLowercaseDigitsPerByte) {
  for (std::size_t bytes : {1, 7, 8, 9, 16, 33}) {
    std::string hex = RandomIdHex(bytes);
    EXPECT_EQ(hex.size(), 2 * bytes);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
  }
}

TEST(RandomIds, WriteLowerHexSpellsEachByte) {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa0, 0xff};
  char out[8];
  WriteLowerHex(bytes, sizeof bytes, out);
  EXPECT_EQ(std::string(out, sizeof out), "000fa0ff");
}

// Each thread has its own generator: their streams must differ (seeded apart), or two
// services' message ids would collide and a click would be dropped as a redelivery.
TEST(RandomIds, ThreadsDrawDifferentIds) {
  constexpr int kThreads = 8;
  constexpr int kEach = 1000;
  std::vector<std::vector<std::string>> drawn(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&drawn, t] {
      for (int i = 0; i < kEach; ++i) drawn[t].push_back(RandomIdHex(16));
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> distinct;
  for (const auto& ids : drawn) distinct.insert(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace flowbench
