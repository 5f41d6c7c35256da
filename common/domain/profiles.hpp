// The load profiles of CONTRACT §6: how many closed-loop virtual users each of scenarios 1-5
// gets, the arrival rate of scenario 6, and how long. The study's published table under its
// own names; the two rows of its k6 script's smaller table that the contract gives, as
// "study_*", so the names never clash; and a smoke profile to try a set-up. The k6 script's
// table (k6-tests/lib/contract.js) is checked against this one.
#pragma once

#include <array>
#include <chrono>
#include <span>
#include <string>
#include <string_view>

namespace flowbench {

struct Profile {
  std::string_view name;
  std::array<int, 5> vus;  // scenarios 1-5: closed loop, think time after each response
  int click_rate = 0;      // scenario 6: requests per second, open loop
  std::chrono::seconds duration{0};
  std::string_view origin;  // where the numbers come from
};

std::span<const Profile> Profiles();
const Profile* FindProfile(std::string_view name);

// Think time after each iteration (CONTRACT §6): 1 s, 2 s for the report scenario, none for
// the arrival-rate click scenario. The catalogue's (ScenarioSpec::think_time); 1 s for an
// unknown id.
std::chrono::milliseconds ThinkTime(std::string_view scenario_id);

}  // namespace flowbench
