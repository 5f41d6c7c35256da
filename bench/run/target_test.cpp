// `flowbench run --target`: the two forms of the option and their mistakes, the endpoints of
// a target build, and the management API URL.
#include "bench/run/target.hpp"

#include <gtest/gtest.h>

#include "bench/run/rabbitmq_management.hpp"

namespace flowbench::run {
namespace {

const std::vector<Arch> kBoth = {Arch::kSync, Arch::kAsync};

std::string ErrorOf(const std::vector<std::string>& values,
                    const std::vector<Arch>& archs = kBoth) {
  try {
    ParseTargets(values, archs);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ParseTargets, ABareHostIsEveryBuildAtTheContractsPorts) {
  std::vector<TargetBuild> t = ParseTargets({"10.0.0.5"}, kBoth);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].arch, Arch::kSync);
  EXPECT_EQ(t[0].host, "10.0.0.5");
  EXPECT_EQ(t[0].first_port, 8001);
  EXPECT_EQ(t[1].arch, Arch::kAsync);
  EXPECT_EQ(t[1].first_port, 8101);
  EXPECT_EQ(ParseTargets({"http://bench.example/"}, {Arch::kAsync}).at(0).host, "bench.example");
}

TEST(ParseTargets, EachBuildItsOwnUrlAndOnlyTheBuildsNamed) {
  std::vector<TargetBuild> t =
      ParseTargets({"async=http://compose-host:9101", "sync=http://[::1]:9001"}, kBoth);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].arch, Arch::kSync);  // contract order, whatever the order given
  EXPECT_EQ(t[0].host, "::1");
  EXPECT_EQ(t[0].first_port, 9001);
  EXPECT_EQ(t[1].host, "compose-host");
  EXPECT_EQ(t[1].first_port, 9101);
  std::vector<TargetBuild> only_async = ParseTargets({"async=10.0.0.5"}, kBoth);
  ASSERT_EQ(only_async.size(), 1u);
  EXPECT_EQ(only_async[0].first_port, 8101);
}

TEST(ParseTargets, MistakesSayWhatIsWrongAndWhatItShouldLookLike) {
  EXPECT_NE(ErrorOf({"sync=https://h:8001"}).find("only http://"), std::string::npos);
  EXPECT_NE(ErrorOf({"sync=http://h:8001/api"}).find("no path"), std::string::npos);
  EXPECT_NE(ErrorOf({"both=http://h"}).find("'both' is not a build"), std::string::npos);
  EXPECT_NE(ErrorOf({"sync=h", "sync=g"}).find("given twice"), std::string::npos);
  EXPECT_NE(ErrorOf({"h", "sync=g"}).find("a bare HOST is the only --target"), std::string::npos);
  EXPECT_NE(ErrorOf({"sync=h:65530"}).find("room for ten services"), std::string::npos);
  EXPECT_NE(ErrorOf({"sync=h:80a"}).find("a port is a number"), std::string::npos);
  EXPECT_NE(ErrorOf({"h:9000"}).find("the ports are the contract's"), std::string::npos);
  EXPECT_NE(ErrorOf({"sync=h:80a"}).find("e.g. --target sync=http://"), std::string::npos);
}

TEST(TargetSystem, TenServicesOnConsecutivePortsInContractOrder) {
  MeasuredBuild s = TargetSystem({Arch::kAsync, "10.0.0.5", 9101});
  EXPECT_FALSE(s.started_by_flowbench);
  ASSERT_EQ(s.services.size(), 10u);
  EXPECT_EQ(s.Service("user").Url(), "http://10.0.0.5:9101");
  EXPECT_EQ(s.Service("inventory").Url(), "http://10.0.0.5:9110");
  EXPECT_EQ(s.Service("email").pid, 0);
  EXPECT_EQ(TargetSystem({Arch::kSync, "::1", 8001}).Service("user").Url(), "http://[::1]:8001");
}

TEST(RabbitManagement, UrlsKeepTheirPasswordOutOfReports) {
  EXPECT_EQ(RabbitManagement("http://flowbench:secret@mq.example:15672").DisplayUrl(),
            "http://flowbench@mq.example:15672/%2F");
  EXPECT_EQ(RabbitManagement("http://127.0.0.1:15672/bench").DisplayUrl(),
            "http://127.0.0.1:15672/bench");
  EXPECT_THROW(RabbitManagement("https://mq:15671"), std::invalid_argument);
  EXPECT_THROW(RabbitManagement("http://mq:15672/a/b"), std::invalid_argument);
}

TEST(RequireTargetReady, AnUnreachableServiceIsNamedWithItsUrl) {
  // Port 1 on loopback: nothing listens there.
  MeasuredBuild nowhere = TargetSystem({Arch::kSync, "127.0.0.1", 1});
  try {
    RequireTargetReady({nowhere}, nullptr);
    FAIL() << "an unreachable target passed";
  } catch (const TargetNotReady& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("nothing was run"), std::string::npos) << message;
    EXPECT_NE(message.find("sync-user at http://127.0.0.1:1/health: no answer"), std::string::npos)
        << message;
    EXPECT_NE(message.find("sync-inventory at http://127.0.0.1:10/health"), std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace flowbench::run
