// The requests and checks of CONTRACT.md §3 for the load engine: per scenario and
// architecture, a request factory (unique emails, random product ids 1-3) and a check of
// the status and body rules, so a wrong answer counts as an error of kind status or check.
#pragma once

#include "bench/load/load_plan.hpp"
#include "common/domain/catalogue.hpp"

namespace flowbench::load {

RequestFactory ScenarioRequestFactory(const ScenarioSpec& scenario);
ResponseCheck ScenarioCheck(const ScenarioSpec& scenario, Arch arch);

}  // namespace flowbench::load
