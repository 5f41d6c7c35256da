// `flowbench demo` against both real builds (delays shortened): for each scenario and build,
// the narrated timeline holds the expected hops in causal order and the eventual state
// settles; the outage demo loses nothing on the async build and shows failed calls or an
// open breaker on the sync one; the CLI starts its own build when none runs and explains
// bad input.
#include <gtest/gtest.h>

#include <sstream>

#include "bench/demo/demo_scenarios.hpp"
#include "bench/demo/narration.hpp"
#include "bench/demo/outage.hpp"
#include "bench/demo/scenario_demo.hpp"
#include "bench/run/gateway_hop.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/scenarios/step_names.hpp"
#include "common/telemetry/span.hpp"

namespace flowbench::demo {
namespace {

namespace fs = std::filesystem;
using flowbench::testing::EmbeddedInfra;
using namespace std::chrono_literals;

[[maybe_unused]] auto* const kInfra = flowbench::testing::RegisterEmbeddedInfra();

const std::vector<std::string> kWorkload = {
    "--email-delay-ms",          "50", "--payment-gateway-delay-ms",    "100",
    "--search-reindex-delay-ms", "20", "--cache-invalidation-delay-ms", "10",
    "--analytics-log-delay-ms",  "10", "--report-cpu-time-ms",          "200",
    "--saga-payment-delay-ms",   "50", "--payment-failure-rate",        "1"};
// The outage test wants the breaker to open after a few failures and to try again soon.
const std::vector<std::string> kSyncOnly = {
    "--breaker-failure-threshold",     "3",   "--breaker-open-ms", "1000",
    "--downstream-connect-timeout-ms", "1000"};
const std::vector<std::string> kAsyncOnly = {"--click-flush-ms", "20", "--reconnect-max-delay-ms",
                                             "500"};

// One hop a timeline must contain: its service, kind, and a piece of its text.
struct ExpectedHop {
  std::string service;
  std::string_view kind;
  std::string text;
};
using Chain = std::vector<ExpectedHop>;  // hops that must appear in this order

std::string Describe(const ExpectedHop& e) {
  return e.service + " " + std::string(e.kind) + " '" + e.text + "'";
}

// Empty when every chain appears, in order, in `hops`; else what is missing.
std::string MissingFromTimeline(const std::vector<Hop>& hops, const std::vector<Chain>& chains) {
  std::string missing;
  for (const Chain& chain : chains) {
    std::size_t from = 0;
    for (const ExpectedHop& e : chain) {
      auto it = std::find_if(hops.begin() + static_cast<std::ptrdiff_t>(from), hops.end(),
                             [&](const Hop& h) {
                               return h.service == e.service && h.kind == e.kind &&
                                      h.text.find(e.text) != std::string::npos;
                             });
      if (it == hops.end()) {
        missing += "  " + Describe(e) + " (after hop " + std::to_string(from) + ")\n";
        break;
      }
      from = static_cast<std::size_t>(it - hops.begin()) + 1;
    }
  }
  return missing;
}

class Demo : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sync_ = std::make_unique<RunningSystem>(Start(Arch::kSync, kSyncOnly));
    async_ = std::make_unique<RunningSystem>(Start(Arch::kAsync, kAsyncOnly));
  }
  static void TearDownTestSuite() {
    if (sync_) StopSystem(*sync_);
    if (async_) StopSystem(*async_);
    sync_.reset();
    async_.reset();
  }

  static RunningSystem Start(Arch arch, const std::vector<std::string>& own_args) {
    SystemOptions options;
    options.arch = arch;
    options.bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
    options.run_dir =
        flowbench::testing::MakeTempDir("flowbench-demo-" + std::string(ArchName(arch)));
    options.port_base = infra::FindFreePortBase(10);
    options.pg_url = EmbeddedInfra::State().pg_url;
    options.amqp_url = EmbeddedInfra::State().amqp_url;
    options.extra_args = kWorkload;
    options.extra_args.insert(options.extra_args.end(), own_args.begin(), own_args.end());
    return StartSystem(options);
  }

