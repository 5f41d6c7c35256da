// The service and scenario catalogue matches CONTRACT.md §1 and §3.
#include "common/domain/catalogue.hpp"

#include <gtest/gtest.h>

#include <iterator>
#include <set>

#include "common/domain/scenario_ids.hpp"

namespace flowbench {
namespace {

TEST(Catalogue, TenServicesWithContractPorts) {
  ASSERT_EQ(Services().size(), 10u);
  std::set<int> ports;
  for (const ServiceSpec& s : Services()) {
    EXPECT_EQ(s.async_port, s.sync_port + 100) << s.name;
    ports.insert(s.sync_port);
  }
  EXPECT_EQ(ports.size(), 10u);
  EXPECT_EQ(FindService("user")->Port(Arch::kSync), 8001);
  EXPECT_EQ(FindService("inventory")->Port(Arch::kAsync), 8110);
  EXPECT_EQ(FindService("nope"), nullptr);
}

TEST(Catalogue, SixScenariosWithContractStatuses) {
  ASSERT_EQ(Scenarios().size(), 6u);
  EXPECT_EQ(FindScenario(scenario::kEmailOnRegistration)->Status(Arch::kSync), 201);
  EXPECT_EQ(FindScenario(scenario::kEmailOnRegistration)->Status(Arch::kAsync), 202);
  EXPECT_EQ(FindScenario(scenario::kOrderSaga)->sync_failure_status, 400);
  EXPECT_EQ(FindScenario(scenario::kClickBuffering)->path, "/track_click");
  for (const ScenarioSpec& s : Scenarios()) EXPECT_NE(FindService(s.service), nullptr) << s.id;
}

// The ids are CONTRACT.md §3's: metric labels, k6 scenario names and report keys outside C++.
TEST(Catalogue, ScenarioIdsAreTheContractsInOrder) {
  const char* contract[] = {"scenario1", "scenario2", "scenario3",
                            "scenario4", "scenario5", "scenario6"};
  ASSERT_EQ(Scenarios().size(), std::size(contract));
  for (std::size_t i = 0; i < std::size(contract); ++i) EXPECT_EQ(Scenarios()[i].id, contract[i]);
}

// CONTRACT.md §6: clicks arrive at a rate; the other five are virtual users that think.
TEST(Catalogue, OnlyClickBufferingIsAnOpenLoopAndOnlyClosedLoopsThink) {
  for (const ScenarioSpec& s : Scenarios()) {
    bool clicks = s.id == scenario::kClickBuffering;
    EXPECT_EQ(s.loop, clicks ? Loop::kOpen : Loop::kClosed) << s.id;
    EXPECT_EQ(s.think_time.count() > 0, !clicks) << s.id;
  }
}

TEST(Catalogue, ArchNamesRoundTrip) {
  EXPECT_EQ(ParseArch(ArchName(Arch::kSync)), Arch::kSync);
  EXPECT_EQ(ParseArch(ArchName(Arch::kAsync)), Arch::kAsync);
  EXPECT_FALSE(ParseArch("both"));
}

}  // namespace
}  // namespace flowbench
