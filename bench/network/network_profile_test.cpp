#include "bench/network/network_profile.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace flowbench::network {
namespace {

TEST(NetworkProfile, TheDocumentedProfilesHaveTheirDelays) {
  NetworkProfile lan = ResolveProfile("lan", {}, {}, {});
  EXPECT_EQ(lan.Delay(), std::chrono::microseconds(250));
  EXPECT_EQ(lan.Jitter(), std::chrono::microseconds(50));
  EXPECT_EQ(ResolveProfile("zone", {}, {}, {}).Delay(), std::chrono::milliseconds(1));
  EXPECT_EQ(ResolveProfile("region", {}, {}, {}).Delay(), std::chrono::milliseconds(20));
  EXPECT_DOUBLE_EQ(ResolveProfile("lossy", {}, {}, {}).loss, 0.005);
  EXPECT_FALSE(ResolveProfile("loopback", {}, {}, {}).Relayed());
  EXPECT_TRUE(lan.Relayed());
}

TEST(NetworkProfile, OverridesReplaceTheProfilesValues) {
  NetworkProfile p = ResolveProfile("zone", 5.0, 0.5, 0.01);
  EXPECT_EQ(p.name, "zone");
  EXPECT_EQ(p.Delay(), std::chrono::milliseconds(5));
  EXPECT_EQ(p.Jitter(), std::chrono::microseconds(500));
  EXPECT_DOUBLE_EQ(p.loss, 0.01);
}

TEST(NetworkProfile, LoopbackWithADelayIsACustomRelayedLink) {
  NetworkProfile p = ResolveProfile("loopback", 0.0, {}, {});
  EXPECT_EQ(p.name, "custom");
  EXPECT_TRUE(p.Relayed());
}

TEST(NetworkProfile, BadValuesNameTheFlag) {
  EXPECT_THROW(ResolveProfile("moon", {}, {}, {}), std::invalid_argument);
  try {
    ResolveProfile("lan", -1.0, {}, {});
    FAIL() << "a negative delay was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--network-delay-ms"), std::string::npos);
  }
  EXPECT_THROW(ResolveProfile("lan", {}, {}, 1.0), std::invalid_argument);
  EXPECT_THROW(ResolveProfile("lan", {}, -0.1, {}), std::invalid_argument);
}

}  // namespace
}  // namespace flowbench::network