  // Runs the demo of `scenario` on one build; checks the chains and that it finished.
  static DemoOutcome Show(std::string_view scenario, Arch arch, const std::vector<Chain>& chains,
                          std::optional<GatewayAccess> gateway = std::nullopt) {
    std::ostringstream out;
    DemoOptions options;
    options.answer_timeout = 20s;
    options.settle_timeout = 20s;
    RunningSystem& system = arch == Arch::kSync ? *sync_ : *async_;
    DemoOutcome outcome = RunScenarioDemo(
        ResolveDemoScenario(scenario),
        DemoTarget{&system, EmbeddedInfra::State().amqp_url, std::move(gateway)}, options, out);
    EXPECT_TRUE(outcome.finished) << out.str();
    std::string missing = MissingFromTimeline(outcome.hops, chains);
    EXPECT_EQ(missing, "") << "missing from the timeline:\n" << missing << "\n" << out.str();
    return outcome;
  }

  // `demo --gateway`'s gateway (run --gateway's) in front of the build of `arch`.
  static std::unique_ptr<run::RunGateway> StartGateway(Arch arch, run::GatewayHopOptions options) {
    const RunningSystem& system = arch == Arch::kSync ? *sync_ : *async_;
    options.subject = "flowbench-demo";
    options.bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
    return std::make_unique<run::RunGateway>(
        arch, system.port_base,
        flowbench::testing::MakeTempDir("flowbench-demo-gateway-" + std::string(ArchName(arch))),
        options);
  }
  static GatewayAccess Access(const run::RunGateway& gateway) {
    return {gateway.port(), gateway.Authorization(), gateway.log()};
  }

  static std::unique_ptr<RunningSystem> sync_, async_;
};
std::unique_ptr<RunningSystem> Demo::sync_, Demo::async_;

using namespace span;

// --- sync: one chain each, since every hop happens inside the first request --------------

TEST_F(Demo, SyncRegistrationWaitsForTheEmail) {
  DemoOutcome o = Show("register", Arch::kSync,
                       {{{"client", kClientRequest, "POST /register"},
                         {"user", kReceived, "POST /register"},
                         {"user", kWrite, "users row"},
                         {"user", kCall, "email POST /send_email"},
                         {"email", kReceived, "POST /send_email"},
                         {"email", kWait, "SMTP send"},
                         {"email", kAnswered, "POST /send_email"},
                         {"user", kCallDone, "email POST /send_email"},
                         {"user", kWrite, "welcome_email_sent = true"},
                         {"user", kAnswered, "POST /register"},
                         {"client", kClientAnswer, "201"}}});
  EXPECT_EQ(o.answer.status, 201);
}

TEST_F(Demo, SyncPaymentBlocksForTheGateway) {
  Show("payment", Arch::kSync,
       {{{"payment", kReceived, "POST /process_payment"},
         {"payment", kWrite, "processing"},
         {"payment", kWait, "payment gateway"},
         {"payment", kWrite, "-> succeeded"},
         {"payment", kAnswered, "POST /process_payment"},
         {"client", kClientAnswer, "200"}}});
}

TEST_F(Demo, SyncProductUpdateCallsThePeersOneAfterAnother) {
  Show("product", Arch::kSync,
       {{{"product", kReceived, "PUT /products/"},
         {"product", kWrite, "updated"},
         {"product", kCall, "search POST /reindex"},
         {"search", kWait, "search reindex"},
         {"product", kCallDone, "search POST /reindex"},
         {"product", kCall, "cache POST /invalidate"},
         {"cache", kWait, "cache invalidation"},
         {"product", kCallDone, "cache POST /invalidate"},
         {"product", kCall, "analytics POST /log_update"},
         {"analytics", kWait, "analytics log"},
         {"product", kCallDone, "analytics POST /log_update"},
         {"product", kAnswered, "PUT /products/"}}});
}

TEST_F(Demo, SyncReportComputesBeforeAnswering) {
  Show("report", Arch::kSync,
       {{{"report", kReceived, "POST /generate_report"},
         {"report", kWrite, "running"},
         {"report", kCompute, "SHA-256"},
         {"report", kWrite, "-> completed"},
         {"report", kAnswered, "POST /generate_report"},
         {"client", kClientAnswer, "200"}}});
}

