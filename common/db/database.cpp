#include "common/db/database.hpp"

#include <CLI/CLI.hpp>

#include "common/domain/errors.hpp"

namespace flowbench {

void BindDatabaseSettings(CLI::App& app, DatabaseSettings& s) {
  const char* group = "PostgreSQL";
  app.add_option("--db-pool-size", s.pool_size, "connections per service process")
      ->envname("FLOWBENCH_DB_POOL_SIZE")
      ->check(CLI::Range(1, 500))
      ->capture_default_str()
      ->group(group);
  app.add_option_function<int>(
         "--db-statement-timeout-ms",
         [&s](int ms) { s.statement_timeout = std::chrono::milliseconds(ms); },
         "server-side statement_timeout")
      ->envname("FLOWBENCH_DB_STATEMENT_TIMEOUT_MS")
      ->check(CLI::Range(1, 3'600'000))
      ->default_str(std::to_string(s.statement_timeout.count()))
      ->group(group);
  app.add_option_function<int>(
         "--db-acquire-timeout-ms",
         [&s](int ms) { s.acquire_timeout = std::chrono::milliseconds(ms); },
         "how long a request waits for a free connection before answering 503")
      ->envname("FLOWBENCH_DB_ACQUIRE_TIMEOUT_MS")
      ->check(CLI::Range(1, 3'600'000))
      ->default_str(std::to_string(s.acquire_timeout.count()))
      ->group(group);
}

boost::json::object ToJson(const DatabaseSettings& s) {
  return {{"schema", s.schema},
          {"pool_size", s.pool_size},
          {"statement_timeout_ms", s.statement_timeout.count()},
          {"acquire_timeout_ms", s.acquire_timeout.count()}};
}

std::string ConnectionString(const DatabaseSettings& settings) { return settings.url; }

std::unique_ptr<pqxx::connection> Connect(const DatabaseSettings& settings) {
  auto connection = std::make_unique<pqxx::connection>(settings.url);
  pqxx::nontransaction tx(*connection);
  tx.exec0("SET search_path TO " + tx.quote_name(settings.schema));
  tx.exec0("SET statement_timeout = " + std::to_string(settings.statement_timeout.count()));
  tx.commit();
  return connection;
}

ConnectionPool::ConnectionPool(DatabaseSettings settings) : settings_(std::move(settings)) {}

ConnectionPool::Lease::Lease(ConnectionPool& p) : pool(p), connection(p.Acquire()) {}

ConnectionPool::Lease::~Lease() { pool.Release(std::move(connection)); }

std::unique_ptr<pqxx::connection> ConnectionPool::Acquire() {
  std::unique_lock lock(mutex_);
  bool free = released_.wait_for(lock, settings_.acquire_timeout,
                                 [this] { return !idle_.empty() || open_ < settings_.pool_size; });
  if (!free) {
    throw ServiceUnavailable("database pool exhausted: no connection free within " +
                             std::to_string(settings_.acquire_timeout.count()) + " ms");
  }
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return connection;
  }
  ++open_;  // reserve the slot, then connect outside the lock
  lock.unlock();
  try {
    return Connect(settings_);
  } catch (const pqxx::broken_connection& e) {
    lock.lock();
    --open_;
    released_.notify_one();
    throw ServiceUnavailable(std::string("database unreachable: ") + e.what());
  }
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> connection) {
  std::lock_guard lock(mutex_);
  if (connection && connection->is_open()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  released_.notify_one();
}

bool ConnectionPool::Ping() {
  try {
    Transact([](pqxx::work& tx) { tx.exec1("SELECT 1"); });
    return true;
  } catch (const pqxx::failure&) {
    return false;
  } catch (const ServiceUnavailable&) {
    return false;
  }
}

}  // namespace flowbench
