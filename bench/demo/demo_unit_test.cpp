// The demo's parts that need no server: reading span lines back, following log files in
// timestamp order, the open/closed balance of hops, narration, scenario names, metric sums,
// the summary of a watched value.
#include <gtest/gtest.h>

#include <fstream>

#include "bench/demo/demo_scenarios.hpp"
#include "bench/demo/eventual_state.hpp"
#include "bench/demo/hop.hpp"
#include "bench/demo/narration.hpp"
#include "bench/demo/outage.hpp"
#include "bench/demo/timeline.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/telemetry/span.hpp"

namespace flowbench::demo {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

std::string SpanLine(SystemTime at, std::string_view service, std::string_view kind,
                     std::string_view msg, std::string_view trace = kTrace) {
  boost::json::object line{
      {"ts", FormatTimestamp(at)}, {"level", "info"}, {"arch", "sync"}, {"service", service},
      {"trace_id", trace},         {"msg", msg},      {"span", kind},   {"status", 201}};
  return boost::json::serialize(line);
}

void Append(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::app) << text;
}

TEST(ParseHop, ReadsASpanLineOfTheTrace) {
  SystemTime at = std::chrono::system_clock::now();
  std::optional<Hop> hop =
      ParseHop(SpanLine(at, "user", span::kAnswered, "POST /register"), kTrace);
  ASSERT_TRUE(hop.has_value());
  EXPECT_EQ(hop->service, "user");
  EXPECT_EQ(hop->arch, "sync");
  EXPECT_EQ(hop->kind, "answered");
  EXPECT_EQ(hop->text, "POST /register");
  EXPECT_EQ(hop->Field("status"), "201");
  EXPECT_FALSE(hop->fields.contains("trace_id")) << "only the extra fields stay in fields";
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::microseconds>(hop->ts - at).count(), 0);
}

TEST(ParseHop, IgnoresOtherTracesPlainLinesAndGarbage) {
  SystemTime at = std::chrono::system_clock::now();
  EXPECT_FALSE(ParseHop(SpanLine(at, "user", "received", "x", std::string(32, 'a')), kTrace));
  EXPECT_FALSE(ParseHop(R"({"ts":"2026-01-01T00:00:00.000000Z","trace_id":")" + kTrace +
                            R"(","msg":"welcome email sent"})",
                        kTrace))
      << "a log line of the trace that is not a span";
  EXPECT_FALSE(ParseHop("{\"trace_id\":\"" + kTrace + "\", torn", kTrace));
  EXPECT_FALSE(ParseHop(kTrace, kTrace));
}

class FollowerTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("flowbench-demo-unit"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FollowerTest, ReadsOnlyWhatIsAppendedAndMergesFilesByTimestamp) {
  fs::path order = dir_ / "order.log", inventory = dir_ / "inventory.log";
  SystemTime t0 = std::chrono::system_clock::now() - 10s;
  Append(order, SpanLine(t0, "order", "received", "an older request") + "\n");
  TraceFollower follower(kTrace, {order, inventory, dir_ / "not-yet.log"}, 0ms);

  Append(order, SpanLine(t0 + 1ms, "order", "call", "inventory POST /reserve") + "\n");
  Append(order, "plain text that is no JSON\n");
  Append(order, SpanLine(t0 + 3ms, "order", "call.done", "inventory POST /reserve") + "\n");
  Append(inventory, SpanLine(t0 + 2ms, "inventory", "received", "POST /reserve") + "\n");
  std::string torn = SpanLine(t0 + 4ms, "inventory", "answered", "POST /reserve");
  Append(inventory, torn.substr(0, 20));

  std::vector<Hop> first = follower.Poll();
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].kind, "call");
  EXPECT_EQ(first[1].service, "inventory");
  EXPECT_EQ(first[2].kind, "call.done");

  Append(inventory, torn.substr(20) + "\n");  // the rest of the line arrives
  std::vector<Hop> second = follower.Poll();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].kind, "answered");
}