TEST_F(Demo, SyncSagaCompensatesBeforeAnswering400) {
  DemoOutcome o = Show("order", Arch::kSync,
                       {{{"order", kReceived, "POST /create_order"},
                         {"order", kWrite, "pending"},
                         {"order", kCall, "inventory POST /reserve"},
                         {"inventory", kReceived, "POST /reserve"},
                         {"inventory", kWrite, "stock reserved"},
                         {"order", kCallDone, "inventory POST /reserve"},
                         {"order", kCall, "payment POST /authorize"},
                         {"payment", kWait, "payment authorisation"},
                         {"order", kCallDone, "payment POST /authorize"},
                         {"order", kCompensate, "release the stock"},
                         {"order", kCall, "inventory POST /release"},
                         {"inventory", kCompensate, "stock released"},
                         {"order", kCallDone, "inventory POST /release"},
                         {"order", kCompensate, "-> failed"},
                         {"order", kAnswered, "POST /create_order"},
                         {"client", kClientAnswer, "400"}}});
  ASSERT_EQ(o.eventual_state.size(), 2u);
  EXPECT_NE(o.eventual_state[1].find("status: failed"), std::string::npos) << o.eventual_state[1];
}

TEST_F(Demo, SyncClickIsWrittenBeforeTheAnswer) {
  Show("click", Arch::kSync,
       {{{"analytics", kReceived, "POST /track_click"},
         {"analytics", kWrite, "clicks row"},
         {"analytics", kAnswered, "POST /track_click"}}});
}

// --- async: one chain per causal line (a consume may come before the publisher's confirm) -

TEST_F(Demo, AsyncRegistrationAnswersBeforeTheEmailIsSent) {
  DemoOutcome o = Show("register", Arch::kAsync,
                       {{{"user", kReceived, "POST /register"},
                         {"user", kWrite, "users row"},
                         {"user", kAnswered, "POST /register"},
                         {"client", kClientAnswer, "202"}},
                        // The outbox relay publishes after the commit (a consume may come
                        // before its confirm).
                        {{"user", kWrite, "users row"},
                         {"user", kPublish,
                          "outbox relay: user_registered to queue "
                          "user_registered_queue"}},
                        {{"user", kWrite, "users row"},
                         {"email", kConsume, "user_registered from user_registered_queue"},
                         {"email", kWait, "SMTP send"},
                         {"email", kWrite, "welcome_email_sent = true"},
                         {"email", kAck, "user_registered_queue"}}});
  ASSERT_FALSE(o.eventual_state.empty());
  EXPECT_NE(o.eventual_state[0].find("true ("), std::string::npos) << o.eventual_state[0];
}

TEST_F(Demo, AsyncPaymentSettlesInTheBackground) {
  Show("payment", Arch::kAsync,
       {{{"payment", kReceived, "POST /process_payment"},
         {"payment", kWrite, "processing"},
         {"payment", kAnswered, "POST /process_payment"}},
        {{"payment", kWrite, "processing"},
         {"payment", kPublish, "outbox relay: payment_initiated"}},
        {{"payment", kWrite, "processing"},
         {"payment", kConsume, "payment_initiated from payment_initiated_queue"},
         {"payment", kWait, "payment gateway"},
         {"payment", kConsume, "payment_completed from payment_completed_queue"},
         {"payment", kWrite, "-> succeeded"},
         {"payment", kAck, "payment_completed_queue"}}});
}

TEST_F(Demo, AsyncProductUpdateFansOutToThreeConsumers) {
  std::vector<Chain> chains{{{"product", kReceived, "PUT /products/"},
                             {"product", kWrite, "updated"},
                             {"product", kAnswered, "PUT /products/"}},
                            {{"product", kWrite, "updated"},
                             {"product", kPublish,
                              "outbox relay: product_updated to fan-out "
                              "exchange product_updates"}}};
  // Each part narrates its own work ("search reindex", ...), named once in step_names.hpp.
  for (const FanOutPart& part : {kSearchPart, kCachePart, kAnalyticsPart}) {
    std::string service(part.name);
    chains.push_back({{"product", kWrite, "updated"},
                      {service, kConsume, service + "_product_updates_queue"},
                      {service, kWait, std::string(part.work)},
                      {service, kAck, service + "_product_updates_queue"}});
  }
  Show("product", Arch::kAsync, chains);
}

