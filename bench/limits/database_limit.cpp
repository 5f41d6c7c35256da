// The database limit: single-row INSERTs of a click, each its own transaction (autocommit),
// from as many connections as a build's pool holds, each on a thread of its own, into a
// private schema the probe creates and drops. What the sync build's click path asks of
// PostgreSQL, with nothing of the build on top; the rows are counted back at the end.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/limits/physical_limits.hpp"
#include "bench/limits/probe_support.hpp"
#include "common/db/database.hpp"

namespace flowbench::limits {
namespace {

using Clock = std::chrono::steady_clock;

// The clicks table of CONTRACT §1 (common/db/schema.cpp), indexes included: their upkeep is
// part of what an insert costs.
constexpr const char* kClicksTable = R"(
CREATE TABLE clicks (
  id         BIGSERIAL PRIMARY KEY,
  user_id    BIGINT NOT NULL,
  page       TEXT NOT NULL,
  clicked_at TIMESTAMPTZ NOT NULL,
  message_id TEXT UNIQUE
))";
constexpr const char* kInsertClick =
    "INSERT INTO clicks (user_id, page, clicked_at, message_id) VALUES ($1, $2, $3, $4)";

DatabaseSettings ProbeSettings(const std::string& url, const std::string& schema) {
  DatabaseSettings settings;
  settings.url = url;
  settings.schema = schema;
  return settings;
}

// The probe's schema, dropped with its rows however the probe ends.
class ProbeSchema {
 public:
  explicit ProbeSchema(const std::string& url)
      : url_(url), name_(UniqueProbeName("flowbench_limits_db")) {
    auto admin = Connect(ProbeSettings(url_, "public"));
    pqxx::work tx(*admin);
    tx.exec("CREATE SCHEMA " + tx.quote_name(name_));
    tx.exec("SET LOCAL search_path TO " + tx.quote_name(name_));
    tx.exec(kClicksTable);
    tx.commit();
  }
  ~ProbeSchema() {
    try {
      auto admin = Connect(ProbeSettings(url_, "public"));
      pqxx::work tx(*admin);
      tx.exec("DROP SCHEMA " + tx.quote_name(name_) + " CASCADE");
      tx.commit();
    } catch (const std::exception& e) {
      // A destructor cannot throw (the probe's own error may be on its way): say it instead.
      std::fprintf(stderr, "flowbench limits: the probe schema %s was left behind: %s\n",
                   name_.c_str(), e.what());
    }
  }
  ProbeSchema(const ProbeSchema&) = delete;
  ProbeSchema& operator=(const ProbeSchema&) = delete;
  const std::string& Name() const { return name_; }

 private:
  std::string url_, name_;
};

// One connection's share: inserts until the window ends (or another connection failed).
std::uint64_t InsertUntil(pqxx::connection& connection, int worker, Clock::time_point end,
                          const std::atomic<bool>& stop) {
  pqxx::nontransaction autocommit(connection);
  const std::string prefix = "limits-" + std::to_string(worker) + "-";
  std::uint64_t inserted = 0;
  while (Clock::now() < end && !stop) {
    autocommit.exec_prepared("insert_click", 42, "/products/1", "2024-01-01T00:00:00Z",
                             prefix + std::to_string(inserted));
    ++inserted;
  }
  return inserted;
}

}  // namespace

sweep::PhysicalLimit MeasureDatabaseLimit(const LimitProbeOptions& options) {
  if (options.pg_url.empty()) throw std::invalid_argument("the database probe needs pg_url");
  if (options.duration <= std::chrono::milliseconds::zero()) {
    throw std::invalid_argument("the probe's duration must be positive");
  }
  const int pool_size = options.pool_size > 0 ? options.pool_size : DatabaseSettings{}.pool_size;
  ProbeSchema schema(options.pg_url);

  // Every connection opened and its statement prepared before the window starts.
  std::vector<std::unique_ptr<pqxx::connection>> connections;
  for (int i = 0; i < pool_size; ++i) {
    connections.push_back(Connect(ProbeSettings(options.pg_url, schema.Name())));
    connections.back()->prepare("insert_click", kInsertClick);
  }

  std::vector<std::uint64_t> inserted(pool_size, 0);
  std::vector<std::exception_ptr> errors(pool_size);
  std::atomic<bool> stop{false};
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + options.duration;
  {
    std::vector<std::jthread> workers;
    for (int i = 0; i < pool_size; ++i) {
      workers.emplace_back([&, i] {
        try {
          inserted[i] = InsertUntil(*connections[i], i, end, stop);
        } catch (...) {
          errors[i] = std::current_exception();
          stop = true;
        }
      });
    }
  }  // joined
  const double elapsed_s = Seconds(Clock::now() - start);
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }

  std::uint64_t total = 0;
  for (std::uint64_t n : inserted) total += n;
  std::uint64_t counted = 0;
  {
    pqxx::work tx(*connections.front());
    counted = tx.exec1("SELECT count(*) FROM clicks")[0].as<std::uint64_t>();
  }
  connections.clear();  // before the schema is dropped

  const double window_s = Seconds(options.duration);
  sweep::PhysicalLimit limit;
  limit.name = "database";
  limit.rps = static_cast<double>(counted) / window_s;
  limit.method =
      "libpqxx: single-row INSERTs of a click (a clicks table like the builds', "
      "indexes included), each in autocommit, from " +
      std::to_string(pool_size) +
      " connections (the builds' pool size), one thread each, prepared "
      "statements; " +
      std::to_string(options.duration.count()) + " ms; rate = rows counted back / window";
  limit.details = {
      {"connections", pool_size}, {"window_s", window_s},
      {"elapsed_s", elapsed_s},  // the last inserts end a little after the window
      {"inserted", total},        {"counted", counted},
      {"schema", schema.Name()},
  };
  if (counted != total) {
    limit.details["problem"] = "the table holds " + std::to_string(counted) + " rows, " +
                               std::to_string(total) + " inserts succeeded";
  }
  return limit;
}

}  // namespace flowbench::limits
