// The integration tests' fixture: the same InfraUp/InfraDown as `flowbench infra`, in a
// temporary state directory, once per test program. Tests read the URLs from State().
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

#include "common/infra/infra.hpp"

namespace flowbench::testing {

class EmbeddedInfra : public ::testing::Environment {
 public:
  explicit EmbeddedInfra(int rabbitmq_nodes = 1) : rabbitmq_nodes_(rabbitmq_nodes) {}
  void SetUp() override;
  void TearDown() override;

  static const infra::InfraState& State();
  static const std::filesystem::path& StateDir();

 private:
  int rabbitmq_nodes_;
};

// Registers the environment; call from a test file at namespace scope:
//   static auto* const kInfra = flowbench::testing::RegisterEmbeddedInfra();
// With rabbitmq_nodes > 1 the broker is a cluster of that many nodes (slow to boot: one per
// test program).
::testing::Environment* RegisterEmbeddedInfra(int rabbitmq_nodes = 1);

// A fresh temporary directory (removed by the caller, or left for post-mortems).
std::filesystem::path MakeTempDir(const std::string& prefix);

}  // namespace flowbench::testing