TEST_F(Demo, AsyncReportRunsOnTheWorker) {
  DemoOutcome o = Show("report", Arch::kAsync,
                       {{{"report", kReceived, "POST /generate_report"},
                         {"report", kWrite, "queued"},
                         {"report", kAnswered, "POST /generate_report"}},
                        {{"report", kWrite, "queued"},
                         {"report", kPublish,
                          "outbox relay: report_requested to queue "
                          "report_jobs_queue"}},
                        {{"report", kWrite, "queued"},
                         {"report", kConsume, "report_jobs_queue"},
                         {"report", kWrite, "-> running"},
                         {"report", kCompute, "SHA-256"},
                         {"report", kWrite, "-> completed"},
                         {"report", kAck, "report_jobs_queue"}}});
  ASSERT_FALSE(o.eventual_state.empty());
  EXPECT_NE(o.eventual_state[0].find("completed ("), std::string::npos) << o.eventual_state[0];
}

TEST_F(Demo, AsyncSagaCompensatesThroughTheFanOut) {
  DemoOutcome o =
      Show("order", Arch::kAsync,
           {{{"order", kReceived, "POST /create_order"},
             {"order", kWrite, "pending"},
             {"order", kAnswered, "POST /create_order"},
             {"client", kClientAnswer, "202"}},
            {{"order", kWrite, "pending"}, {"order", kPublish, "outbox relay: order_created"}},
            {{"order", kWrite, "pending"},
             {"inventory", kConsume, "order_created from order_created_queue"},
             {"inventory", kWrite, "stock reserved"},
             {"payment", kConsume, "stock_reserved from stock_reserved_queue"},
             {"payment", kWait, "payment authorisation"},
             {"payment", kPublish, "payment_failed to fan-out exchange payment_failed"},
             {"payment", kAck, "stock_reserved_queue"}},
            {{"payment", kWait, "payment authorisation"},
             {"order", kConsume, "payment_failed from order_payment_failed_queue"},
             {"order", kCompensate, "-> failed"},
             {"order", kAck, "order_payment_failed_queue"}},
            {{"payment", kWait, "payment authorisation"},
             {"inventory", kConsume, "payment_failed from inventory_payment_failed_queue"},
             {"inventory", kCompensate, "stock released"},
             {"inventory", kAck, "inventory_payment_failed_queue"}}});
  std::string all;
  for (const std::string& line : o.eventual_state) all += line + "\n";
  EXPECT_NE(all.find("status: pending"), std::string::npos) << all;
  EXPECT_NE(all.find("-> failed"), std::string::npos) << all;
  EXPECT_NE(all.find("ready messages in all queues"), std::string::npos) << all;
}

TEST_F(Demo, AsyncClickIsWrittenByTheConsumer) {
  Show("click", Arch::kAsync,
       {{{"analytics", kReceived, "POST /track_click"},
         {"analytics", kPublish, "click_tracked"},
         {"analytics", kAnswered, "POST /track_click"}},
        {{"analytics", kReceived, "POST /track_click"},
         {"analytics", kConsume, "click_tracked_queue"},
         {"analytics", kWrite, "clicks row written"},
         {"analytics", kAck, "click_tracked_queue"}}});
}

// --- the outage -------------------------------------------------------------------------

TEST_F(Demo, EmailOutageLosesNothingOnAsyncAndFailsCallsOnSync) {
  OutageOptions options;
  options.service = "email";
  options.before = 1s;
  options.outage = 3s;
  options.after = 1500ms;
  options.rate = 5;
  options.catch_up_timeout = 30s;
  options.report_interval = 500ms;
  std::vector<OutageBuild> builds{
      {sync_.get(), "", {}, std::nullopt},
      {async_.get(), EmbeddedInfra::State().amqp_url, {}, std::nullopt}};
  std::ostringstream out;
  OutageReport report = RunOutageDemo(options, builds, out);
  ASSERT_EQ(report.builds.size(), 2u) << out.str();
  const OutageTally& sync = report.builds[0];
  const OutageTally& async = report.builds[1];
  EXPECT_GT(sync.downstream_failures + sync.breaker_opened, 0) << out.str();
  EXPECT_GT(sync.lost(), 0) << "emails asked for during the outage are never sent\n" << out.str();
  EXPECT_GT(async.accepted, 10) << out.str();
  EXPECT_EQ(async.errors, 0) << out.str();
  EXPECT_EQ(async.lost(), 0) << out.str();
  EXPECT_GT(async.peak_queue_depth, 0u) << "the queue never filled\n" << out.str();
  EXPECT_NE(out.str().find("Nothing accepted was lost"), std::string::npos) << out.str();

  // Both email services came back, and a timeline still follows the restarted one's log.
  for (RunningSystem* system : {sync_.get(), async_.get()}) {
    EXPECT_TRUE(infra::IsAlive(system->Service("email").pid)) << ArchName(system->arch);
  }
  Show("register", Arch::kSync,
       {{{"email", kReceived, "POST /send_email"},
         {"email", kWait, "SMTP send"},
         {"email", kAnswered, "POST /send_email"}}});
  Show("register", Arch::kAsync,
       {{{"email", kConsume, "user_registered"},
         {"email", kWait, "SMTP send"},
         {"email", kAck, "user_registered_queue"}}});
}

