// `flowbench up --network` as a user runs it: the sync build behind the emulated network, its
// relays in a process of their own that outlives `up`, the services reached (and reaching each
// other) through them, `status` showing them, and `down` stopping them; and `down` cleaning up
// after a relay process that was killed, or whose state file names a process that is not one.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "bench/cli/cli_testing.hpp"
#include "bench/network/detached_relays.hpp"
#include "common/http/json_client.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/service/launcher.hpp"

namespace flowbench::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(UpNetwork, UpWithNetworkRelaysEveryPartInAProcessOfItsOwnThatDownStops) {
  fs::path dir = flowbench::testing::MakeTempDir("flowbench-up-network");
  std::string state = dir.string();
  int base = infra::FindFreePortBase(10);
  infra::CommandResult up =
      testing::Flowbench({"up", "--arch", "sync", "--network", "lan", "--state-dir", state,
                          "--port-base", std::to_string(base)},
                         120s);
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_TRUE(Contains(up.output, "network")) << up.output;

  // `up` has returned: the relays live on in their own process.
  std::optional<network::DetachedRelays> relays = network::LoadDetachedRelays(dir, Arch::kSync);
  ASSERT_TRUE(relays.has_value());
  EXPECT_EQ(relays->profile.name, "lan");
  EXPECT_TRUE(network::IsRunning(*relays, dir));
  EXPECT_EQ(relays->links.links.size(), 11u);  // ten services and PostgreSQL
  int user_link = relays->links.ServicePort("user");
  EXPECT_NE(user_link, base + 1);

  // The services answer through their links, and call each other and the database through
  // them: their command lines name the relays, not each other's ports.
  http::JsonClient user("127.0.0.1", user_link);
  EXPECT_EQ(user.Get("/health").status, 200);
  std::optional<RunningSystem> system = LoadSystem(dir, Arch::kSync);
  ASSERT_TRUE(system.has_value());
  const std::vector<std::string>& argv = system->Service("order").argv;
  std::string payment_peer =
      "payment=http://127.0.0.1:" + std::to_string(relays->links.ServicePort("payment"));
  EXPECT_NE(std::find(argv.begin(), argv.end(), payment_peer), argv.end());
  EXPECT_EQ(system->Service("user").port, base + 1);  // `down` and `status` check the service

  // `demo` drives that build through its links; a --network other than up's is refused.
  infra::CommandResult demo = testing::Flowbench({"demo", "register", "--arch", "sync", "--network",
                                                  "lan", "--state-dir", state, "--timeout", "30"},
                                                 120s);
  EXPECT_EQ(demo.exit_code, 0) << demo.output;
  EXPECT_TRUE(Contains(demo.output, "`flowbench up --network lan`")) << demo.output;
  EXPECT_TRUE(Contains(demo.output, "through its links")) << demo.output;
  infra::CommandResult other = testing::Flowbench(
      {"demo", "register", "--arch", "sync", "--network", "zone", "--state-dir", state}, 60s);
  EXPECT_NE(other.exit_code, 0);
  EXPECT_TRUE(Contains(other.output, "runs behind the network 'lan'")) << other.output;

  infra::CommandResult status = testing::Flowbench({"status", "--state-dir", state}, 30s);
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(Contains(status.output, "relaying")) << status.output;
  EXPECT_TRUE(Contains(status.output, "lan (0.25 ms one way")) << status.output;
  EXPECT_TRUE(Contains(status.output, "127.0.0.1:" + std::to_string(user_link) +
                                          " -> 127.0.0.1:" + std::to_string(base + 1)))
      << status.output;

  infra::CommandResult down =
      testing::Flowbench({"down", "--keep-infra", "--state-dir", state}, 120s);
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_TRUE(Contains(down.output, "sync relays stopped")) << down.output;
  EXPECT_TRUE(infra::WaitForExit(relays->pid, 5s));
  EXPECT_FALSE(infra::IsPortOpen(user_link));
  EXPECT_FALSE(fs::exists(network::RelayStateFile(dir, Arch::kSync)));
  if (!relays->passfile.empty()) {
    EXPECT_FALSE(fs::exists(relays->passfile));
  }

  // A relay process killed outright leaves its state file and passfile: `status` says so and
  // `down` removes them.
  up = testing::Flowbench({"up", "--arch", "sync", "--network", "zone", "--state-dir", state,
                           "--port-base", std::to_string(base)},
                          120s);
  ASSERT_EQ(up.exit_code, 0) << up.output;
  relays = network::LoadDetachedRelays(dir, Arch::kSync);
  ASSERT_TRUE(relays.has_value());
  EXPECT_EQ(relays->profile.name, "zone");
  ASSERT_EQ(::kill(relays->pid, SIGKILL), 0);
  EXPECT_TRUE(infra::WaitForExit(relays->pid, 5s));
  status = testing::Flowbench({"status", "--state-dir", state}, 30s);
  EXPECT_EQ(status.exit_code, 1) << status.output;
  EXPECT_TRUE(Contains(status.output, "DOWN")) << status.output;
  down = testing::Flowbench({"down", "--state-dir", state}, 120s);
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_TRUE(Contains(down.output, "stale state file removed")) << down.output;
  EXPECT_FALSE(fs::exists(network::RelayStateFile(dir, Arch::kSync)));
  if (!relays->passfile.empty()) {
    EXPECT_FALSE(fs::exists(relays->passfile));
  }
  fs::remove_all(dir);
}

TEST(UpNetwork, DownNeverSignalsAProcessThatAStaleRelayStateFileNames) {
  fs::path dir = flowbench::testing::MakeTempDir("flowbench-up-network-stale");
  // A live process that is no relay, as a pid reused since the relay died would be.
  pid_t other = infra::SpawnDaemon({"/bin/sleep", "60"}, {}, dir / "sleep.log");
  fs::path passfile = dir / "pgpass.relay-1";
  std::ofstream(passfile) << "127.0.0.1:1:*:postgres:secret\n";
  std::ofstream(network::RelayStateFile(dir, Arch::kAsync))
      << R"({"pid": )" << other
      << R"(, "arch": "async", "profile": {"name": "lan", "one_way_delay_ms": 0.25,
      "jitter_ms": 0.05, "loss": 0}, "pg_url": "postgresql://127.0.0.1:1/flowbench",
      "amqp_url": "amqp://127.0.0.1:2", "passfile": ")"
      << passfile.string() << R"(", "links": []})";

  infra::CommandResult down = testing::Flowbench({"down", "--state-dir", dir.string()}, 60s);
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_TRUE(Contains(down.output, "async relays: stale state file removed")) << down.output;
  EXPECT_TRUE(infra::IsAlive(other));
  EXPECT_FALSE(fs::exists(network::RelayStateFile(dir, Arch::kAsync)));
  EXPECT_FALSE(fs::exists(passfile));
  infra::Terminate(other, 5s);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace flowbench::cli
