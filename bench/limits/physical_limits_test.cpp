// The physical-limit probes against real servers (embedded PostgreSQL and RabbitMQ, the
// in-process trivial HTTP server), for one second each: each measures a positive rate whose
// counts agree with each other, and leaves nothing behind. No figure is asserted: on this
// shared machine a rate threshold would test the neighbours.
#include "bench/limits/physical_limits.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "common/amqp/connection.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench::limits {
namespace {

[[maybe_unused]] auto* const kInfra = testing::RegisterEmbeddedInfra();

LimitProbeOptions OneSecond() {
  LimitProbeOptions options;
  options.duration = std::chrono::milliseconds(1000);
  options.amqp_url = testing::EmbeddedInfra::State().amqp_url;
  options.pg_url = testing::EmbeddedInfra::State().pg_url;
  return options;
}

std::uint64_t Count(const sweep::PhysicalLimit& limit, const char* field) {
  return boost::json::value_to<std::uint64_t>(limit.details.at(field));
}

TEST(PhysicalLimits, HttpProbeAnswersEveryRequestWithoutErrors) {
  LimitProbeOptions options = OneSecond();
  options.http_connections = 8;
  sweep::PhysicalLimit limit = MeasureHttpLimit(options);
  SCOPED_TRACE(boost::json::serialize(limit.details));
  EXPECT_EQ(limit.name, "http");
  EXPECT_GT(limit.rps, 0);
  EXPECT_EQ(Count(limit, "errors_total"), 0u);
  EXPECT_EQ(Count(limit, "interrupted"), 0u);
  EXPECT_GT(Count(limit, "ok"), 0u);
  EXPECT_EQ(Count(limit, "ok"), Count(limit, "answered"));
  // Every answer the client counted is one the server made.
  EXPECT_GE(Count(limit, "server_answered"), Count(limit, "answered"));
  EXPECT_DOUBLE_EQ(limit.rps, static_cast<double>(Count(limit, "ok")) / 1.0);
  EXPECT_NE(limit.method.find("8 keep-alive connections"), std::string::npos) << limit.method;
}

TEST(PhysicalLimits, BrokerProbeConsumesEveryConfirmedMessageAndDeletesItsQueue) {
  sweep::PhysicalLimit limit = MeasureBrokerLimit(OneSecond());
  SCOPED_TRACE(boost::json::serialize(limit.details));
  EXPECT_EQ(limit.name, "broker");
  EXPECT_GT(limit.rps, 0);
  const std::uint64_t published = Count(limit, "published");
  EXPECT_GT(published, 0u);
  EXPECT_EQ(Count(limit, "confirmed"), published);
  EXPECT_EQ(Count(limit, "nacked"), 0u);
  EXPECT_EQ(Count(limit, "consumed"), published);
  EXPECT_LE(Count(limit, "consumed_in_window"), published);
  EXPECT_FALSE(limit.details.contains("problem"));
  // The async build's defaults when none are given.
  EXPECT_EQ(Count(limit, "confirm_window"), 100u);
  EXPECT_EQ(Count(limit, "prefetch"), 50u);

  AmqpConnection broker(testing::EmbeddedInfra::State().amqp_url, std::chrono::seconds(5));
  EXPECT_FALSE(broker.QueueDepth(limit.details.at("queue").as_string().c_str()));
}

TEST(PhysicalLimits, BrokerProbeUsesTheGivenWindowAndPrefetch) {
  LimitProbeOptions options = OneSecond();
  options.confirm_window = 7;
  options.prefetch = 3;
  sweep::PhysicalLimit limit = MeasureBrokerLimit(options);
  SCOPED_TRACE(boost::json::serialize(limit.details));
  EXPECT_EQ(Count(limit, "confirm_window"), 7u);
  EXPECT_EQ(Count(limit, "prefetch"), 3u);
  EXPECT_EQ(Count(limit, "consumed"), Count(limit, "published"));
  EXPECT_NE(limit.method.find("up to 7 unconfirmed"), std::string::npos) << limit.method;
}

TEST(PhysicalLimits, DatabaseProbeCountsBackEveryInsertedRowAndDropsItsSchema) {
  LimitProbeOptions options = OneSecond();
  options.pool_size = 3;
  sweep::PhysicalLimit limit = MeasureDatabaseLimit(options);
  SCOPED_TRACE(boost::json::serialize(limit.details));
  EXPECT_EQ(limit.name, "database");
  EXPECT_GT(limit.rps, 0);
  EXPECT_EQ(Count(limit, "connections"), 3u);
  EXPECT_GT(Count(limit, "inserted"), 0u);
  EXPECT_EQ(Count(limit, "counted"), Count(limit, "inserted"));
  EXPECT_FALSE(limit.details.contains("problem"));

  pqxx::connection connection(testing::EmbeddedInfra::State().pg_url);
  pqxx::work tx(connection);
  pqxx::result schemas =
      tx.exec_params("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1",
                     std::string(limit.details.at("schema").as_string()));
  EXPECT_TRUE(schemas.empty());
}

TEST(PhysicalLimits, DatabaseProbeDefaultsToTheBuildsPoolSize) {
  sweep::PhysicalLimit limit = MeasureDatabaseLimit(OneSecond());
  SCOPED_TRACE(boost::json::serialize(limit.details));
  EXPECT_EQ(Count(limit, "connections"), 10u);
  EXPECT_EQ(Count(limit, "counted"), Count(limit, "inserted"));
}

TEST(PhysicalLimits, AllThreeInOrder) {
  LimitProbeOptions options = OneSecond();
  options.duration = std::chrono::milliseconds(300);
  std::vector<sweep::PhysicalLimit> limits = MeasurePhysicalLimits(options);
  ASSERT_EQ(limits.size(), 3u);
  EXPECT_EQ(limits[0].name, "http");
  EXPECT_EQ(limits[1].name, "broker");
  EXPECT_EQ(limits[2].name, "database");
  for (const sweep::PhysicalLimit& limit : limits) EXPECT_GT(limit.rps, 0) << limit.name;
}

TEST(PhysicalLimits, ProbesWithoutTheirServerSayWhichOneIsMissing) {
  LimitProbeOptions options;
  EXPECT_THROW(MeasureBrokerLimit(options), std::invalid_argument);
  EXPECT_THROW(MeasureDatabaseLimit(options), std::invalid_argument);
}

}  // namespace
}  // namespace flowbench::limits
