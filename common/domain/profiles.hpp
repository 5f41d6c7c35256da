// The load profiles of CONTRACT.md §6: how many closed-loop virtual users each of scenarios 1-5
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

// Think time after each iteration (CONTRACT.md §6): 1 s, 2 s for the report scenario, none for
// the arrival-rate click scenario. The catalogue's (ScenarioSpec::think_time); 1 s for an
// unknown id.
std::chrono::milliseconds ThinkTime(std::string_view scenario_id);

// The open model's arrival rate per second for a scenario of this profile: the study's
// closed-loop table read as users / think time (a user who answers at once and thinks
// `think_time` sends at most that often), so baseline offers 2, 2, 2, 0.5 and 2 requests per
// second to scenarios 1-5, and its click rate to scenario 6. Every build is then offered the
// same load, whatever its answers. 0 for an unknown id.
double OpenArrivalRate(const Profile& profile, std::string_view scenario_id);

}  // namespace flowbench
