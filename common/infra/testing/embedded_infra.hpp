// The integration tests' fixture: the same InfraUp/InfraDown as `flowbench infra`, in a
// temporary state directory, once per test program. Tests read the URLs from State().
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

#include "common/infra/infra.hpp"

namespace flowbench::testing {

class EmbeddedInfra : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;

  static const infra::InfraState& State();
  static const std::filesystem::path& StateDir();
};

// Registers the environment; call from a test file at namespace scope:
//   static auto* const kInfra = flowbench::testing::RegisterEmbeddedInfra();
::testing::Environment* RegisterEmbeddedInfra();

// A fresh temporary directory (removed by the caller, or left for post-mortems).
std::filesystem::path MakeTempDir(const std::string& prefix);

}  // namespace flowbench::testing
