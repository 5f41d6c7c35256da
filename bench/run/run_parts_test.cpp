// /proc sampling, the process metrics of services flowbench did not start, and the
// environment a results file records.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

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
  RunSampler sampler({{"self", ::getpid(), ""}}, nullptr, std::chrono::milliseconds(50));
  sampler.Start();
  volatile double spin = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  while (std::chrono::steady_clock::now() < until) spin = spin + 1;
  sampler.Stop();
  RunSampler::Resources r = sampler.ResourcesUsed();
  ASSERT_EQ(r.measured.size(), 1u);
  EXPECT_GT(r.measured[0].cpu_seconds, 0.1);
  EXPECT_GT(r.measured[0].peak_rss_bytes, 0u);
  EXPECT_TRUE(r.not_measured.empty());
  EXPECT_TRUE(sampler.Queues().empty());
}

TEST(Samplers, AProcessGoneBeforeTheRunIsNotMeasuredRatherThanZero) {
  RunSampler sampler({{"gone", 999'999'999, ""}}, nullptr, std::chrono::milliseconds(50));
  sampler.Start();
  sampler.Stop();
  EXPECT_TRUE(sampler.ResourcesUsed().measured.empty());
  EXPECT_EQ(sampler.ResourcesUsed().not_measured, std::vector<std::string>{"gone"});
}

TEST(Samplers, ProcessMetricsAsEveryServiceExportsThem) {
  std::optional<ProcessSample> s = ProcessSampleFromMetrics(
      "# TYPE process_cpu_seconds_total counter\n"
      "process_cpu_seconds_total{arch=\"async\",service=\"email\"} 12.5\n"
      "process_resident_memory_bytes{arch=\"async\",service=\"email\"} 4.2e+07\n"
      "process_start_time_seconds{arch=\"async\",service=\"email\"} 1700000000\n");
  ASSERT_TRUE(s);
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 12.5);
  EXPECT_EQ(s->rss_bytes, 42'000'000u);
  EXPECT_DOUBLE_EQ(s->start_time, 1'700'000'000);
  EXPECT_FALSE(ProcessSampleFromMetrics("http_requests_total 3\n")) << "no process metrics: none";
}

// A service of a --target: its CPU and memory come from its /metrics; a restart in the middle
// (a new start time) makes its CPU figure meaningless, so it is not measured.
class ServiceMetrics : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      int n = scrapes_++;
      double start = restart_after_ >= 0 && n > restart_after_ ? 2000 : 1000;
      res.set_content("process_cpu_seconds_total " + std::to_string(1.0 + n) +
                          "\nprocess_resident_memory_bytes " + std::to_string(1000 * (n + 1)) +
                          "\nprocess_start_time_seconds " + std::to_string(start) + "\n",
                      "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  RunSampler::Resources SampleFor(std::chrono::milliseconds how_long) {
    RunSampler sampler({{"email", 0, "http://127.0.0.1:" + std::to_string(port_)}}, nullptr,
                       std::chrono::milliseconds(20));
    sampler.Start();
    std::this_thread::sleep_for(how_long);
    sampler.Stop();
    return sampler.ResourcesUsed();
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> scrapes_{0};
  int restart_after_ = -1;
};

TEST_F(ServiceMetrics, CpuIsTheCounterDifferenceAndMemoryItsPeak) {
  RunSampler::Resources r = SampleFor(std::chrono::milliseconds(150));
  ASSERT_EQ(r.measured.size(), 1u);
  int scrapes = scrapes_;
  EXPECT_DOUBLE_EQ(r.measured[0].cpu_seconds, scrapes - 1.0);  // 1.0 at the first, +1 each
  EXPECT_EQ(r.measured[0].peak_rss_bytes, 1000u * scrapes);
}

TEST_F(ServiceMetrics, AServiceRestartedDuringTheRunIsNotMeasured) {
  restart_after_ = 2;
  RunSampler::Resources r = SampleFor(std::chrono::milliseconds(150));
  EXPECT_TRUE(r.measured.empty());
  EXPECT_EQ(r.not_measured, std::vector<std::string>{"email"});
}

TEST(Samplers, AProcessThatDiesDuringTheRunIsNotMeasured) {
  // A child that lives for a few samples, then is killed (as by --fault service-kill): its
  // CPU until then is not the service's CPU for the run, so the service is not measured.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  RunSampler sampler({{"email", child, ""}}, nullptr, std::chrono::milliseconds(20));
  sampler.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  sampler.Stop();
  RunSampler::Resources r = sampler.ResourcesUsed();
  EXPECT_TRUE(r.measured.empty());
  EXPECT_EQ(r.not_measured, std::vector<std::string>{"email"});
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
