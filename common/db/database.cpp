#include "common/db/database.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/socket.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>

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
  app.add_option_function<int>(
         "--db-connect-timeout-s",
         [&s](int seconds) { s.connect_timeout = std::chrono::seconds(seconds); },
         "a connection not established within this fails (libpq connect_timeout; at least 2)")
      ->envname("FLOWBENCH_DB_CONNECT_TIMEOUT_S")
      ->check(CLI::Range(2, 3600))
      ->default_str(std::to_string(s.connect_timeout.count()))
      ->group(group);
  app.add_option_function<int>(
         "--db-tcp-user-timeout-ms",
         [&s](int ms) { s.tcp_user_timeout = std::chrono::milliseconds(ms); },
         "data sent to the server unacknowledged for this long: the connection is dead")
      ->envname("FLOWBENCH_DB_TCP_USER_TIMEOUT_MS")
      ->check(CLI::Range(1, 3'600'000))
      ->default_str(std::to_string(s.tcp_user_timeout.count()))
      ->group(group);
  app.add_option_function<int>(
         "--db-keepalive-idle-s",
         [&s](int seconds) { s.keepalive_idle = std::chrono::seconds(seconds); },
         "TCP keepalive probes of an idle connection start after this, and repeat every this")
      ->envname("FLOWBENCH_DB_KEEPALIVE_IDLE_S")
      ->check(CLI::Range(1, 3600))
      ->default_str(std::to_string(s.keepalive_idle.count()))
      ->group(group);
  app.add_option_function<int>(
         "--db-transaction-deadline-ms",
         [&s](int ms) { s.transaction_deadline = std::chrono::milliseconds(ms); },
         "a transaction not ended within this is cut off and answered 503 (client side)")
      ->envname("FLOWBENCH_DB_TRANSACTION_DEADLINE_MS")
      ->check(CLI::Range(1, 3'600'000))
      ->default_str(std::to_string(s.transaction_deadline.count()))
      ->group(group);
}

boost::json::object ToJson(const DatabaseSettings& s) {
  return {{"schema", s.schema},
          {"pool_size", s.pool_size},
          {"statement_timeout_ms", s.statement_timeout.count()},
          {"acquire_timeout_ms", s.acquire_timeout.count()},
          {"connect_timeout_s", s.connect_timeout.count()},
          {"tcp_user_timeout_ms", s.tcp_user_timeout.count()},
          {"keepalive_idle_s", s.keepalive_idle.count()},
          {"transaction_deadline_ms", s.transaction_deadline.count()}};
}

namespace {

// A conninfo value in single quotes (libpq: backslash escapes ' and \).
std::string Quoted(const std::string& value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace

std::string ConnectionString(const DatabaseSettings& settings) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> parsed(
      PQconninfoParse(settings.url.c_str(), &error), PQconninfoFree);
  if (!parsed) {
    std::string why = error ? error : "out of memory";
    PQfreemem(error);
    throw std::invalid_argument("not a PostgreSQL URL or connection string: " + why);
  }
  std::map<std::string, std::string> values;
  for (const PQconninfoOption* o = parsed.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr) values[o->keyword] = o->val;
  }
  // Ours where the URL says nothing: a connect that hangs, a peer that vanished while idle
  // (keepalives: probe after keepalive_idle, every keepalive_idle, 3 times), and sent data
  // that is never acknowledged (tcp_user_timeout) each end in an error instead of a wait.
  auto keepalive = std::to_string(settings.keepalive_idle.count());
  values.try_emplace("connect_timeout", std::to_string(settings.connect_timeout.count()));
  values.try_emplace("keepalives", "1");
  values.try_emplace("keepalives_idle", keepalive);
  values.try_emplace("keepalives_interval", keepalive);
  values.try_emplace("keepalives_count", "3");
  values.try_emplace("tcp_user_timeout", std::to_string(settings.tcp_user_timeout.count()));
  // The session settings travel in the startup packet, so that every connection has them,
  // including one libpqxx opens again by itself after a break.
  std::string& options = values["options"];
  options += (options.empty() ? "" : " ") + std::string("-c search_path=") + settings.schema +
             " -c statement_timeout=" + std::to_string(settings.statement_timeout.count());
  std::string conninfo;
  for (const auto& [key, value] : values) {
    conninfo += (conninfo.empty() ? "" : " ") + key + "=" + Quoted(value);
  }
  return conninfo;
}