// --- through the gateway ---------------------------------------------------------------------

TEST_F(Demo, ThroughTheGatewayTheTimelineShowsItsHopAroundTheServicesOnBothBuilds) {
  for (Arch arch : {Arch::kSync, Arch::kAsync}) {
    std::unique_ptr<run::RunGateway> gateway = StartGateway(arch, {});
    // The gateway answers for the service: what the client sees is the service's answer.
    DemoOutcome o = Show("register", arch,
                         {{{"client", kClientRequest, "POST /register"},
                           {"gateway", kReceived, "POST /register"},
                           {"gateway", kCall, "user POST /register"},
                           {"user", kReceived, "POST /register"},
                           {"user", kAnswered, "POST /register"},
                           {"gateway", kCallDone, "user POST /register"},
                           {"gateway", kAnswered, "POST /register"},
                           {"client", kClientAnswer, ""}}},
                         Access(*gateway));
    EXPECT_EQ(o.answer.status, arch == Arch::kSync ? 201 : 202) << o.answer.Summary();
  }
}

TEST_F(Demo, OutageThroughRateLimitedGatewaysEndsWithABurstRefused429WithRetryAfter) {
  run::GatewayHopOptions limited;
  limited.rate_limit = "5/s";
  limited.burst = 5;
  std::unique_ptr<run::RunGateway> sync_gateway = StartGateway(Arch::kSync, limited);
  std::unique_ptr<run::RunGateway> async_gateway = StartGateway(Arch::kAsync, limited);
  OutageOptions options;
  options.service = "email";
  options.before = 500ms;
  options.outage = 1500ms;
  options.after = 500ms;
  options.rate = 2;  // below the limit: the light load itself is let through
  options.catch_up_timeout = 30s;
  options.report_interval = 500ms;
  options.burst_requests = 15;
  options.rate_limit = "5/s, burst 5";
  std::vector<OutageBuild> builds{
      {sync_.get(), "", {}, Access(*sync_gateway)},
      {async_.get(), EmbeddedInfra::State().amqp_url, {}, Access(*async_gateway)}};
  std::ostringstream out;
  OutageReport report = RunOutageDemo(options, builds, out);
  ASSERT_EQ(report.builds.size(), 2u) << out.str();
  EXPECT_EQ(report.builds[1].lost(), 0) << out.str();  // the async claim holds behind it too
  EXPECT_GT(report.builds[1].accepted, 0) << out.str();
  ASSERT_EQ(report.bursts.size(), 2u) << out.str();
  for (const BurstTally& burst : report.bursts) {
    EXPECT_EQ(burst.sent, 15) << out.str();
    EXPECT_EQ(burst.accepted + burst.rate_limited + burst.other, burst.sent) << out.str();
    EXPECT_EQ(burst.other, 0) << out.str();
    EXPECT_GT(burst.accepted, 0) << "the bucket's tokens let some through\n" << out.str();
    EXPECT_GT(burst.rate_limited, 0) << "15 at once against a bucket of 5\n" << out.str();
    EXPECT_EQ(burst.with_retry_after, burst.rate_limited) << out.str();
    EXPECT_EQ(burst.gateway_counted, burst.rate_limited)
        << "the gateway's counter and the 429s the demo saw disagree\n"
        << out.str();
  }
  EXPECT_NE(out.str().find("Rate limit at the gateway (5/s, burst 5, per token)"),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("refused 429 by the gateway"), std::string::npos) << out.str();
}

// --- the CLI ------------------------------------------------------------------------------

