// PostgreSQL access against a real server: migrations are idempotent and concurrent-safe,
// the pool commits, bounds its connections and reports exhaustion and outages clearly.
#include "common/db/database.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "common/db/schema.hpp"
#include "common/domain/errors.hpp"
#include "common/infra/infra.hpp"
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

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// What one Transact ended with, run on another thread so that a test can fail instead of
// hanging when it does not end.
std::future<std::string> TransactInBackground(ConnectionPool& pool) {
  return std::async(std::launch::async, [&pool]() -> std::string {
    try {
      pool.Transact([](pqxx::work& tx) { tx.exec1("SELECT 1"); });
      return "ok";
    } catch (const ServiceUnavailable& e) {
      return std::string("unavailable: ") + e.what();
    } catch (const std::exception& e) {
      return std::string("other error: ") + e.what();
    }
  });
}

// A TCP port that completes the handshake (the kernel does, from the backlog) and then never
// says a word: a database host that hangs.
class SilentServer {
 public:
  SilentServer() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      throw std::runtime_error("cannot listen");
    }
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { Close(); }
  void Close() {  // resets the waiting connections: frees a client that would hang
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

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

// Autocommit: each statement commits by itself (no transaction around them), so a failure
// after a statement leaves that statement's row; the result is returned, the connection
// reused.
TEST(ConnectionPool, AutocommitCommitsEachStatementOnItsOwn) {
  auto c = Connect(Settings("pool_autocommit"));
  MigrateSchema(*c, "pool_autocommit");
  DatabaseSettings settings = Settings("pool_autocommit");
  settings.pool_size = 1;
  ConnectionPool pool(settings);
  std::int64_t id = pool.Autocommit([](pqxx::nontransaction& tx) {
    return tx.exec1("INSERT INTO users (email) VALUES ('auto@x.io') RETURNING id")[0]
        .as<std::int64_t>();
  });
  EXPECT_GT(id, 0);
  EXPECT_THROW(pool.Autocommit([](pqxx::nontransaction& tx) {
    tx.exec0("INSERT INTO users (email) VALUES ('kept@x.io')");
    throw std::runtime_error("handler failed");
  }),
               std::runtime_error);
  EXPECT_EQ(Count(*c, "SELECT count(*) FROM users"), 2);
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

TEST(ConnectionString, CarriesTheTimeoutsKeepalivesAndSessionSettings) {
  DatabaseSettings settings = Settings("async");
  settings.connect_timeout = std::chrono::seconds(3);
  settings.tcp_user_timeout = milliseconds(7000);
  settings.keepalive_idle = std::chrono::seconds(11);
  settings.statement_timeout = milliseconds(1234);
  std::string conninfo = ConnectionString(settings);
  EXPECT_NE(conninfo.find("connect_timeout='3'"), std::string::npos) << conninfo;
  EXPECT_NE(conninfo.find("keepalives='1'"), std::string::npos) << conninfo;
  EXPECT_NE(conninfo.find("keepalives_idle='11'"), std::string::npos) << conninfo;
  EXPECT_NE(conninfo.find("tcp_user_timeout='7000'"), std::string::npos) << conninfo;
  // In the startup packet, so that every connection (a reconnection too) has them.
  EXPECT_NE(conninfo.find("-c search_path=async"), std::string::npos) << conninfo;
  EXPECT_NE(conninfo.find("-c statement_timeout=1234"), std::string::npos) << conninfo;
}

TEST(ConnectionString, WhatTheUrlSaysWins) {
  DatabaseSettings settings = Settings("async");
  settings.url = "postgresql://postgres@127.0.0.1:5999/db?connect_timeout=17";
  std::string conninfo = ConnectionString(settings);
  EXPECT_NE(conninfo.find("connect_timeout='17'"), std::string::npos) << conninfo;
  EXPECT_EQ(conninfo.find("connect_timeout='5'"), std::string::npos) << conninfo;
  EXPECT_NE(conninfo.find("port='5999'"), std::string::npos) << conninfo;
}

TEST(ConnectionPool, AServerThatNeverAnswersIsServiceUnavailableWithinTheConnectTimeout) {
  SilentServer silent;
  DatabaseSettings settings;
  settings.url = "postgresql://postgres@127.0.0.1:" + std::to_string(silent.port()) + "/x";
  settings.connect_timeout = std::chrono::seconds(2);
  ConnectionPool pool(settings);
  auto started = Clock::now();
  std::future<std::string> attempt = TransactInBackground(pool);
  bool ended = attempt.wait_for(std::chrono::seconds(6)) == std::future_status::ready;
  auto waited = Clock::now() - started;
  silent.Close();
  ASSERT_TRUE(ended) << "still connecting after 6 s";
  EXPECT_EQ(attempt.get().rfind("unavailable: ", 0), 0u);
  EXPECT_LT(waited, std::chrono::seconds(4));
}

TEST(ConnectionPool, AServerThatStopsAnsweringIsServiceUnavailableWithinTheTransactionDeadline) {
  DatabaseSettings settings = Settings("public");
  settings.pool_size = 1;
  settings.transaction_deadline = milliseconds(1500);
  ConnectionPool pool(settings);
  int backend = pool.Transact(
      [](pqxx::work& tx) { return tx.exec1("SELECT pg_backend_pid()")[0].as<int>(); });
  // The server process behind the pooled connection stops: the kernel still takes what is
  // sent, so neither TCP timeouts nor statement_timeout (the server's own) can end the wait.
  ASSERT_EQ(::kill(backend, SIGSTOP), 0);
  auto started = Clock::now();
  std::future<std::string> attempt = TransactInBackground(pool);
  bool ended = attempt.wait_for(std::chrono::seconds(6)) == std::future_status::ready;
  auto waited = Clock::now() - started;
  ::kill(backend, SIGCONT);
  ASSERT_TRUE(ended) << "still waiting for the stopped server after 6 s";
  std::string result = attempt.get();
  EXPECT_EQ(result.rfind("unavailable: ", 0), 0u) << result;
  EXPECT_NE(result.find("did not answer"), std::string::npos) << result;
  EXPECT_LT(waited, std::chrono::seconds(3));
  EXPECT_TRUE(pool.Ping());  // the abandoned connection was dropped, a fresh one works
}

TEST(ConnectionPool, IdleConnectionsAreReplacedAfterAPostgresRestart) {
  auto c = Connect(Settings("pool_restart"));
  MigrateSchema(*c, "pool_restart");
  c.reset();
  DatabaseSettings settings = Settings("pool_restart");
  settings.pool_size = 2;
  ConnectionPool pool(settings);
  // Two connections idle in the pool.
  std::promise<void> both, release;
  std::shared_future<void> released = release.get_future().share();
  std::thread holder([&] {
    pool.Transact([&](pqxx::work&) {
      both.set_value();
      released.wait();
    });
  });
  both.get_future().wait();
  pool.Transact([](pqxx::work& tx) { tx.exec0("INSERT INTO users (email) VALUES ('a@x.io')"); });
  release.set_value();
  holder.join();

  infra::RestartComponent(testing::EmbeddedInfra::StateDir(), infra::Component::kPostgres);

  // Each request after the restart succeeds, in the service's own schema.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(pool.Transact([](pqxx::work& tx) {
      return tx.exec1("SELECT count(*) FROM users")[0].as<std::int64_t>();
    }),
              1);
  }
}

}  // namespace
}  // namespace flowbench