TEST_F(FollowerTest, HoldsRecentHopsBackUntilTheySettle) {
  fs::path log = dir_ / "user.log";
  TraceFollower follower(kTrace, {log}, 500ms);
  // The service's hop 1 ms after the client's: log lines carry microseconds, so two calls
  // of now() within one microsecond would otherwise sort the service's hop first.
  SystemTime sent = std::chrono::system_clock::now();
  follower.Add(Hop{sent, "", "client", std::string(kClientRequest), "POST /register", {}});
  Append(log, SpanLine(sent + 1ms, "user", "received", "POST /register") + "\n");
  EXPECT_TRUE(follower.Poll().empty()) << "a hop younger than the settling time waits";
  std::vector<Hop> all = follower.Drain();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].service, "client");
}

TEST(HopBalance, ClosesRequestsCallsAndMessages) {
  HopBalance balance;
  auto add = [&](std::string_view kind, boost::json::object fields = {}) {
    balance.Add(Hop{{}, "", "x", std::string(kind), "", std::move(fields)});
  };
  add(span::kReceived);
  add(span::kCall);
  add(span::kWrite);
  EXPECT_EQ(balance.open(), 2);
  add(span::kCallDone, {{"status", 200}});
  add(span::kConsume);
  add(span::kAck);
  EXPECT_FALSE(balance.Closed());
  add(span::kCallDone, {{"error", "circuit_open"}});  // a refused call opened nothing
  add(span::kAnswered);
  EXPECT_TRUE(balance.Closed());
}

TEST(NarrateHop, OneAlignedLineWithTimeVerbAndDetail) {
  SystemTime sent = std::chrono::system_clock::now();
  Hop call{sent + std::chrono::microseconds(1234),
           "sync",
           "order",
           "call",
           "inventory POST /reserve",
           {}};
  EXPECT_EQ(NarrateHop(call, sent),
            "+      1.2 ms  order      -> call        inventory POST /reserve");
  Hop answer{sent + 530ms, "sync", "order", "answered", "POST /create_order", {{"status", 400}}};
  EXPECT_EQ(NarrateHop(answer, sent),
            "+    530.0 ms  order      -> answer      400 to POST /create_order");
  EXPECT_EQ(RelativeTime(sent - 2ms, sent), "-      2.0 ms");
  EXPECT_EQ(CompactRelativeTime(sent + 12ms, sent), "+12.0 ms");
}

TEST(ResolveDemoScenario, TakesIdsNumbersAndAliases) {
  EXPECT_EQ(ResolveDemoScenario("scenario5").id, "scenario5");
  EXPECT_EQ(ResolveDemoScenario("order").id, "scenario5");
  EXPECT_EQ(ResolveDemoScenario("register").id, "scenario1");
  EXPECT_EQ(ResolveDemoScenario("3").id, "scenario3");
  try {
    ResolveDemoScenario("scenario9");
    FAIL() << "no error for an unknown scenario";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown scenario 'scenario9'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("scenario5|order"), std::string::npos) << e.what();
  }
}

TEST(StateWatch, KeepsEachChangeWithItsTime) {
  std::vector<std::string> values{"pending", "pending", "failed"};
  std::size_t next = 0;
  StateWatch watch({"order 7 status", [&] { return values[next++]; },
                    [](const std::string& v) { return v == "failed"; }});
  SystemTime sent = std::chrono::system_clock::now() + 1h;  // every read is "before"
  watch.Poll();
  watch.Poll();
  EXPECT_FALSE(watch.Settled());
  watch.Poll();
  EXPECT_TRUE(watch.Settled());
  EXPECT_EQ(watch.Summary(sent), "order 7 status: pending (before) -> failed (before)");
}

TEST(FindOutageStory, KnowsEmailAndPaymentOnly) {
  EXPECT_EQ(FindOutageStory("email").caller, "user");
  EXPECT_EQ(FindOutageStory("payment").queue, "stock_reserved_queue");
  EXPECT_THROW(FindOutageStory("search"), std::invalid_argument);
}

}  // namespace
}  // namespace flowbench::demo
