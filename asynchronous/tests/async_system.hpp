// What the async build's integration tests share: the ten services started as processes on
// free ports against the test program's private PostgreSQL and RabbitMQ, a JSON HTTP client,
// polling with a deadline, direct looks into the database, the broker and /metrics.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/service/launcher.hpp"
#include "common/telemetry/completion_log.hpp"

namespace flowbench::async::testing {

// Workload and runtime flags that keep the tests short (the delays, not their kinds).
std::vector<std::string> FastArgs();

class AsyncSystem {
 public:
  explicit AsyncSystem(std::vector<std::string> extra_args = FastArgs());
  ~AsyncSystem();

  std::string Url(std::string_view service) const { return system_.Url(service); }
  int Port(std::string_view service) const { return system_.Service(service).port; }

  // Stops one service (SIGTERM, it drains) / starts it again with the same arguments plus
  // `more_args` (a flag there replaces the suite's own; with an empty value it is left out,
  // so the service's default applies), and waits until it is healthy. The suite's arguments
  // and `more_args` are flag-value pairs.
  void StopService(std::string_view service);
  // SIGTERM, then SIGKILL after `grace`: how long until the process was gone.
  std::chrono::milliseconds StopServiceTimed(std::string_view service,
                                             std::chrono::milliseconds grace);
  void StartService(std::string_view service, const std::vector<std::string>& more_args = {});

  // A counter or histogram _count of the service's /metrics whose labels include all of
  // `labels` (0 when absent).
  double Metric(std::string_view service, std::string_view name,
                const std::map<std::string, std::string>& labels = {}) const;

  // Every completion record of every service (GET /completions from cursor 0) whose request
  // id starts with `prefix`, each with the service that served it.
  std::vector<std::pair<std::string, CompletionRecord>> Completions(std::string_view prefix) const;

  // The service's log file (its stderr: one JSON object per line, spans included).
  std::filesystem::path LogOf(std::string_view service) const {
    return system_.Service(service).log;
  }

 private:
  std::vector<std::string> extra_args_;
  RunningSystem system_;
};

// One service restarted with `more_args` for the life of the object, then restarted with the
// suite's own arguments again, so that later tests see the defaults.
class RestartedWith {
 public:
  RestartedWith(AsyncSystem& system, std::string service,
                const std::vector<std::string>& more_args);
  ~RestartedWith();
  RestartedWith(const RestartedWith&) = delete;
  RestartedWith& operator=(const RestartedWith&) = delete;

 private:
  AsyncSystem& system_;
  std::string service_;
};

// A RabbitMQ policy on exactly one queue, set through the embedded broker's management HTTP
// API for the life of the object. The constructor returns once the queue reports the policy.
class QueuePolicy {
 public:
  QueuePolicy(std::string queue, boost::json::object definition);
  ~QueuePolicy();
  QueuePolicy(const QueuePolicy&) = delete;
  QueuePolicy& operator=(const QueuePolicy&) = delete;

 private:
  std::string queue_;
  std::string name_;
};

// Deletes a queue (and the messages in it) through the management API: the default
// exchange then routes nothing for its name until someone declares it again.
void DeleteQueue(const std::string& queue);

// The test program's PostgreSQL stopped (pg_ctl stop -m fast: every connection is cut, new
// ones are refused) for the life of the object, or until Restart(): then started again on the
// same data directory and port, and the state file updated so the fixture stops the new
// server at the end.
class PostgresOutage {
 public:
  PostgresOutage();
  ~PostgresOutage();
  PostgresOutage(const PostgresOutage&) = delete;
  PostgresOutage& operator=(const PostgresOutage&) = delete;

  void Restart();

 private:
  bool down_ = false;
};

// A test suite whose tests share one running async build, started once for the suite.
class AsyncSystemSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { system_ = std::make_unique<AsyncSystem>(); }
  static void TearDownTestSuite() { system_.reset(); }
  static AsyncSystem& System() { return *system_; }
  static int Port(std::string_view service) { return system_->Port(service); }

 private:
  static inline std::unique_ptr<AsyncSystem> system_;
};

struct JsonAnswer {
  int status = 0;  // 0: no answer (transport error)
  boost::json::value body;
  std::string raw;
  std::string error;  // the transport error
};
std::ostream& operator<<(std::ostream& out, const JsonAnswer& answer);

JsonAnswer Request(int port, const std::string& method, const std::string& path,
                   const std::string& body = {}, const httplib::Headers& headers = {});
inline JsonAnswer Get(int port, const std::string& path) { return Request(port, "GET", path); }
inline JsonAnswer Post(int port, const std::string& path, const std::string& body) {
  return Request(port, "POST", path, body);
}
inline JsonAnswer Put(int port, const std::string& path, const std::string& body) {
  return Request(port, "PUT", path, body);
}

// Calls `check` until it returns true or `timeout` passes; returns the last result.
bool PollUntil(const std::function<bool()>& check,
               std::chrono::milliseconds timeout = std::chrono::seconds(20),
               std::chrono::milliseconds interval = std::chrono::milliseconds(20));

// One value from the async schema, e.g. Scalar("SELECT count(*) FROM users").
std::int64_t Scalar(const std::string& sql);

// Ready messages in a queue (nullopt: no such queue).
std::optional<std::uint32_t> QueueDepth(const std::string& queue);

}  // namespace flowbench::async::testing
