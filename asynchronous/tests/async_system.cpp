#include "asynchronous/tests/async_system.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <thread>

#include "common/amqp/connection.hpp"
#include "common/db/database.hpp"
#include "common/http/json_client.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/telemetry/prometheus_text.hpp"

namespace flowbench::async::testing {
namespace fs = std::filesystem;
using flowbench::testing::EmbeddedInfra;

std::vector<std::string> FastArgs() {
  return {"--email-delay-ms",
          "50",
          "--payment-gateway-delay-ms",
          "100",
          "--search-reindex-delay-ms",
          "20",
          "--cache-invalidation-delay-ms",
          "10",
          "--analytics-log-delay-ms",
          "10",
          "--report-cpu-time-ms",
          "400",
          "--saga-payment-delay-ms",
          "50",
          "--retry-attempts",
          "3",
          "--retry-base-delay-ms",
          "100",
          "--click-flush-ms",
          "20",
          "--reconnect-max-delay-ms",
          "500",
          "--db-pool-size",
          "4",
          "--cpu-pool-size",
          "1"};
}

AsyncSystem::AsyncSystem(std::vector<std::string> extra_args) : extra_args_(std::move(extra_args)) {
  // A service may close a connection while the client still sends (413 for a body over
  // 1 MiB): that must fail the request, not kill the test program (and leak ten services).
  std::signal(SIGPIPE, SIG_IGN);
  SystemOptions options;
  options.arch = Arch::kAsync;
  const char* bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
  options.bin_dir = bin_dir != nullptr ? fs::path(bin_dir) : ExecutableDir();
  options.run_dir = flowbench::testing::MakeTempDir("flowbench-async-run");
  options.port_base = infra::FindFreePortBase(10);
  options.pg_url = EmbeddedInfra::State().pg_url;
  options.amqp_url = EmbeddedInfra::State().amqp_url;
  options.extra_args = extra_args_;
  system_ = StartSystem(options);
}

AsyncSystem::~AsyncSystem() { StopSystem(system_); }

std::vector<std::pair<std::string, CompletionRecord>> AsyncSystem::Completions(
    std::string_view prefix) const {
  std::vector<std::pair<std::string, CompletionRecord>> found;
  for (const RunningService& s : system_.services) {
    JsonAnswer answer = Get(s.port, "/completions?after=0&limit=10000");
    if (answer.status != 200) {
      ADD_FAILURE() << s.name << " /completions: " << answer;
      continue;
    }
    for (CompletionRecord& r : CompletionPageFromJson(answer.body).records) {
      if (r.request_id.starts_with(prefix)) found.emplace_back(s.name, std::move(r));
    }
  }
  return found;
}

void AsyncSystem::StopService(std::string_view name) {
  for (RunningService& s : system_.services) {
    if (s.name == name) {
      infra::Terminate(s.pid, std::chrono::seconds(15));
      return;
    }
  }
  throw std::invalid_argument("no service " + std::string(name));
}

std::chrono::milliseconds AsyncSystem::StopServiceTimed(std::string_view name,
                                                        std::chrono::milliseconds grace) {
  for (RunningService& s : system_.services) {
    if (s.name == name) {
      auto started = std::chrono::steady_clock::now();
      infra::Terminate(s.pid, grace);
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
    }
  }
  throw std::invalid_argument("no service " + std::string(name));
}

void AsyncSystem::StartService(std::string_view name, const std::vector<std::string>& more_args) {
  for (RunningService& s : system_.services) {
    if (s.name != name) continue;
    const char* bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
    fs::path binary =
        (bin_dir != nullptr ? fs::path(bin_dir) : ExecutableDir()) / ("async-" + s.name);
    std::vector<std::string> argv{binary.string(),
                                  "--port-base",
                                  std::to_string(system_.port_base),
                                  "--pg-url",
                                  EmbeddedInfra::State().pg_url,
                                  "--amqp-url",
                                  EmbeddedInfra::State().amqp_url};
    // A flag of `more_args` replaces the suite's own (CLI11 refuses a flag given twice).
    for (std::size_t i = 0; i < extra_args_.size(); i += 2) {
      if (std::find(more_args.begin(), more_args.end(), extra_args_[i]) != more_args.end())
        continue;
      argv.push_back(extra_args_[i]);
      if (i + 1 < extra_args_.size()) argv.push_back(extra_args_[i + 1]);
    }
    // A flag with an empty value is left out: the service's own default applies.
    for (std::size_t i = 0; i < more_args.size(); i += 2) {
      if (i + 1 < more_args.size() && more_args[i + 1].empty()) continue;
      argv.push_back(more_args[i]);
      if (i + 1 < more_args.size()) argv.push_back(more_args[i + 1]);
    }
    s.pid = infra::SpawnDaemon(argv, {}, s.log);
    bool healthy = PollUntil([&] { return Get(s.port, "/health").status == 200; },
                             std::chrono::seconds(20), std::chrono::milliseconds(50));
    if (!healthy)
      throw std::runtime_error("async-" + s.name + " did not come back:\n" + infra::Tail(s.log));
    return;
  }
  throw std::invalid_argument("no service " + std::string(name));
}

double AsyncSystem::Metric(std::string_view service, std::string_view name,
                           const std::map<std::string, std::string>& labels) const {
  JsonAnswer answer = Get(Port(service), "/metrics");
  return prometheus_text::ParseText(answer.raw).Sum(name, {labels.begin(), labels.end()});
}

RestartedWith::RestartedWith(AsyncSystem& system, std::string service,
                             const std::vector<std::string>& more_args)
    : system_(system), service_(std::move(service)) {
  system_.StopService(service_);
  system_.StartService(service_, more_args);
}

RestartedWith::~RestartedWith() {
  try {
    system_.StopService(service_);
    system_.StartService(service_);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "could not restart async-" << service_
                  << " with the suite's arguments: " << e.what();
  }
}

namespace {

http::JsonClient ManagementClient() {
  http::JsonClient client(EmbeddedInfra::State().management_url,
                          {std::chrono::seconds(2), std::chrono::seconds(10)});
  client.BasicAuth(EmbeddedInfra::State().rabbitmq->user,
                   EmbeddedInfra::State().rabbitmq->password);
  return client;
}

// Whether the queue reports `policy` as its policy. The report comes from the statistics the
// queue process itself emits (every 5 s), so it shows the policy the process applies, not
// only the one stored for it: slow, but proof that the next publish meets the policy.
bool QueueReportsPolicy(const http::JsonClient& client, const std::string& queue,
                        const std::string& policy) {
  http::JsonResponse q = client.Get("/api/queues/%2F/" + queue);
  if (q.status != 200 || q.Object() == nullptr) return false;
  const boost::json::value* named = q.Object()->if_contains("policy");
  return named != nullptr && named->is_string() && named->as_string() == policy;
}

}  // namespace

QueuePolicy::QueuePolicy(std::string queue, boost::json::object definition)
    : queue_(std::move(queue)), name_("flowbench-test-" + queue_) {
  boost::json::object policy{{"pattern", "^" + queue_ + "$"},
                             {"definition", std::move(definition)},
                             {"apply-to", "queues"},
                             {"priority", 100}};
  http::JsonClient client = ManagementClient();
  http::JsonResponse set = client.Put("/api/policies/%2F/" + name_, boost::json::serialize(policy));
  if (set.status != 201 && set.status != 204) {
    throw std::runtime_error("RabbitMQ management API did not set policy " + name_ + ": " +
                             set.Describe());
  }
  if (!PollUntil([&] { return QueueReportsPolicy(client, queue_, name_); },
                 std::chrono::seconds(10), std::chrono::milliseconds(50))) {
    throw std::runtime_error("queue " + queue_ + " never reported policy " + name_);
  }
}

QueuePolicy::~QueuePolicy() {
  http::JsonClient client = ManagementClient();
  http::JsonResponse removed = client.Delete("/api/policies/%2F/" + name_);
  if (removed.status != 204) {
    ADD_FAILURE() << "could not remove RabbitMQ policy " << name_ << ": " << removed.Describe();
    return;
  }
  if (!PollUntil([&] { return !QueueReportsPolicy(client, queue_, name_); },
                 std::chrono::seconds(10), std::chrono::milliseconds(50))) {
    ADD_FAILURE() << "queue " << queue_ << " still reports policy " << name_;
  }
}

void DeleteQueue(const std::string& queue) {
  http::JsonResponse deleted = ManagementClient().Delete("/api/queues/%2F/" + queue);
  if (deleted.status != 204) {
    throw std::runtime_error("RabbitMQ management API did not delete queue " + queue + ": " +
                             deleted.Describe());
  }
}

namespace {

void RunPgCtl(const infra::PostgresInstance& pg, std::vector<std::string> args) {
  std::vector<std::string> argv =
      pg.run_as.empty() ? std::vector<std::string>{} : infra::AsUser(pg.run_as);
  argv.push_back((pg.bin_dir / "pg_ctl").string());
  argv.push_back("-D");
  argv.push_back((pg.dir / "data").string());
  argv.insert(argv.end(), args.begin(), args.end());
  infra::CommandResult r = infra::RunCommand(argv);
  if (r.exit_code != 0) {
    throw std::runtime_error("pg_ctl " + args.back() + " failed: " + r.output +
                             infra::Tail(pg.dir / "postgres.log"));
  }
}

}  // namespace

PostgresOutage::PostgresOutage() {
  infra::InfraState state = *infra::LoadInfraState(EmbeddedInfra::StateDir());
  RunPgCtl(*state.postgres, {"-m", "fast", "-w", "-t", "30", "stop"});
  down_ = true;
}

PostgresOutage::~PostgresOutage() {
  try {
    Restart();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "PostgreSQL did not come back: " << e.what();
  }
}

void PostgresOutage::Restart() {
  if (!down_) return;
  fs::path state_dir = EmbeddedInfra::StateDir();
  infra::InfraState state = *infra::LoadInfraState(state_dir);
  infra::PostgresInstance& pg = *state.postgres;
  RunPgCtl(pg, {"-l", (pg.dir / "postgres.log").string(), "-w", "-t", "60", "start"});
  down_ = false;
  std::ifstream(pg.dir / "data" / "postmaster.pid") >> pg.pid;
  std::ofstream out(infra::StateFile(state_dir));  // so that InfraDown stops the new server
  out << boost::json::serialize(infra::ToJson(state)) << "\n";
}

std::ostream& operator<<(std::ostream& out, const JsonAnswer& answer) {
  if (answer.status == 0) return out << "no answer: " << answer.error;
  return out << answer.status << " " << answer.raw;
}

JsonAnswer Request(int port, const std::string& method, const std::string& path,
                   const std::string& body, const httplib::Headers& headers) {
  http::JsonClient client("127.0.0.1", port, {std::chrono::seconds(2), std::chrono::seconds(15)});
  // Any method but GET and POST is sent as PUT: the tests ask for 405 on a PUT.
  std::string sent = method == "GET" || method == "POST" ? method : "PUT";
  http::JsonResponse response = client.Send(sent, path, sent == "GET" ? std::string() : body,
                                            http::Headers(headers.begin(), headers.end()));
  JsonAnswer answer;
  answer.status = response.status;
  answer.error = std::move(response.error);
  answer.raw = std::move(response.body);
  answer.body = std::move(response.json);
  return answer;
}

bool PollUntil(const std::function<bool()>& check, std::chrono::milliseconds timeout,
               std::chrono::milliseconds interval) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (check()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

std::int64_t Scalar(const std::string& sql) {
  DatabaseSettings settings;
  settings.url = EmbeddedInfra::State().pg_url;
  settings.schema = "async";
  auto connection = Connect(settings);
  return pqxx::nontransaction(*connection).exec1(sql)[0].as<std::int64_t>();
}

std::optional<std::uint32_t> QueueDepth(const std::string& queue) {
  AmqpConnection connection(EmbeddedInfra::State().amqp_url, std::chrono::seconds(5), "test");
  return connection.QueueDepth(queue);
}

}  // namespace flowbench::async::testing
