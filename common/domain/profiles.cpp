#include "common/domain/profiles.hpp"

#include <algorithm>

#include "common/domain/catalogue.hpp"

namespace flowbench {
namespace {

using std::chrono::seconds;

constexpr Profile kProfiles[] = {
    {"baseline", {2, 2, 2, 1, 2}, 50, seconds(120), "study (published runs)"},
    {"light", {5, 5, 5, 2, 5}, 100, seconds(120), "study (published runs)"},
    {"medium", {10, 10, 10, 3, 10}, 150, seconds(120), "study (published runs)"},
    {"medium_high", {15, 15, 15, 5, 15}, 200, seconds(120), "study (published runs)"},
    {"heavy", {20, 20, 20, 7, 20}, 250, seconds(180), "study (published runs)"},
    {"stress", {30, 30, 30, 10, 30}, 300, seconds(180), "study (published runs)"},
    {"study_light", {2, 2, 2, 1, 2}, 20, seconds(30), "study's k6 script unified-test.js"},
    {"study_medium", {5, 5, 5, 2, 5}, 100, seconds(60), "study's k6 script unified-test.js"},
    {"smoke", {1, 1, 1, 1, 1}, 5, seconds(10), "flowbench: tries a set-up, not a load"},
};

}  // namespace

std::span<const Profile> Profiles() { return kProfiles; }

const Profile* FindProfile(std::string_view name) {
  auto it = std::find_if(std::begin(kProfiles), std::end(kProfiles),
                         [&](const Profile& p) { return p.name == name; });
  return it == std::end(kProfiles) ? nullptr : &*it;
}

std::chrono::milliseconds ThinkTime(std::string_view scenario_id) {
  const ScenarioSpec* spec = FindScenario(scenario_id);
  return spec != nullptr ? spec->think_time : std::chrono::milliseconds(1000);
}

double OpenArrivalRate(const Profile& profile, std::string_view scenario_id) {
  const ScenarioSpec* spec = FindScenario(scenario_id);
  if (spec == nullptr) return 0;
  if (spec->loop == Loop::kOpen) return profile.click_rate;
  int index = scenario_id.back() - '1';
  if (index < 0 || index >= static_cast<int>(profile.vus.size())) return 0;
  double think_s = std::chrono::duration<double>(spec->think_time).count();
  return think_s > 0 ? profile.vus[index] / think_s : 0;
}

}  // namespace flowbench
