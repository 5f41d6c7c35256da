// Service options: contract ports, moved ports, peers, and bad peers rejected; the flags
// flowbench passes on to every service or to one build's only.
#include "common/service/service_options.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "common/service/pass_through_args.hpp"

namespace flowbench {
namespace {

ServiceOptions Parse(Arch arch, std::vector<std::string> args) {
  ServiceOptions o;
  o.arch = arch;
  o.service = "order";
  CLI::App app;
  BindServiceOptions(app, o);
  std::vector<const char*> argv{"svc"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return o;
}

TEST(ServiceOptions, DefaultPortsAreTheContracts) {
  EXPECT_EQ(Parse(Arch::kSync, {}).port(), 8005);
  EXPECT_EQ(Parse(Arch::kAsync, {}).port(), 8105);
  EXPECT_EQ(Parse(Arch::kSync, {}).PeerUrl("payment"), "http://127.0.0.1:8002");
}

TEST(ServiceOptions, PortBaseMovesEveryService) {
  ServiceOptions o = Parse(Arch::kAsync, {"--port-base", "20000"});
  EXPECT_EQ(o.port(), 20005);
  EXPECT_EQ(o.PortOf("inventory"), 20010);
  EXPECT_EQ(o.PeerUrl("user"), "http://127.0.0.1:20001");
}

TEST(ServiceOptions, PeerFlagOverridesOnePeer) {
  ServiceOptions o = Parse(
      Arch::kSync, {"--peer", "payment=http://payment:8002", "--peer", "inventory=http://inv:9"});
  EXPECT_EQ(o.PeerUrl("payment"), "http://payment:8002");
  EXPECT_EQ(o.PeerUrl("inventory"), "http://inv:9");
  EXPECT_EQ(o.PeerUrl("user"), "http://127.0.0.1:8001");
}

TEST(ServiceOptions, ResolveRejectsABadPeerAndFillsTheDatabase) {
  ServiceOptions bad = Parse(Arch::kSync, {"--peer", "paymnt=http://x:1"});
  EXPECT_THROW(ResolveServiceOptions(bad), std::invalid_argument);
  ServiceOptions good = Parse(Arch::kAsync, {"--pg-url", "postgresql://db/x"});
  ResolveServiceOptions(good);
  EXPECT_EQ(good.database.url, "postgresql://db/x");
  EXPECT_EQ(good.database.schema, "async");
}

TEST(ServiceOptions, OtlpEndpointIsOffUnlessGiven) {
  EXPECT_EQ(Parse(Arch::kSync, {}).otlp_endpoint, "");
  EXPECT_EQ(Parse(Arch::kAsync, {"--otlp-endpoint", "http://jaeger:4318"}).otlp_endpoint,
            "http://jaeger:4318");
}

PassThroughArgs ParsePassThrough(std::vector<std::string> args) {
  PassThroughArgs pass;
  CLI::App app;
  BindPassThroughArgs(app, pass);
  std::vector<const char*> argv{"flowbench"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return pass;
}

TEST(PassThroughArgs, EachBuildGetsTheCommonFlagsThenOnlyItsOwn) {
  PassThroughArgs pass =
      ParsePassThrough({"--sync-arg=--http-threads=64", "--async-arg=--prefetch=7",
                        "--sync-arg=--listen-backlog=9", "--", "--db-pool-size", "3"});
  EXPECT_EQ(
      pass.For(Arch::kSync),
      (std::vector<std::string>{"--db-pool-size", "3", "--http-threads=64", "--listen-backlog=9"}));
  EXPECT_EQ(pass.For(Arch::kAsync),
            (std::vector<std::string>{"--db-pool-size", "3", "--prefetch=7"}));
}

TEST(PassThroughArgs, AnArgTakesOneValueSoWhatFollowsIsNotSwallowed) {
  PassThroughArgs pass =
      ParsePassThrough({"--async-arg=--prefetch=7", "--", "--db-pool-size", "3"});
  EXPECT_EQ(pass.async, std::vector<std::string>{"--prefetch=7"});
  EXPECT_EQ(pass.every, (std::vector<std::string>{"--db-pool-size", "3"}));
  // A separate value works too while flowbench has no option of that name.
  EXPECT_EQ(ParsePassThrough({"--sync-arg", "--http-threads=64"}).sync,
            std::vector<std::string>{"--http-threads=64"});
}

TEST(PassThroughArgs, QueueTypeGoesToTheAsyncServicesOnlyAndAnAsyncArgStillWins) {
  PassThroughArgs pass =
      ParsePassThrough({"--queue-type", "quorum", "--async-arg=--queue-type=classic"});
  EXPECT_EQ(pass.For(Arch::kSync), std::vector<std::string>{});
  EXPECT_EQ(pass.For(Arch::kAsync),
            (std::vector<std::string>{"--queue-type=quorum", "--queue-type=classic"}));
  EXPECT_EQ(pass.ToJson().at("queue_type"), "quorum");
  EXPECT_THROW(ParsePassThrough({"--queue-type", "stream"}), CLI::ValidationError);
}

TEST(PassThroughArgs, OtlpEndpointGoesToEveryServiceOfBothBuilds) {
  PassThroughArgs pass = ParsePassThrough(
      {"--otlp-endpoint", "http://localhost:4318", "--sync-arg=--http-threads=64"});
  EXPECT_EQ(
      pass.For(Arch::kSync),
      (std::vector<std::string>{"--otlp-endpoint", "http://localhost:4318", "--http-threads=64"}));
  EXPECT_EQ(pass.For(Arch::kAsync),
            (std::vector<std::string>{"--otlp-endpoint", "http://localhost:4318"}));
  EXPECT_EQ(pass.ToJson().at("otlp_endpoint"), "http://localhost:4318");
  EXPECT_EQ(ParsePassThrough({}).For(Arch::kSync), std::vector<std::string>{});
  EXPECT_TRUE(ParsePassThrough({}).Empty());
  EXPECT_FALSE(pass.Empty());  // a --target run refuses it like any service flag
}

TEST(PassThroughArgs, ResultsRecordEachList) {
  PassThroughArgs pass{{"--db-pool-size", "3"}, {"--http-threads=64"}, {}, {}, {}};
  EXPECT_EQ(boost::json::serialize(pass.ToJson()),
            R"({"every":["--db-pool-size","3"],"sync":["--http-threads=64"],"async":[]})");
}

}  // namespace
}  // namespace flowbench