infra::CommandResult Flowbench(std::vector<std::string> args) {
  std::vector<std::string> argv{std::string(std::getenv("FLOWBENCH_BIN_DIR")) + "/flowbench"};
  argv.insert(argv.end(), args.begin(), args.end());
  return infra::RunCommand(argv, {}, std::chrono::seconds(120));
}

TEST(DemoCommand, StartsItsOwnBuildWhenNoneRunsAndStopsItAfterwards) {
  fs::path state = flowbench::testing::MakeTempDir("flowbench-demo-cli");
  std::vector<std::string> args{"demo",        "register",
                                "--arch",      "async",
                                "--state-dir", state.string(),
                                "--pg-url",    EmbeddedInfra::State().pg_url,
                                "--amqp-url",  EmbeddedInfra::State().amqp_url,
                                "--timeout",   "30"};
  args.insert(args.end(), kWorkload.begin(), kWorkload.end());
  infra::CommandResult run = Flowbench(args);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("starting one for this demo"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("=> publish"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("welcome_email_sent"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("all work done"), std::string::npos) << run.output;
  // Nothing of ours is left running: every service log says it stopped.
  for (const fs::directory_entry& log : fs::directory_iterator(state / "run" / "demo-async")) {
    EXPECT_NE(infra::Tail(log.path(), 3).find("stopped"), std::string::npos) << log.path();
  }
  fs::remove_all(state);
}

TEST(DemoCommand, WithGatewayBothBuildsAnswerThroughItAndItsHopIsNarrated) {
  fs::path state = flowbench::testing::MakeTempDir("flowbench-demo-cli");
  std::vector<std::string> args{"demo",
                                "register",
                                "--gateway",
                                "--arch",
                                "both",
                                "--state-dir",
                                state.string(),
                                "--pg-url",
                                EmbeddedInfra::State().pg_url,
                                "--amqp-url",
                                EmbeddedInfra::State().amqp_url,
                                "--timeout",
                                "30"};
  args.insert(args.end(), kWorkload.begin(), kWorkload.end());
  infra::CommandResult run = Flowbench(args);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  for (const char* arch : {"sync", "async"}) {
    EXPECT_NE(
        run.output.find("The " + std::string(arch) + " build's requests go through a gateway"),
        std::string::npos)
        << run.output;
  }
  EXPECT_NE(run.output.find("through the API gateway"), std::string::npos) << run.output;
  // One gateway hop line per build: "+ ... ms  gateway    -> call ...  user POST /register".
  std::size_t calls = 0;
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("  gateway ") != std::string::npos && line.find("-> call") != std::string::npos &&
        line.find("user POST /register") != std::string::npos) {
      ++calls;
    }
  }
  EXPECT_EQ(calls, 2u) << run.output;
  EXPECT_EQ(run.output.find("stopped waiting"), std::string::npos) << run.output;
  fs::remove_all(state);
}

TEST(DemoCommand, UnknownScenarioAndWrongOptionsAreClearErrors) {
  fs::path state = flowbench::testing::MakeTempDir("flowbench-demo-cli");
  infra::CommandResult unknown = Flowbench({"demo", "scenario9", "--state-dir", state.string()});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("unknown scenario 'scenario9'"), std::string::npos)
      << unknown.output;
  EXPECT_NE(unknown.output.find("scenario1|register"), std::string::npos) << unknown.output;
  infra::CommandResult misplaced =
      Flowbench({"demo", "order", "--seconds", "3", "--state-dir", state.string()});
  EXPECT_NE(misplaced.exit_code, 0);
  EXPECT_NE(misplaced.output.find("only `flowbench demo outage` takes it"), std::string::npos)
      << misplaced.output;
  infra::CommandResult service =
      Flowbench({"demo", "outage", "--service", "search", "--state-dir", state.string()});
  EXPECT_NE(service.exit_code, 0);
  infra::CommandResult rate = Flowbench({"demo", "outage", "--gateway", "--gateway-rate-limit",
                                         "fast", "--state-dir", state.string()});
  EXPECT_NE(rate.exit_code, 0);
  EXPECT_NE(rate.output.find("N/s, N/m or off, not 'fast'"), std::string::npos) << rate.output;
  EXPECT_FALSE(fs::exists(state / "infra.json")) << "something started anyway";
  fs::remove_all(state);
}

}  // namespace
}  // namespace flowbench::demo
