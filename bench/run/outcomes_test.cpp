// What the driver concludes about accepted work, against the real async build: registrations
// answered 202 whose messages nobody takes are `unfinished` while they wait in the queue, and
// `lost` once the queue is purged, because no completion record will ever come for them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "bench/load/load_run.hpp"
#include "bench/load/scenario_requests.hpp"
#include "bench/run/completion_collector.hpp"
#include "bench/run/completion_join.hpp"
#include "common/amqp/connection.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/domain/topology.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/service/launcher.hpp"

namespace flowbench::run {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

auto* const kInfra = flowbench::testing::RegisterEmbeddedInfra();

fs::path BinDir() {
  const char* dir = std::getenv("FLOWBENCH_BIN_DIR");
  return dir != nullptr ? fs::path(dir) : ExecutableDir();
}

TEST(DriverOutcomes, WorkNobodyTookIsUnfinishedWhileQueuedAndLostOncePurged) {
  const infra::InfraState& infra = flowbench::testing::EmbeddedInfra::State();
  fs::path run_dir = flowbench::testing::MakeTempDir("flowbench-outcomes");
  SystemOptions options;
  options.arch = Arch::kAsync;
  options.bin_dir = BinDir();
  options.run_dir = run_dir;
  options.port_base = infra::FindFreePortBase(10);
  options.pg_url = infra.pg_url;
  options.amqp_url = infra.amqp_url;
  RunningSystem system = StartSystem(options);
  const std::string queue(topology::kUserRegisteredQueue);
  AmqpConnection amqp(infra.amqp_url, 5s, "flowbench-outcomes-test");
  amqp.PurgeQueue(queue);

  // The email service gone: registrations are still answered 202, their events wait.
  pid_t email = system.Service("email").pid;
  ASSERT_EQ(::kill(email, SIGKILL), 0);
  ::waitpid(email, nullptr, 0);

  const ScenarioSpec& spec = *FindScenario(scenario::kEmailOnRegistration);
  load::ScenarioLoad registrations;
  registrations.name = std::string(spec.id);
  registrations.port = system.Service("user").port;
  registrations.executor = load::ConstantArrivalRate(5, 1s, 5);
  registrations.make_request = load::ScenarioRequestFactory(spec);
  registrations.check = load::ScenarioCheck(spec, Arch::kAsync);
  registrations.request_id_prefix = "outcomes-1-";
  load::LoadRun run({registrations}, {});
  load::LoadResult result = run.Run();
  const std::uint64_t accepted = result.scenarios[0].recorder.Answered();
  ASSERT_EQ(accepted, 5U);

  std::vector<std::string> urls;
  for (const RunningService& s : system.services) {
    if (s.name != "email") urls.push_back(system.Url(s.name));
  }
  CompletionCollector collector(urls);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (amqp.QueueDepth(queue).value_or(0) < accepted &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(amqp.QueueDepth(queue).value_or(0), accepted);
  ASSERT_TRUE(collector.Poll());
  std::vector<std::string> prefixes = {registrations.request_id_prefix};
  JoinClock clock{result.start_unix_ns, 0};
  std::vector<JoinedScenario> queued =
      JoinCompletions(result.scenarios, prefixes, collector.Records(), clock, /*work_left=*/true);
  EXPECT_EQ(queued[0].outcomes.accepted, accepted);
  EXPECT_EQ(queued[0].outcomes.unfinished, accepted);
  EXPECT_EQ(queued[0].outcomes.done, 0U);

  amqp.PurgeQueue(queue);
  ASSERT_EQ(amqp.QueueDepth(queue).value_or(1), 0U);
  ASSERT_TRUE(collector.Poll());
  std::vector<JoinedScenario> purged =
      JoinCompletions(result.scenarios, prefixes, collector.Records(), clock, /*work_left=*/false);
  EXPECT_EQ(purged[0].outcomes.lost, accepted);
  EXPECT_EQ(purged[0].outcomes.done, 0U);
  EXPECT_EQ(purged[0].completion.Count(), 0U);

  StopSystem(system);
  fs::remove_all(run_dir);
}

}  // namespace
}  // namespace flowbench::run
