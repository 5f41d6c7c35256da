// Service options: contract ports, moved ports, peers, and bad peers rejected.
#include "common/service/service_options.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

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
  ServiceOptions o = Parse(Arch::kSync, {"--peer", "payment=http://payment:8002", "--peer",
                                         "inventory=http://inv:9"});
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

}  // namespace
}  // namespace flowbench
