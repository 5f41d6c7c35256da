#include "bench/network/relayed_parts.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace flowbench::network {
namespace {

TEST(RelayedParts, AServersUrlKeepsItsUserPathAndQueryWithTheRelaysAddress) {
  EXPECT_EQ(WithHostPort("postgresql://postgres@127.0.0.1:5433/flowbench?passfile=/x", "127.0.0.1",
                         40001),
            "postgresql://postgres@127.0.0.1:40001/flowbench?passfile=/x");
  EXPECT_EQ(WithHostPort("amqp://guest:s3cret@10.0.0.5:5672/%2f", "127.0.0.1", 40002),
            "amqp://guest:s3cret@127.0.0.1:40002/%2f");
  HostPort hp = HostPortOf("amqp://guest:s3cret@10.0.0.5:5672/%2f");
  EXPECT_EQ(hp.host, "10.0.0.5");
  EXPECT_EQ(hp.port, 5672);
  EXPECT_THROW(HostPortOf("postgresql://db/flowbench"), std::invalid_argument);
}

TEST(RelayedParts, EveryServiceAndServerGetsALinkAndThePeersPointAtThem) {
  NetworkProfile lan = ResolveProfile("lan", {}, {}, {});
  RelayedParts parts(lan, Arch::kAsync, 30000, "postgresql://postgres@127.0.0.1:5433/flowbench",
                     "amqp://guest:guest@127.0.0.1:5672/%2f");
  EXPECT_EQ(parts.Links().size(), Services().size() + 2);  // + postgres + rabbitmq
  std::vector<std::string> peers = parts.PeerArgs();
  ASSERT_EQ(peers.size(), 2 * Services().size());
  EXPECT_EQ(peers[0], "--peer");
  EXPECT_EQ(peers[1], "user=http://127.0.0.1:" + std::to_string(parts.ServicePort("user")));
  EXPECT_NE(parts.PgUrl().find(std::to_string(parts.Links()[Services().size()].listen_port)),
            std::string::npos);
  RelayedParts sync(lan, Arch::kSync, 30000, "postgresql://postgres@127.0.0.1:5433/flowbench", "");
  EXPECT_EQ(sync.Links().size(), Services().size() + 1) << "the sync build uses no broker";
}

// libpq looks a password up by host and port: the relay's port needs an entry of its own.
TEST(RelayedParts, ThePostgresPassfileGetsTheRelaysAddressAndIsRemovedAfterwards) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "flowbench-relay-passfile";
  std::filesystem::create_directories(dir / "a b");
  std::filesystem::path passfile = dir / "a b" / "pgpass";
  std::ofstream(passfile) << "127.0.0.1:5433:*:postgres:s3cret\n";
  std::string url =
      "postgresql://postgres@127.0.0.1:5433/flowbench?passfile=" + (dir / "a%20b/pgpass").string();
  std::filesystem::path relay_passfile;
  {
    RelayedParts parts(ResolveProfile("lan", {}, {}, {}), Arch::kSync, 30000, url, "");
    int port = parts.Links().back().listen_port;
    relay_passfile = passfile.string() + ".relay-" + std::to_string(port);
    EXPECT_EQ(parts.PgUrl(), "postgresql://postgres@127.0.0.1:" + std::to_string(port) +
                                 "/flowbench?passfile=" + (dir / "a%20b/pgpass").string() +
                                 ".relay-" + std::to_string(port));
    std::ifstream in(relay_passfile);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "127.0.0.1:" + std::to_string(port) + ":*:postgres:s3cret");
    EXPECT_EQ(parts.PgUrl().find("s3cret"), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(relay_passfile));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowbench::network
