// PostgreSQL access (libpqxx 6.4): the settings every service binds the same way, and a
// small fixed-size connection pool. Each build lives in its own schema ("sync", "async") of
// one database, so both can run against the same server without seeing each other's rows.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
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

// --db-pool-size, --db-statement-timeout-ms, --db-acquire-timeout-ms,
// --db-connect-timeout-s, --db-tcp-user-timeout-ms, --db-keepalive-idle-s,
// --db-transaction-deadline-ms.
void BindDatabaseSettings(CLI::App& app, DatabaseSettings& settings);

// The settings that shape a measurement (pool and timeouts, the schema); never the URL,
// which may hold a password.
boost::json::object ToJson(const DatabaseSettings& settings);

// The libpq connection string: the URL's own parameters, plus connect_timeout, keepalives,
// tcp_user_timeout and the session settings (search_path, statement_timeout) where the URL
// does not set them.
std::string ConnectionString(const DatabaseSettings& settings);

// Opens one connection with ConnectionString (timeouts, search_path, statement_timeout).
std::unique_ptr<pqxx::connection> Connect(const DatabaseSettings& settings);

class ConnectionPool {
 public:
  explicit ConnectionPool(DatabaseSettings settings);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Runs `work(pqxx::work&)` in a transaction and commits it; returns what `work` returns.
  // Throws ServiceUnavailable when no connection frees up within acquire_timeout, the server
  // is unreachable, or the transaction did not end within transaction_deadline (the
  // connection is cut then). A broken connection is dropped, never handed out again; one
  // that broke before the transaction began (nothing of `work` ran: a stale connection, after
  // a server restart) is replaced and the transaction begun once more.
  template <typename Work>
  auto Transact(Work&& work) {
    for (int attempt = 1;; ++attempt) {
      Lease lease(*this);
      bool begun = false;
      try {
        pqxx::work tx(*lease.connection);
        begun = true;
        if constexpr (std::is_void_v<decltype(work(tx))>) {
          work(tx);
          tx.commit();
          return;
        } else {
          auto result = work(tx);
          tx.commit();
          return result;
        }
      } catch (const pqxx::broken_connection&) {
        lease.Discard();
        ThrowIfPastDeadline(lease);
        if (!begun && attempt == 1) continue;
        throw;
      } catch (const pqxx::failure&) {
        ThrowIfPastDeadline(lease);
        throw;
      }
    }
  }

  // Runs `work(pqxx::nontransaction&)` in autocommit: each statement commits on its own, with
  // no BEGIN and COMMIT around it. For one statement that is its own transaction anyway (the
  // sync click's INSERT), it saves two round trips to the server. Same errors as Transact,
  // but never begun again: a statement whose connection broke may have committed.
  template <typename Work>
  auto Autocommit(Work&& work) {
    Lease lease(*this);
    try {
      pqxx::nontransaction tx(*lease.connection);
      return work(tx);
    } catch (const pqxx::broken_connection&) {
      lease.Discard();
      ThrowIfPastDeadline(lease);
      throw;
    } catch (const pqxx::failure&) {
      ThrowIfPastDeadline(lease);
      throw;
    }
  }

  // True when a connection can run SELECT 1 now (readiness probes).
  bool Ping();

  const DatabaseSettings& settings() const { return settings_; }

 private:
  using Clock = std::chrono::steady_clock;

  // A connection handed out, under the transaction deadline until it comes back.
  struct Lease {
    explicit Lease(ConnectionPool& pool);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    void Discard() { discard = true; }
    ConnectionPool& pool;
    std::unique_ptr<pqxx::connection> connection;
    std::uint64_t watch_id = 0;
    bool discard = false;
  };
  struct Watched {
    int socket = -1;
    Clock::time_point deadline;
    bool cut = false;  // the deadline passed and the watchdog shut the socket down
  };

  std::unique_ptr<pqxx::connection> Acquire();
  void Release(Lease& lease);
  std::uint64_t WatchDeadline(int socket);
  // The lease's connection was cut by the watchdog: drops it, throws ServiceUnavailable.
  void ThrowIfPastDeadline(Lease& lease);
  void CutOverdueConnections();  // the watchdog thread

  DatabaseSettings settings_;
  std::mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;  // connections handed out or idle
  std::map<std::uint64_t, Watched> watched_;
  std::uint64_t next_watch_id_ = 1;
  std::condition_variable watched_changed_;
  bool stopping_ = false;
  std::thread watchdog_;
};

}  // namespace flowbench
