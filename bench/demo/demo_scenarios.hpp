// The six scenarios as the demo presents them: friendly names (`flowbench demo order`), one
// request each, and a sentence per build telling the class what to watch for.
#pragma once

#include <string>
#include <string_view>

#include "common/domain/catalogue.hpp"

namespace flowbench::demo {

// "scenario5", "5" or an alias ("order", "saga"); throws std::invalid_argument naming the
// choices for anything else.
const ScenarioSpec& ResolveDemoScenario(std::string_view name);
std::string DemoScenarioChoices();  // "scenario1|register, scenario2|payment, ..."

// What to watch for in this scenario's timeline on this build.
std::string_view WhatToWatch(const ScenarioSpec& scenario, Arch arch);

struct DemoRequest {
  std::string method;
  std::string target;  // "/products/2"
  std::string body;
};
// A valid request of the contract (the load engine's own factory: unique email, product 1-3).
DemoRequest MakeDemoRequest(const ScenarioSpec& scenario);

}  // namespace flowbench::demo
