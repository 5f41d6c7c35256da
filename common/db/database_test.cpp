// PostgreSQL access against a real server: migrations are idempotent and concurrent-safe,
// the pool commits, bounds its connections and reports exhaustion and outages clearly.
#include "common/db/database.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "common/db/schema.hpp"
#include "common/domain/errors.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

[[maybe_unused]] auto* const kInfra = testing::RegisterEmbeddedInfra();

DatabaseSettings Settings(const std::string& schema) {
  DatabaseSettings s;
  s.url = testing::EmbeddedInfra::State().pg_url;
  s.schema = schema;
  return s;
}

std::int64_t Count(pqxx::connection& c, const std::string& sql) {
  return pqxx::nontransaction(c).exec1(sql)[0].as<std::int64_t>();
}

TEST(Schema, MigrationTwiceIsANoOpAndSeedsProductsAndInventory) {
  auto c = Connect(Settings("migrate_twice"));
  MigrateSchema(*c, "migrate_twice");
  pqxx::nontransaction(*c).exec0("UPDATE products SET stock = 7 WHERE id = 1");
  MigrateSchema(*c, "migrate_twice");
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM products"), 3);
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM inventory WHERE reserved = 0"), 3);
  EXPECT_EQ(Count(*c, "SELECT stock FROM products WHERE id = 1"), 7);  // kept, not re-seeded
  EXPECT_EQ(Count(*c,
                  "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                  "'migrate_twice'"),
            11);  // with effect_claims and outbox
}

TEST(Schema, TenServicesMigratingAtOnceDoNotCollide) {
  std::vector<std::future<void>> starts;
  for (int i = 0; i < 10; ++i) {
    starts.push_back(std::async(std::launch::async, [] {
      auto c = Connect(Settings("concurrent"));
      MigrateSchema(*c, "concurrent");
    }));
  }
  for (auto& s : starts) EXPECT_NO_THROW(s.get());
}

TEST(Schema, ResetEmptiesTablesAndReseeds) {
  auto c = Connect(Settings("reset"));
  MigrateSchema(*c, "reset");
  pqxx::nontransaction(*c).exec0("INSERT INTO users (email) VALUES ('a@b.co')");
  pqxx::nontransaction(*c).exec0("UPDATE inventory SET reserved = 5");
  pqxx::nontransaction(*c).exec0(
      "INSERT INTO payment_decisions (order_id, authorised) VALUES (1, TRUE)");
  ResetSchema(*c, "reset");
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM users"), 0);
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM payment_decisions"), 0);
  EXPECT_EQ(Count(*c, "SELECT sum(reserved) FROM inventory"), 0);
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM products"), 3);
}

TEST(Schema, RejectsASchemaNameThatIsNotAPlainIdentifier) {
  auto c = Connect(Settings("public"));
  EXPECT_THROW(MigrateSchema(*c, "x; DROP TABLE users"), std::invalid_argument);
}

TEST(ConnectionPool, TransactCommitsAndReturnsTheResult) {
  auto c = Connect(Settings("pool"));
  MigrateSchema(*c, "pool");
  ConnectionPool pool(Settings("pool"));
  std::int64_t id = pool.Transact([](pqxx::work& tx) {
    return tx.exec1("INSERT INTO users (email) VALUES ('pool@x.io') RETURNING id")[0]
        .as<std::int64_t>();
  });
  EXPECT_GT(id, 0);
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM users WHERE email = 'pool@x.io'"), 1);
  EXPECT_TRUE(pool.Ping());
}

TEST(ConnectionPool, ExceptionRollsBackAndTheConnectionIsReused) {
  auto c = Connect(Settings("pool_rollback"));
  MigrateSchema(*c, "pool_rollback");
  DatabaseSettings settings = Settings("pool_rollback");
  settings.pool_size = 1;
  ConnectionPool pool(settings);
  EXPECT_THROW(pool.Transact([](pqxx::work& tx) {
    tx.exec0("INSERT INTO users (email) VALUES ('gone@x.io')");
    throw std::runtime_error("handler failed");
  }),
               std::runtime_error);
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM users"), 0);
  EXPECT_TRUE(pool.Ping());  // the single connection came back
}

TEST(ConnectionPool, ExhaustedPoolAnswersServiceUnavailableAfterTheAcquireTimeout) {
  DatabaseSettings settings = Settings("public");
  settings.pool_size = 1;
  settings.acquire_timeout = std::chrono::milliseconds(100);
  ConnectionPool pool(settings);
  std::promise<void> holding, release;
  std::thread holder([&] {
    pool.Transact([&](pqxx::work&) {
      holding.set_value();
      release.get_future().wait();
    });
  });
  holding.get_future().wait();
  EXPECT_THROW(pool.Transact([](pqxx::work&) {}), ServiceUnavailable);
  release.set_value();
  holder.join();
  EXPECT_NO_THROW(pool.Transact([](pqxx::work&) {}));
}

TEST(ConnectionPool, StatementTimeoutCancelsALongQuery) {
  DatabaseSettings settings = Settings("public");
  settings.statement_timeout = std::chrono::milliseconds(50);
  ConnectionPool pool(settings);
  EXPECT_THROW(pool.Transact([](pqxx::work& tx) { tx.exec0("SELECT pg_sleep(5)"); }),
               pqxx::sql_error);
}

TEST(ConnectionPool, UnreachableServerIsServiceUnavailable) {
  DatabaseSettings settings;
  settings.url = "postgresql://postgres@127.0.0.1:" + std::to_string(infra::FindFreePort()) + "/x";
  ConnectionPool pool(settings);
  EXPECT_THROW(pool.Transact([](pqxx::work&) {}), ServiceUnavailable);
  EXPECT_FALSE(pool.Ping());
}

}  // namespace
}  // namespace flowbench
