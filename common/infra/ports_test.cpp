// Private ports: free when handed out, and never handed out twice by one process (servers
// started in parallel are each given their ports before any of them binds).
#include "common/infra/ports.hpp"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <vector>

namespace flowbench::infra {
namespace {

TEST(Ports, PortsAskedForInParallelAreNeverTheSameTwice) {
  std::vector<std::future<std::vector<int>>> askers;
  for (int t = 0; t < 4; ++t) {
    askers.push_back(std::async(std::launch::async, [] {
      std::vector<int> ports;
      for (int i = 0; i < 250; ++i) ports.push_back(FindFreePort());
      return ports;
    }));
  }
  std::set<int> seen;
  for (auto& asker : askers) {
    for (int port : asker.get()) {
      EXPECT_GE(port, 20000);
      EXPECT_LE(port, 32767);
      EXPECT_TRUE(seen.insert(port).second) << "port " << port << " handed out twice";
    }
  }
}

TEST(Ports, ARangeOfPortsNeverOverlapsPortsHandedOutBefore) {
  std::set<int> single;
  for (int i = 0; i < 100; ++i) single.insert(FindFreePort());
  std::set<int> ranges;
  for (int i = 0; i < 20; ++i) {
    int base = FindFreePortBase(10);
    for (int port = base + 1; port <= base + 10; ++port) {
      EXPECT_FALSE(single.contains(port)) << port;
      EXPECT_TRUE(ranges.insert(port).second) << "ranges overlap at " << port;
    }
  }
}

}  // namespace
}  // namespace flowbench::infra
