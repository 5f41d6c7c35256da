// PostgreSQL access (libpqxx 6.4): the settings every service binds the same way, and a
// small fixed-size connection pool. Each build lives in its own schema ("sync", "async") of
// one database, so both can run against the same server without seeing each other's rows.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace flowbench {

struct DatabaseSettings {
  std::string url;  // libpq URL: --pg-url or the embedded server (infra::ResolvePgUrl)
  std::string schema = "public";                        // set by the build: "sync" or "async"
  int pool_size = 10;                                   // connections per service process
  std::chrono::milliseconds statement_timeout{10'000};  // server-side cap per statement
  std::chrono::milliseconds acquire_timeout{5'000};     // wait for a free connection, then 503
  std::chrono::seconds connect_timeout{5};              // libpq connect_timeout (at least 2)
  std::chrono::milliseconds tcp_user_timeout{10'000};   // sent data unacknowledged: dead
  std::chrono::seconds keepalive_idle{10};  // idle connection probed after this, every this
  // Client-side cap on one transaction: past it the connection is cut and the request gets
  // 503. Covers a server that stops answering, which its own statement_timeout cannot.
  std::chrono::milliseconds transaction_deadline{15'000};
};

// --db-pool-size, --db-statement-timeout-ms, --db-acquire-timeout-ms.
void BindDatabaseSettings(CLI::App& app, DatabaseSettings& settings);

// The settings that shape a measurement (pool and timeouts, the schema); never the URL,
// which may hold a password.
boost::json::object ToJson(const DatabaseSettings& settings);

// The libpq connection string: the URL's own parameters, plus connect_timeout, keepalives,
// tcp_user_timeout and the session settings (search_path, statement_timeout) where the URL
// does not set them.
std::string ConnectionString(const DatabaseSettings& settings);

// Opens one connection with the session settings applied (search_path, statement_timeout).
std::unique_ptr<pqxx::connection> Connect(const DatabaseSettings& settings);

class ConnectionPool {
 public:
  explicit ConnectionPool(DatabaseSettings settings);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Runs `work(pqxx::work&)` in a transaction and commits it; returns what `work` returns.
  // Throws ServiceUnavailable when no connection frees up within acquire_timeout or the
  // server is unreachable; a broken connection is dropped, never handed out again.
  template <typename Work>
  auto Transact(Work&& work) {
    Lease lease(*this);
    try {
      pqxx::work tx(*lease.connection);
      if constexpr (std::is_void_v<decltype(work(tx))>) {
        work(tx);
        tx.commit();
      } else {
        auto result = work(tx);
        tx.commit();
        return result;
      }
    } catch (const pqxx::broken_connection&) {
      lease.Discard();
      throw;
    }
  }

  // True when a connection can run SELECT 1 now (readiness probes).
  bool Ping();

  const DatabaseSettings& settings() const { return settings_; }

 private:
  struct Lease {
    explicit Lease(ConnectionPool& pool);
    ~Lease();
    void Discard() { connection.reset(); }
    ConnectionPool& pool;
    std::unique_ptr<pqxx::connection> connection;
  };

  std::unique_ptr<pqxx::connection> Acquire();
  void Release(std::unique_ptr<pqxx::connection> connection);

  DatabaseSettings settings_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;  // connections handed out or idle
};

}  // namespace flowbench
