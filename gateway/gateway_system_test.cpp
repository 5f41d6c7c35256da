// Through the gateway to a real build: each build's ten services started as `flowbench up`
// starts them (StartSystem, private PostgreSQL and RabbitMQ), the flowbench-gateway
// executable in front of them, and every scenario sent through it with a minted token,
// answered with the build's own success status. The internal routes stay unreachable, a
// viewer's write is refused before it reaches a service, and the request id the client
// chose reaches the service that records the completion.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <fstream>
#include <map>
#include <thread>

#include "common/domain/random_ids.hpp"
#include "common/http/json_client.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/service/launcher.hpp"
#include "gateway/jwt_tokens.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

[[maybe_unused]] auto* const kInfra = testing::RegisterEmbeddedInfra();

const std::string kSecret = "the-gateway-system-test-secret-0123456789";

// The shared workload flags, shortened (both builds take them).
const std::vector<std::string> kServiceArgs = {
    "--email-delay-ms",          "20", "--payment-gateway-delay-ms",    "20",
    "--search-reindex-delay-ms", "10", "--cache-invalidation-delay-ms", "5",
    "--analytics-log-delay-ms",  "5",  "--report-cpu-time-ms",          "50",
    "--saga-payment-delay-ms",   "10"};

std::string BodyOf(std::string_view scenario, const std::string& unique) {
  if (scenario == "scenario1") return R"({"email": "gw-)" + unique + R"(@example.com"})";
  if (scenario == "scenario2") return R"({"amount": 100.0, "currency": "USD"})";
  if (scenario == "scenario3") return R"({"stock": 50})";
  if (scenario == "scenario4") return R"({"report_type": "monthly"})";
  if (scenario == "scenario5") return R"({"product_id": 1, "quantity": 1})";
  return R"({"user_id": 42, "page": "/home"})";
}

std::string PathOf(std::string_view pattern) {
  std::string path(pattern);
  std::size_t open = path.find('{');
  if (open != std::string::npos) path.replace(open, path.find('}') - open + 1, "1");
  return path;
}

// One build and its gateway, started once for all the tests of that build.
struct RunningBuild {
  RunningSystem system;
  pid_t gateway_pid = 0;
  std::unique_ptr<http::JsonClient> gateway;
};

std::unique_ptr<RunningBuild> StartBuild(Arch arch) {
  const char* bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
  if (bin_dir == nullptr) throw std::runtime_error("run through ctest (FLOWBENCH_BIN_DIR)");
  SystemOptions options;
  options.arch = arch;
  options.bin_dir = bin_dir;
  options.run_dir = testing::MakeTempDir("flowbench-gateway-system");
  options.port_base = infra::FindFreePortBase(10);
  options.pg_url = testing::EmbeddedInfra::State().pg_url;
  options.amqp_url = testing::EmbeddedInfra::State().amqp_url;
  options.extra_args = kServiceArgs;
  if (arch == Arch::kAsync)
    options.extra_args.insert(options.extra_args.end(), {"--click-flush-ms", "20"});
  auto build = std::make_unique<RunningBuild>();
  build->system = StartSystem(options);

  fs::path secret_file = options.run_dir / "jwt-secret";
  infra::WritePrivateFile(secret_file, kSecret + "\n");
  int port = infra::FindFreePort();
  fs::path log = options.run_dir / "gateway.log";
  build->gateway_pid = infra::SpawnDaemon(
      {(fs::path(bin_dir) / "flowbench-gateway").string(), "--arch", std::string(ArchName(arch)),
       "--port", std::to_string(port), "--port-base", std::to_string(options.port_base),
       "--jwt-secret-file", secret_file.string()},
      {}, log);
  build->gateway = std::make_unique<http::JsonClient>("http://127.0.0.1:" + std::to_string(port),
                                                      http::Timeouts{2s, 15s});
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (build->gateway->Get("/health").status != 200) {
    if (std::chrono::steady_clock::now() > deadline) {
      infra::Terminate(build->gateway_pid, 5s);
      StopSystem(build->system);
      throw std::runtime_error("the gateway did not answer /health: " + infra::Tail(log));
    }
    std::this_thread::sleep_for(20ms);
  }
  return build;
}

