#include "common/infra/testing/embedded_infra.hpp"

#include <cstdlib>
#include <optional>

namespace flowbench::testing {
namespace {

std::optional<infra::InfraState> g_state;
std::filesystem::path g_dir;

}  // namespace

std::filesystem::path MakeTempDir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

void EmbeddedInfra::SetUp() {
  g_dir = MakeTempDir("flowbench-test");
  infra::InfraOptions options;
  options.state_dir = g_dir;
  options.rabbitmq_nodes = rabbitmq_nodes_;
  g_state = infra::InfraUp(options).state;
}

void EmbeddedInfra::TearDown() {
  infra::InfraDown(g_dir);
  std::filesystem::remove_all(g_dir);
}

const infra::InfraState& EmbeddedInfra::State() {
  if (!g_state) throw std::logic_error("EmbeddedInfra is not set up");
  return *g_state;
}

const std::filesystem::path& EmbeddedInfra::StateDir() { return g_dir; }

::testing::Environment* RegisterEmbeddedInfra(int rabbitmq_nodes) {
  return ::testing::AddGlobalTestEnvironment(new EmbeddedInfra(rabbitmq_nodes));
}

}  // namespace flowbench::testing
