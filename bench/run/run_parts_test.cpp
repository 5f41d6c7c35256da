// /proc sampling and the environment a results file records.
#include <gtest/gtest.h>
#include <unistd.h>

#include "bench/run/environment.hpp"
#include "bench/run/samplers.hpp"

namespace flowbench::run {
namespace {

TEST(Samplers, OwnProcessHasCpuAndMemoryAndAGoneOneHasNone) {
  volatile double spin = 0;
  for (int i = 0; i < 20'000'000; ++i) spin = spin + i;
  std::optional<ProcessSample> self = SampleProcess(::getpid());
  ASSERT_TRUE(self);
  EXPECT_GT(self->cpu_seconds, 0.0);
  EXPECT_GT(self->rss_bytes, 1'000'000u);
  EXPECT_FALSE(SampleProcess(999'999'999));
}

TEST(Samplers, RunSamplerMeasuresCpuUsedBetweenStartAndStop) {
  RunSampler sampler({{"self", ::getpid()}}, "", {}, std::chrono::milliseconds(50));
  sampler.Start();
  volatile double spin = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  while (std::chrono::steady_clock::now() < until) spin = spin + 1;
  sampler.Stop();
  std::vector<report::ServiceResources> r = sampler.Resources();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_GT(r[0].cpu_seconds, 0.1);
  EXPECT_GT(r[0].peak_rss_bytes, 0u);
  EXPECT_TRUE(sampler.Queues().empty());
}

TEST(Samplers, ContractQueuesWithTheirDeadLetterQueues) {
  std::vector<std::string> q = ContractQueues();
  EXPECT_EQ(q.size(), 26u);
  EXPECT_EQ(q.front(), "user_registered_queue");
  EXPECT_EQ(q.back(), "click_tracked_queue.dlq");
}

TEST(Environment, RecordsMachineVersionsAndCommit) {
  boost::json::object machine = MachineInfo();
  EXPECT_GE(machine.at("cores").as_int64(), 1);
  EXPECT_GT(machine.at("memory_bytes").as_int64(), 0);
  boost::json::object versions = Versions();
  EXPECT_TRUE(versions.contains("postgresql"));
  EXPECT_EQ(versions.at("flowbench").as_string(), FLOWBENCH_VERSION);
  std::string commit = GitCommit();
  EXPECT_GE(commit.size(), 7u) << commit;
}

}  // namespace
}  // namespace flowbench::run