class GatewaySystem : public ::testing::TestWithParam<Arch> {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
  static void TearDownTestSuite() {
    for (auto& [arch, build] : builds_) {
      infra::Terminate(build->gateway_pid, 5s);
      StopSystem(build->system);
    }
    builds_.clear();
  }

  void SetUp() override {
    std::unique_ptr<RunningBuild>& build = builds_[GetParam()];
    if (!build) build = StartBuild(GetParam());
    build_ = build.get();
    gateway_ = build->gateway.get();
  }

  static std::string Bearer(const std::string& role) {
    return "Bearer " + gateway::MintToken({kSecret, "flowbench", "flowbench-gateway"},
                                          gateway::MintRequest{"system-test", role, 1h});
  }

  static inline std::map<Arch, std::unique_ptr<RunningBuild>> builds_;
  RunningBuild* build_ = nullptr;
  http::JsonClient* gateway_ = nullptr;
};

TEST_P(GatewaySystem, EveryScenarioAnswersThroughTheGatewayWithItsBuildsStatus) {
  std::string customer = Bearer("customer");
  for (const ScenarioSpec& scenario : Scenarios()) {
    std::string unique = RandomIdHex(6);
    http::JsonResponse r =
        gateway_->Send(scenario.method, PathOf(scenario.path), BodyOf(scenario.id, unique),
                       {{"Authorization", customer}});
    int expected = scenario.Status(GetParam());
    bool compensated = GetParam() == Arch::kSync && scenario.sync_failure_status != 0 &&
                       r.status == scenario.sync_failure_status;
    EXPECT_TRUE(r.status == expected || compensated) << scenario.id << ": " << r.Describe();
  }
  http::JsonResponse product = gateway_->Get("/products/1", {{"Authorization", Bearer("viewer")}});
  ASSERT_EQ(product.status, 200) << product.Describe();
  EXPECT_EQ(product.Object()->at("id").as_int64(), 1);
}

TEST_P(GatewaySystem, InternalRoutesAndAViewersWriteNeverReachAService) {
  std::string customer = Bearer("customer");
  for (const char* path : {"/reserve", "/authorize", "/void", "/send_email", "/settings"}) {
    http::JsonResponse r = gateway_->Post(path, "{}", {{"Authorization", customer}});
    EXPECT_EQ(r.status, 404) << path << ": " << r.Describe();
  }
  http::JsonResponse refused =
      gateway_->Post("/create_order", R"({"product_id": 1, "quantity": 1})",
                     {{"Authorization", Bearer("viewer")}});
  EXPECT_EQ(refused.status, 403) << refused.Describe();
  http::JsonResponse anonymous = gateway_->Post("/track_click", R"({"user_id": 1, "page": "/"})");
  EXPECT_EQ(anonymous.status, 401) << anonymous.Describe();
}

TEST_P(GatewaySystem, TheClientsRequestIdReachesTheServiceThatRecordsTheCompletion) {
  std::string request_id = "gateway-system-" + RandomIdHex(8);
  http::JsonResponse r =
      gateway_->Post("/track_click", R"({"user_id": 7, "page": "/gateway"})",
                     {{"Authorization", Bearer("customer")}, {"X-Request-Id", request_id}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  http::JsonClient analytics(build_->system.Url("analytics"));
  auto deadline = std::chrono::steady_clock::now() + 5s;
  for (;;) {
    std::string page = analytics.GetText("/completions?after=0&limit=10000");
    if (page.find(request_id) != std::string::npos) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "no completion record for " << request_id;
    std::this_thread::sleep_for(50ms);
  }
}

INSTANTIATE_TEST_SUITE_P(BothBuilds, GatewaySystem, ::testing::Values(Arch::kSync, Arch::kAsync),
                         [](const ::testing::TestParamInfo<Arch>& info) {
                           return std::string(ArchName(info.param));
                         });

}  // namespace
}  // namespace flowbench
