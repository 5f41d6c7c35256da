#include "bench/network/relayed_parts.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace flowbench::network