std::unique_ptr<pqxx::connection> Connect(const DatabaseSettings& settings) {
  return std::make_unique<pqxx::connection>(ConnectionString(settings));
}

ConnectionPool::ConnectionPool(DatabaseSettings settings)
    : settings_(std::move(settings)), watchdog_([this] { CutOverdueConnections(); }) {}

ConnectionPool::~ConnectionPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  watched_changed_.notify_all();
  watchdog_.join();
}

ConnectionPool::Lease::Lease(ConnectionPool& p) : pool(p), connection(p.Acquire()) {
  watch_id = pool.WatchDeadline(connection->sock());
}

ConnectionPool::Lease::~Lease() { pool.Release(*this); }

namespace {

// An idle connection has nothing to say. When its socket is readable, the server has hung
// up on it (restarted, or terminated the backend) and it would fail its next query.
bool ServerHungUp(const pqxx::connection& connection) {
  pollfd fd{connection.sock(), POLLIN, 0};
  return connection.sock() < 0 || ::poll(&fd, 1, 0) != 0;
}

}  // namespace

std::unique_ptr<pqxx::connection> ConnectionPool::Acquire() {
  std::unique_lock lock(mutex_);
  for (;;) {
    bool free = released_.wait_for(lock, settings_.acquire_timeout, [this] {
      return !idle_.empty() || open_ < settings_.pool_size;
    });
    if (!free) {
      throw ServiceUnavailable("database busy: no connection free within " +
                               std::to_string(settings_.acquire_timeout.count()) + " ms");
    }
    if (idle_.empty()) break;
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (!ServerHungUp(*connection)) return connection;
    --open_;  // checked before use: dropped, and a fresh one takes its place
  }
  ++open_;  // reserve the slot, then connect outside the lock
  lock.unlock();
  try {
    return Connect(settings_);
  } catch (const pqxx::broken_connection&) {
    lock.lock();
    --open_;
    released_.notify_one();
    throw ServiceUnavailable("database unreachable");
  }
}

void ConnectionPool::Release(Lease& lease) {
  std::lock_guard lock(mutex_);
  auto watched = watched_.find(lease.watch_id);
  bool cut = watched != watched_.end() && watched->second.cut;
  if (watched != watched_.end()) watched_.erase(watched);
  if (lease.connection && !lease.discard && !cut && lease.connection->is_open()) {
    idle_.push_back(std::move(lease.connection));
  } else {
    lease.connection.reset();
    --open_;
  }
  released_.notify_one();
}

std::uint64_t ConnectionPool::WatchDeadline(int socket) {
  std::lock_guard lock(mutex_);
  std::uint64_t id = next_watch_id_++;
  watched_.emplace(id, Watched{socket, Clock::now() + settings_.transaction_deadline, false});
  watched_changed_.notify_one();
  return id;
}

void ConnectionPool::ThrowIfPastDeadline(Lease& lease) {
  {
    std::lock_guard lock(mutex_);
    auto watched = watched_.find(lease.watch_id);
    if (watched == watched_.end() || !watched->second.cut) return;
  }
  lease.Discard();
  throw ServiceUnavailable("database did not answer within " +
                           std::to_string(settings_.transaction_deadline.count()) + " ms");
}

void ConnectionPool::CutOverdueConnections() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    Clock::time_point now = Clock::now();
    Clock::time_point next = Clock::time_point::max();
    for (auto& [id, watched] : watched_) {
      if (watched.cut) continue;
      if (watched.deadline <= now) {
        // The thread blocked reading this socket wakes up with an error; the socket stays
        // open (the lease closes it), so its number cannot be reused meanwhile.
        ::shutdown(watched.socket, SHUT_RDWR);
        watched.cut = true;
      } else {
        next = std::min(next, watched.deadline);
      }
    }
    if (next == Clock::time_point::max()) {
      watched_changed_.wait(lock);
    } else {
      watched_changed_.wait_until(lock, next);
    }
  }
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
