// The synchronous build end to end: the ten sync-* processes started exactly as `flowbench up`
// starts them, over real HTTP, against a real PostgreSQL. Every route of the contract with its
// status, body and database effect; bad input on every write route; the email and payment
// services going away or hanging (degraded answer, timeouts, circuit breaker, compensation);
// the trace carried downstream; 200 concurrent orders; one completion record per tagged
// request (X-Request-Id) at GET /completions. Delays are shortened through the shared
// workload flags.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <pqxx/pqxx>
#include <thread>

#include "common/db/database.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/http/json_client.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/infra/testing/hostile_input.hpp"
#include "common/service/launcher.hpp"
#include "common/telemetry/completion_log.hpp"
#include "common/telemetry/prometheus_text.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

[[maybe_unused]] auto* const kInfra = testing::RegisterEmbeddedInfra();

// Every waiting step a few milliseconds; downstream calls time out after 1 s; the breaker
// opens after 3 failures for 300 ms.
const std::vector<std::string> kServiceArgs = {"--email-delay-ms",
                                               "20",
                                               "--payment-gateway-delay-ms",
                                               "20",
                                               "--search-reindex-delay-ms",
                                               "10",
                                               "--cache-invalidation-delay-ms",
                                               "5",
                                               "--analytics-log-delay-ms",
                                               "5",
                                               "--report-cpu-time-ms",
                                               "50",
                                               "--saga-payment-delay-ms",
                                               "10",
                                               "--payment-failure-rate",
                                               "1",
                                               "--http-threads",
                                               "32",
                                               "--breaker-failure-threshold",
                                               "3",
                                               "--breaker-open-ms",
                                               "300",
                                               "--downstream-connect-timeout-ms",
                                               "2000",
                                               "--downstream-read-timeout-ms",
                                               "1000",
                                               "--retry-base-delay-ms",
                                               "10"};

struct Answer {
  int status = 0;  // 0: no answer (see error)
  std::string body;
  std::string error;
  boost::json::object json;  // empty when the body is not a JSON object

  const boost::json::value& operator[](std::string_view key) const { return json.at(key); }
};

std::ostream& operator<<(std::ostream& out, const Answer& a) {
  return out << "HTTP " << a.status << " " << a.body << a.error;
}

class SyncSystem : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
    ASSERT_NE(bin_dir, nullptr) << "run through ctest (FLOWBENCH_BIN_DIR)";
    options_ = new SystemOptions;
    options_->arch = Arch::kSync;
    options_->bin_dir = bin_dir;
    options_->run_dir = testing::MakeTempDir("flowbench-sync-system");
    options_->port_base = infra::FindFreePortBase(10);
    options_->pg_url = testing::EmbeddedInfra::State().pg_url;
    options_->extra_args = kServiceArgs;
    system_ = new RunningSystem(StartSystem(*options_));

    DatabaseSettings db;
    db.url = options_->pg_url;
    db.schema = "sync";
    db_ = Connect(db).release();
  }

  static void TearDownTestSuite() {
    if (system_ != nullptr) StopSystem(*system_);
    delete db_;
    delete system_;
    delete options_;
  }

  static Answer Send(const std::string& method, std::string_view service, const std::string& path,
                     const std::string& body = "", const http::Headers& headers = {}) {
    http::JsonClient client(system_->Url(service), {5s, 15s});
    // Any method but GET and PUT is sent as POST.
    std::string sent = method == "GET" || method == "PUT" ? method : "POST";
    http::JsonResponse r = client.Send(sent, path, sent == "GET" ? std::string() : body, headers);
    Answer a;
    if (r.status == 0) {
      a.error = "no answer: " + r.error;
      return a;
    }
    a.status = r.status;
    a.body = std::move(r.body);
    if (const boost::json::object* o = r.Object()) a.json = *o;
    return a;
  }
  static Answer Get(std::string_view service, const std::string& path) {
    return Send("GET", service, path);
  }
  static Answer Post(std::string_view service, const std::string& path, const std::string& body) {
    return Send("POST", service, path, body);
  }

  static std::int64_t Query(const std::string& sql) {
    return pqxx::nontransaction(*db_).exec1(sql)[0].as<std::int64_t>();
  }
  static std::string QueryText(const std::string& sql) {
    return pqxx::nontransaction(*db_).exec1(sql)[0].as<std::string>();
  }
  // The state payment holds for an order's authorisation ("authorized", "declined",
  // "voided"), or the HTTP status when it holds none.
  static std::string AuthorisationState(std::int64_t order_id) {
    Answer a = Get("payment", "/authorizations/" + std::to_string(order_id));
    if (a.status != 200) return "HTTP " + std::to_string(a.status);
    return std::string(a["state"].as_string());
  }
  static std::int64_t Reserved(int product_id) {
    return Query("SELECT reserved FROM inventory WHERE product_id = " + std::to_string(product_id));
  }

  // The value of the first series of `name` whose labels include every one of `labels`.
  static std::optional<double> Metric(std::string_view service, const std::string& name,
                                      const std::vector<std::string>& labels) {
    // The matchers are written as in the exposition (target="payment"): read them as one.
    std::string matchers = "m{";
    for (const std::string& label : labels) matchers += label + ",";
    std::optional<prometheus_text::Sample> wanted =
        prometheus_text::ParseSampleLine(matchers + "} 0");
    if (!wanted) throw std::invalid_argument("not label matchers: " + matchers);
    return prometheus_text::ParseText(Get(service, "/metrics").body).First(name, wanted->labels);
  }

  // Every completion record of every service whose request id starts with `prefix`, each
  // with the service that served it.
  static std::vector<std::pair<std::string, CompletionRecord>> Completions(
      std::string_view prefix) {
    std::vector<std::pair<std::string, CompletionRecord>> found;
    for (const RunningService& s : system_->services) {
      Answer a = Get(s.name, "/completions?after=0");
      if (a.status != 200) {
        ADD_FAILURE() << s.name << " /completions: " << a;
        continue;
      }
      for (CompletionRecord& r : CompletionPageFromJson(a.json).records) {
        if (r.request_id.starts_with(prefix)) found.emplace_back(s.name, std::move(r));
      }
    }
    return found;
  }

  // Stops one service (SIGTERM, as `flowbench down` does).
  static void StopService(const std::string& name) {
    RunningService& s = ServiceEntry(name);
    ASSERT_TRUE(infra::Terminate(s.pid, 10s)) << name << " did not stop";
  }

  // Starts one service again the way StartSystem does; `extra` ("--flag", "value", ...)
  // overrides the suite's flags.
  static void RestartService(const std::string& name, const std::vector<std::string>& extra = {}) {
    RunningService& s = ServiceEntry(name);
    if (infra::IsAlive(s.pid)) {
      ASSERT_TRUE(infra::Terminate(s.pid, 10s));
    }
    std::vector<std::string> argv{(options_->bin_dir / ("sync-" + name)).string(), "--port-base",
                                  std::to_string(options_->port_base), "--pg-url",
                                  options_->pg_url};
    std::vector<std::string> flags = kServiceArgs;
    for (std::size_t i = 0; i + 1 < extra.size(); i += 2) {  // a flag given once, so override
      auto it = std::find(flags.begin(), flags.end(), extra[i]);
      if (it != flags.end()) {
        *(it + 1) = extra[i + 1];
      } else {
        flags.insert(flags.end(), {extra[i], extra[i + 1]});
      }
    }
    argv.insert(argv.end(), flags.begin(), flags.end());
    s.pid = infra::SpawnDaemon(argv, {}, s.log);
    auto deadline = Clock::now() + 20s;
    while (Get(name, "/health").status != 200) {
      ASSERT_LT(Clock::now(), deadline) << name << " not healthy again:\n" << infra::Tail(s.log);
      std::this_thread::sleep_for(50ms);
    }
  }

  static RunningService& ServiceEntry(const std::string& name) {
    return const_cast<RunningService&>(system_->Service(name));
  }

  static SystemOptions* options_;
  static RunningSystem* system_;
  static pqxx::connection* db_;
};

SystemOptions* SyncSystem::options_ = nullptr;
RunningSystem* SyncSystem::system_ = nullptr;
pqxx::connection* SyncSystem::db_ = nullptr;

// The label selector of one scenario's series: scenario="scenario1".
std::string ScenarioLabel(std::string_view id) { return "scenario=\"" + std::string(id) + "\""; }

void ExpectError(const Answer& a, int status) {
  EXPECT_EQ(a.status, status) << a;
  ASSERT_TRUE(a.json.contains("error") && a.json.at("error").is_string()) << a;
  ASSERT_TRUE(a.json.contains("detail") && a.json.at("detail").is_string()) << a;
  EXPECT_FALSE(a.json.at("detail").as_string().empty()) << a;
}

// --- Every route, its answer and its effect -----------------------------------------------

TEST_F(SyncSystem, EveryServiceIsHealthyAndServesMetricsLabelledSync) {
  for (const RunningService& s : system_->services) {
    Answer health = Get(s.name, "/health");
    EXPECT_EQ(health.status, 200) << s.name << ": " << health;
    EXPECT_EQ(health["status"], "ok") << s.name;
    Answer metrics = Get(s.name, "/metrics");
    EXPECT_EQ(metrics.status, 200) << s.name;
    EXPECT_NE(metrics.body.find("service=\"" + s.name + "\""), std::string::npos) << s.name;
    EXPECT_NE(metrics.body.find("arch=\"sync\""), std::string::npos) << s.name;
  }
}

TEST_F(SyncSystem, EveryServiceReportsTheSettingsItRunsWithDefaultsIncluded) {
  for (const RunningService& s : system_->services) {
    Answer settings = Get(s.name, "/settings");
    ASSERT_EQ(settings.status, 200) << s.name << ": " << settings;
    EXPECT_EQ(settings["service"], s.name.c_str());
    EXPECT_EQ(settings["arch"], "sync");
    // Given on the command line by the suite ...
    EXPECT_EQ(settings["workload"].at("email_delay_ms"), 20) << settings;
    EXPECT_EQ(settings["transport"].at("http_threads"), 32) << settings;
    // ... and left at their defaults: reported all the same.
    EXPECT_EQ(settings["workload"].at("write_clicks"), true) << settings;
    EXPECT_EQ(settings["transport"].at("downstream_pool_size"), 10) << settings;
    EXPECT_EQ(settings["transport"].at("saga_deadline_ms"), 300000) << settings;
    EXPECT_EQ(settings["database"].at("pool_size"), 10) << settings;
    EXPECT_EQ(settings["database"].at("schema"), "sync");
    EXPECT_FALSE(settings["database"].as_object().contains("url")) << "a URL may hold a password";
  }
}

TEST_F(SyncSystem, RegisterWaitsForTheEmailAndAnswers201) {
  auto start = Clock::now();
  Answer a = Post("user", "/register", R"({"email": "ada@example.com"})");
  ASSERT_EQ(a.status, 201) << a;
  EXPECT_GE(Clock::now() - start, 20ms);  // the email step was waited for
  EXPECT_EQ(a["email"], "ada@example.com");
  EXPECT_EQ(a["welcome_email_sent"], true);
  EXPECT_TRUE(a["message"].is_string());
  std::int64_t id = a["id"].as_int64();

  Answer user = Get("user", "/users/" + std::to_string(id));
  ASSERT_EQ(user.status, 200) << user;
  EXPECT_EQ(user["id"], id);
  EXPECT_EQ(user["email"], "ada@example.com");
  EXPECT_EQ(user["welcome_email_sent"], true);
  EXPECT_EQ(Query("SELECT count(*) FROM users WHERE email = 'ada@example.com' AND "
                  "welcome_email_sent AND email_sent_at IS NOT NULL"),
            1);
  ExpectError(Get("user", "/users/987654"), 404);
  ExpectError(Get("user", "/users/abc"), 404);
  EXPECT_GE(Metric("user", "flowbench_scenario_completion_seconds_count",
                   {ScenarioLabel(scenario::kEmailOnRegistration), "arch=\"sync\""})
                .value_or(0),
            1);
}

TEST_F(SyncSystem, ProcessPaymentWaitsForTheGatewayAndSettles) {
  Answer a = Post("payment", "/process_payment", R"({"amount": 100.0, "currency": "USD"})");
  ASSERT_EQ(a.status, 200) << a;
  EXPECT_EQ(a["status"], "success");
  EXPECT_EQ(a["amount"], 100.0);
  std::string txn(a["transaction_id"].as_string());
  EXPECT_EQ(txn.rfind("txn_", 0), 0u) << a;

  std::string id(a["payment_id"].as_string());
  Answer payment = Get("payment", "/payments/" + id);
  ASSERT_EQ(payment.status, 200) << payment;
  EXPECT_EQ(payment["payment_id"].as_string(), id);
  EXPECT_EQ(payment["status"], "succeeded");
  EXPECT_EQ(payment["amount"], 100.0);
  EXPECT_EQ(QueryText("SELECT status || ' ' || transaction_id FROM payments WHERE payment_id = '" +
                      id + "'"),
            "succeeded " + txn);
  ExpectError(Get("payment", "/payments/no-such-payment"), 404);
}

TEST_F(SyncSystem, ProductUpdateCallsSearchCacheAndAnalyticsThenAnswers200) {
  auto start = Clock::now();
  Answer a = Send("PUT", "product", "/products/2", R"({"name": "Phone X", "stock": 42})");
  ASSERT_EQ(a.status, 200) << a;
  EXPECT_GE(Clock::now() - start, 20ms);  // 10 + 5 + 5 ms, one after another
  EXPECT_EQ(a["id"], 2);
  EXPECT_EQ(a["name"], "Phone X");
  EXPECT_EQ(a["stock"], 42);
  EXPECT_EQ(QueryText("SELECT name || ':' || stock FROM products WHERE id = 2"), "Phone X:42");

  Answer only_stock = Send("PUT", "product", "/products/2", R"({"stock": 7})");
  ASSERT_EQ(only_stock.status, 200) << only_stock;
  EXPECT_EQ(only_stock["name"], "Phone X");
  EXPECT_EQ(only_stock["stock"], 7);

  Answer one = Get("product", "/products/2");
  ASSERT_EQ(one.status, 200) << one;
  EXPECT_EQ(one["stock"], 7);
  Answer all = Get("product", "/products");
  ASSERT_EQ(all.status, 200) << all;
  EXPECT_EQ(all["count"], 3);
  EXPECT_EQ(all["products"].as_array().size(), 3u);
  ExpectError(Get("product", "/products/99"), 404);
  for (const char* target : {"search", "cache", "analytics"}) {
    EXPECT_GE(Metric("product", "flowbench_downstream_request_duration_seconds_count",
                     {"target=\"" + std::string(target) + "\""})
                  .value_or(0),
              2)
        << target;
    EXPECT_EQ(Metric("product", "flowbench_circuit_breaker_state",
                     {"target=\"" + std::string(target) + "\""}),
              0.0)
        << target;
  }
}

TEST_F(SyncSystem, SigtermFinishesTheRequestInFlightWithConnectionCloseWithinTheDrainTimeout) {
  RestartService("report", {"--report-cpu-time-ms", "1500", "--drain-timeout-ms", "5000"});
  httplib::Client client(system_->Url("report"));
  client.set_keep_alive(true);
  client.set_read_timeout(10, 0);
  auto answer = std::async(std::launch::async, [&client] {
    return client.Post("/generate_report", R"({"report_type": "drain"})", "application/json");
  });
  std::this_thread::sleep_for(300ms);  // the report is being hashed
  auto started = Clock::now();
  ASSERT_TRUE(infra::Terminate(ServiceEntry("report").pid, 10s));
  auto stopped = Clock::now() - started;
  httplib::Result result = answer.get();
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Connection"), "close");  // a keep-alive client is told
  EXPECT_LT(stopped, 4s);
  RestartService("report");
}

TEST_F(SyncSystem, SigtermWithARequestLongerThanTheDrainTimeoutExitsOnTime) {
  RestartService("report", {"--report-cpu-time-ms", "6000", "--drain-timeout-ms", "500"});
  auto answer = std::async(std::launch::async, [] {
    return Post("report", "/generate_report", R"({"report_type": "cut"})");
  });
  std::this_thread::sleep_for(300ms);  // the report is being hashed
  auto started = Clock::now();
  ASSERT_TRUE(infra::Terminate(ServiceEntry("report").pid, 10s));
  EXPECT_LT(Clock::now() - started, 2500ms) << "SIGTERM did not end the process in time";
  answer.get();  // cut off: no answer
  RestartService("report");
}

TEST_F(SyncSystem, GenerateReportHashesInsideTheRequest) {
  Answer a = Post("report", "/generate_report", R"({"report_type": "monthly"})");
  ASSERT_EQ(a.status, 200) << a;
  EXPECT_EQ(a["status"], "completed");
  EXPECT_EQ(a["report_hash"].as_string().size(), 64u);
  EXPECT_GT(a["iterations"].to_number<double>(), 0);
  EXPECT_GT(a["computation_time_seconds"].to_number<double>(), 0.04);

  std::string job_id(a["job_id"].as_string());
  Answer job = Get("report", "/jobs/" + job_id);
  ASSERT_EQ(job.status, 200) << job;
  EXPECT_EQ(job["status"], "completed");
  EXPECT_EQ(job["report_hash"], a["report_hash"]);
  ExpectError(Get("report", "/jobs/nope"), 404);
}

TEST_F(SyncSystem, DeclinedOrderIsCompensatedAndAnswers400) {
  std::int64_t reserved = Reserved(1);
  Answer a = Post("order", "/create_order", R"({"product_id": 1, "quantity": 2})");
  ASSERT_EQ(a.status, 400) << a;
  const boost::json::object& detail = a["detail"].as_object();
  EXPECT_EQ(detail.at("status"), "failed");
  EXPECT_EQ(detail.at("compensation_executed"), true);
  std::int64_t order_id = detail.at("order_id").as_int64();

  Answer order = Get("order", "/orders/" + std::to_string(order_id));
  ASSERT_EQ(order.status, 200) << order;
  EXPECT_EQ(order["status"], "failed");
  EXPECT_EQ(order["product_id"], 1);
  EXPECT_EQ(order["quantity"], 2);
  EXPECT_EQ(QueryText("SELECT status FROM orders WHERE id = " + std::to_string(order_id)),
            "failed");
  EXPECT_EQ(Reserved(1), reserved);
  Answer inventory = Get("inventory", "/inventory/1");
  ASSERT_EQ(inventory.status, 200) << inventory;
  EXPECT_EQ(inventory["product_id"], 1);
  EXPECT_EQ(inventory["reserved"], reserved);
  ExpectError(Get("order", "/orders/999999"), 404);
  ExpectError(Get("inventory", "/inventory/99"), 404);
  EXPECT_GE(Metric("order", "flowbench_scenario_completion_seconds_count",
                   {ScenarioLabel(scenario::kOrderSaga)})
                .value_or(0),
            1);
}

TEST_F(SyncSystem, TrackClickWritesTheRowBeforeAnswering) {
  std::int64_t before = Get("analytics", "/clicks/count")["count"].as_int64();
  Answer a = Post("analytics", "/track_click", R"({"user_id": 7, "page": "/pricing"})");
  ASSERT_EQ(a.status, 200) << a;
  EXPECT_EQ(a["status"], "tracked");
  EXPECT_EQ(Get("analytics", "/clicks/count")["count"], before + 1);
  EXPECT_EQ(Query("SELECT count(*) FROM clicks WHERE user_id = 7 AND page = '/pricing'"), 1);
}

// --- Bad input ----------------------------------------------------------------------------

TEST_F(SyncSystem, BadInputOnEveryWriteRouteIsAJsonErrorAndChangesNothing) {
  ASSERT_EQ(Post("user", "/register", R"({"email": "taken@example.com"})").status, 201);
  auto fingerprint = [] {
    return QueryText(
        "SELECT (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM payments) || '/' || "
        "(SELECT count(*) FROM report_jobs) || '/' || (SELECT count(*) FROM orders) || '/' || "
        "(SELECT count(*) FROM clicks) || '/' || (SELECT sum(reserved) FROM inventory) || '/' || "
        "(SELECT string_agg(name || stock, ',' ORDER BY id) FROM products)");
  };
  const std::string before = fingerprint();

  struct Case {
    const char* service;
    const char* method;
    std::string path;
    std::string body;
    int status;
  };
  const std::string huge = R"({"user_id": 1, "page": ")" + std::string(1100 * 1024, 'x') + "\"}";
  const std::vector<Case> cases = {
      {"user", "POST", "/register", "not json", 400},
      {"user", "POST", "/register", "{}", 422},
      {"user", "POST", "/register", R"({"email": 5})", 422},
      {"user", "POST", "/register", R"({"email": "not-an-email"})", 422},
      {"user", "POST", "/register", R"({"email": "taken@example.com"})", 409},
      {"payment", "POST", "/process_payment", "{", 400},
      {"payment", "POST", "/process_payment", R"({"amount": -5})", 422},
      {"payment", "POST", "/process_payment", R"({"amount": "100"})", 422},
      {"payment", "POST", "/process_payment", R"({"amount": 10, "currency": "dollars"})", 422},
      {"product", "PUT", "/products/1", "[1, 2]", 422},
      {"product", "PUT", "/products/1", R"({"stock": -1})", 422},
      {"product", "PUT", "/products/1", R"({"name": 5})", 422},
      {"product", "PUT", "/products/1", "{\"name\": ", 400},
      {"product", "PUT", "/products/99", R"({"stock": 1})", 404},
      {"product", "PUT", "/products/abc", R"({"stock": 1})", 404},
      {"report", "POST", "/generate_report", "{}", 422},
      {"report", "POST", "/generate_report", R"({"report_type": ""})", 422},
      {"report", "POST", "/generate_report", "nope", 400},
      {"order", "POST", "/create_order", R"({"product_id": 1, "quantity": -1})", 422},
      {"order", "POST", "/create_order", R"({"product_id": 1})", 422},
      {"order", "POST", "/create_order", R"({"product_id": "1", "quantity": 1})", 422},
      {"order", "POST", "/create_order", R"({"product_id": 999, "quantity": 1})", 404},
      {"order", "POST", "/create_order", "{]", 400},
      {"analytics", "POST", "/track_click", R"({"user_id": -1, "page": "/"})", 422},
      {"analytics", "POST", "/track_click", R"({"page": "/"})", 422},
      {"analytics", "POST", "/track_click", "<xml/>", 400},
      {"analytics", "POST", "/track_click", huge, 413},
      {"user", "POST", "/register", huge, 413},
      {"analytics", "GET", "/no/such/route", "", 404},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.service) + " " + c.method + " " + c.path + " " +
                 c.body.substr(0, 60));
    ExpectError(Send(c.method, c.service, c.path, c.body), c.status);
    EXPECT_EQ(Get(c.service, "/health").status, 200);
  }
  // What only the database would have noticed (the async system test sends the same).
  for (const testing::HostileBody& c : testing::HostileBodies()) {
    SCOPED_TRACE(std::string(c.service) + " " + c.method + " " + c.path + " " + c.body);
    Answer a = Send(c.method, c.service, c.path, c.body);
    ExpectError(a, 422);
    if (a.status != 422) continue;
    EXPECT_EQ(a["error"], "validation_error") << a;
    EXPECT_NE(a.body.find(c.field), std::string::npos) << a;
  }
  EXPECT_EQ(fingerprint(), before);
}

// Each method and route a client invents must not become a new series: 64 buckets each,
// kept for the life of the process.
TEST_F(SyncSystem, InventedMethodsAndPathsDoNotGrowTheMetrics) {
  const std::string url = system_->Url("user");
  // Each kind of request once, and a scrape: the series they make exist from here on.
  testing::SendInventedMethodsAndPaths(url, "/register", 3);
  Get("user", "/metrics");
  const std::size_t before = Get("user", "/metrics").body.size();

  std::map<int, int> statuses = testing::SendInventedMethodsAndPaths(url, "/register", 1000);
  EXPECT_EQ(statuses.count(0), 0u) << statuses[0] << " requests got no answer";
  const std::size_t after = Get("user", "/metrics").body.size();
  // The counts grow by a few digits; one more series would add kilobytes.
  EXPECT_LT(after, before + 4096) << "from " << before << " to " << after << " bytes";
  EXPECT_EQ(Get("user", "/health").status, 200);
}

// The sync front URL-decodes the path, so a text id may hold any byte; the async build sends
// the same ids (asynchronous/tests/system_test.cpp).
TEST_F(SyncSystem, ATextPathIdThatNoServiceMadeIs404) {
  for (const auto& [service, path] : testing::PathsNamingNoTextId()) {
    Answer a = Get(service, path);
    SCOPED_TRACE(std::string(service) + " " + path);
    ExpectError(a, 404);
  }
}

// --- Downstream faults --------------------------------------------------------------------

TEST_F(SyncSystem, WithTheEmailServiceDownRegistrationStillAnswersWithoutTheEmail) {
  StopService("email");
  auto start = Clock::now();
  Answer a = Post("user", "/register", R"({"email": "no-mail@example.com"})");
  auto took = Clock::now() - start;
  ASSERT_EQ(a.status, 201) << a;
  EXPECT_LT(took, 2s) << "well within the downstream timeout";
  EXPECT_EQ(a["welcome_email_sent"], false);
  Answer user = Get("user", "/users/" + std::to_string(a["id"].as_int64()));
  EXPECT_EQ(user["welcome_email_sent"], false) << user;
  EXPECT_GE(Metric("user", "flowbench_downstream_failures_total", {"target=\"email\""}).value_or(0),
            1);

  RestartService("email");
  std::this_thread::sleep_for(350ms);  // past --breaker-open-ms, should it have opened
  Answer again = Post("user", "/register", R"({"email": "mail-again@example.com"})");
  ASSERT_EQ(again.status, 201) << again;
  EXPECT_EQ(again["welcome_email_sent"], true);
}

TEST_F(SyncSystem, WithPaymentDownOrdersFailFastOnceTheBreakerOpensAndStockIsReleased) {
  const std::int64_t reserved = Reserved(1);
  StopService("payment");
  for (int i = 0; i < 6; ++i) {
    auto start = Clock::now();
    Answer a = Post("order", "/create_order", R"({"product_id": 1, "quantity": 3})");
    auto took = Clock::now() - start;
    ExpectError(a, 503);
    EXPECT_EQ(a["status"], "failed") << a;
    EXPECT_EQ(a["compensation_executed"], true) << a;
    EXPECT_EQ(QueryText("SELECT status FROM orders WHERE id = " +
                        std::to_string(a["order_id"].as_int64())),
              "failed");
    if (i >= 3) {  // --breaker-failure-threshold 3
      EXPECT_NE(a["detail"].as_string().find("circuit open"), std::string::npos) << a;
      EXPECT_LT(took, 500ms) << a;
    }
  }
  EXPECT_EQ(Reserved(1), reserved);
  EXPECT_EQ(Metric("order", "flowbench_circuit_breaker_state", {"target=\"payment\""}), 1.0);
  EXPECT_GE(Metric("order", "flowbench_downstream_failures_total",
                   {"target=\"payment\"", "reason=\"circuit_open\""})
                .value_or(0),
            3);

  // Payment returns, now approving everything: after the open period one trial call goes
  // through, succeeds, and the circuit closes.
  RestartService("payment", {"--payment-failure-rate", "0"});
  std::this_thread::sleep_for(350ms);
  Answer ok = Post("order", "/create_order", R"({"product_id": 1, "quantity": 3})");
  ASSERT_EQ(ok.status, 201) << ok;
  EXPECT_EQ(ok["status"], "confirmed");
  EXPECT_EQ(Get("order", "/orders/" + std::to_string(ok["order_id"].as_int64()))["status"],
            "confirmed");
  EXPECT_EQ(Reserved(1), reserved + 3);  // a confirmed order keeps its stock
  EXPECT_EQ(Metric("order", "flowbench_circuit_breaker_state", {"target=\"payment\""}), 0.0);

  RestartService("payment");  // back to the suite's failure rate 1
}

// --- The saga and its payment (issue 12): no failed order keeps a live authorisation ---------

// An order id the order service never handed out, for calling payment directly.
std::int64_t UnusedOrderId() {
  static std::int64_t next =
      1'000'000'000 + std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                              .count() %
                          1'000'000'000;
  return next++;
}

std::string OrderLine(std::int64_t order_id) {
  return R"({"order_id": )" + std::to_string(order_id) + R"(, "product_id": 1, "quantity": 1})";
}

TEST_F(SyncSystem, PaymentAuthorisesOncePerOrderAndAVoidFencesALateAuthorisation) {
  RestartService("payment", {"--payment-failure-rate", "0"});
  const std::int64_t order = UnusedOrderId();
  Answer first = Post("payment", "/authorize", OrderLine(order));
  ASSERT_EQ(first.status, 200) << first;
  EXPECT_EQ(first["authorized"], true) << first;

  // Every decision is now "declined", yet the order's authorisation is answered as it was:
  // a repeated call neither charges twice nor changes its mind.
  RestartService("payment");  // the suite's failure rate 1
  Answer again = Post("payment", "/authorize", OrderLine(order));
  ASSERT_EQ(again.status, 200) << again;
  EXPECT_EQ(again["authorized"], true) << again;
  EXPECT_EQ(
      Query("SELECT count(*) FROM payment_decisions WHERE order_id = " + std::to_string(order)), 1);
  EXPECT_EQ(AuthorisationState(order), "authorized");

  // Voiding cancels it, once; the voided authorisation is never answered as authorised again.
  Answer voided = Post("payment", "/void", R"({"order_id": )" + std::to_string(order) + "}");
  ASSERT_EQ(voided.status, 200) << voided;
  EXPECT_EQ(voided["state"], "voided") << voided;
  EXPECT_EQ(voided["applied"], true) << voided;
  Answer voided_again = Post("payment", "/void", R"({"order_id": )" + std::to_string(order) + "}");
  ASSERT_EQ(voided_again.status, 200) << voided_again;
  EXPECT_EQ(voided_again["applied"], false) << voided_again;
  EXPECT_EQ(AuthorisationState(order), "voided");
  Answer after_void = Post("payment", "/authorize", OrderLine(order));
  ASSERT_EQ(after_void.status, 200) << after_void;
  EXPECT_EQ(after_void["authorized"], false) << after_void;

  // A void that arrives before its authorisation leaves a tombstone: the late authorisation
  // is refused, even by a payment service that approves everything.
  RestartService("payment", {"--payment-failure-rate", "0"});
  const std::int64_t early = UnusedOrderId();
  Answer tombstone = Post("payment", "/void", R"({"order_id": )" + std::to_string(early) + "}");
  ASSERT_EQ(tombstone.status, 200) << tombstone;
  EXPECT_EQ(tombstone["applied"], true) << tombstone;
  Answer late = Post("payment", "/authorize", OrderLine(early));
  ASSERT_EQ(late.status, 200) << late;
  EXPECT_EQ(late["authorized"], false) << late;
  EXPECT_EQ(AuthorisationState(early), "voided");
  EXPECT_EQ(AuthorisationState(UnusedOrderId()), "HTTP 404");

  ExpectError(Post("payment", "/void", R"({"order": 1})"), 422);
  RestartService("payment");
}

TEST_F(SyncSystem, APaymentSlowerThanTheTimeoutIsVoidedBeforeTheOrderIsCompensated) {
  // Payment approves everything but answers after the order service's 1 s read timeout.
  RestartService("payment", {"--saga-payment-delay-ms", "1500", "--payment-failure-rate", "0"});
  const std::int64_t reserved = Reserved(3);
  Answer a = Post("order", "/create_order", R"({"product_id": 3, "quantity": 1})");
  ExpectError(a, 503);
  EXPECT_EQ(a["status"], "failed") << a;
  EXPECT_EQ(a["compensation_executed"], true) << a;
  const std::int64_t order = a["order_id"].as_int64();
  EXPECT_EQ(QueryText("SELECT status FROM orders WHERE id = " + std::to_string(order)), "failed");
  EXPECT_EQ(Reserved(3), reserved);

  // The authorisation the order service gave up on finishes its wait, and is refused.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(AuthorisationState(order), "voided");
  RestartService("payment");
  std::this_thread::sleep_for(350ms);  // past --breaker-open-ms, should it have opened
}

TEST_F(SyncSystem, APendingOrderLeftByACrashIsCompensatedWhenTheOrderServiceStarts) {
  StopService("order");
  const std::int64_t reserved = Reserved(2);
  // What a crash between "authorised" and "confirmed" leaves: a pending order an hour old,
  // its stock reserved, its payment authorised.
  pqxx::work tx(*db_);
  const std::int64_t order =
      tx.exec1(
            "INSERT INTO orders (product_id, quantity, status, created_at, updated_at) "
            "VALUES (2, 4, 'pending', now() - interval '1 hour', now() - interval '1 hour') "
            "RETURNING id")[0]
          .as<std::int64_t>();
  const std::string key = "'order-" + std::to_string(order) + "'";
  tx.exec0("UPDATE inventory SET reserved = reserved + 4 WHERE product_id = 2");
  tx.exec0("INSERT INTO processed_messages (consumer, message_id) VALUES ('inventory_reserve', " +
           key + ")");
  tx.exec0("INSERT INTO payment_decisions (order_id, authorised) VALUES (" + std::to_string(order) +
           ", true)");
  tx.commit();
  ASSERT_EQ(Reserved(2), reserved + 4);

  RestartService("order");
  auto deadline = Clock::now() + 15s;
  while (QueryText("SELECT status FROM orders WHERE id = " + std::to_string(order)) == "pending" &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(QueryText("SELECT status FROM orders WHERE id = " + std::to_string(order)), "failed");
  EXPECT_EQ(Reserved(2), reserved);
  EXPECT_EQ(AuthorisationState(order), "voided");
}

TEST_F(SyncSystem, WithPaymentHangingAnOrderStaysPendingUntilItsAuthorisationIsVoided) {
  // A short saga deadline, swept often; a circuit that stays open for the whole burst.
  RestartService("order", {"--saga-deadline-ms", "4000", "--saga-sweep-interval-ms", "200",
                           "--breaker-open-ms", "3000"});
  RestartService("payment", {"--payment-failure-rate", "0"});
  const std::int64_t reserved = Reserved(2);
  RunningService& payment = ServiceEntry("payment");
  ASSERT_EQ(::kill(payment.pid, SIGSTOP), 0);  // accepts connections, never answers

  // The authorisation may have been taken, and payment cannot be asked to void it: the order
  // keeps its stock and stays pending rather than fail with money held.
  auto start = Clock::now();
  Answer in_doubt = Post("order", "/create_order", R"({"product_id": 2, "quantity": 1})");
  EXPECT_GE(Clock::now() - start, 900ms) << "waited for the 1 s read timeout: " << in_doubt;
  ExpectError(in_doubt, 503);
  EXPECT_EQ(in_doubt["status"], "pending") << in_doubt;
  EXPECT_EQ(in_doubt["compensation_executed"], false) << in_doubt;
  const std::int64_t order = in_doubt["order_id"].as_int64();
  EXPECT_EQ(Reserved(2), reserved + 1);

  // With the circuit open no authorisation is even sent: those orders fail at once.
  for (int i = 0; i < 3; ++i) {
    start = Clock::now();
    Answer a = Post("order", "/create_order", R"({"product_id": 2, "quantity": 1})");
    EXPECT_LT(Clock::now() - start, 200ms) << "the open circuit answers at once: " << a;
    ExpectError(a, 503);
    EXPECT_EQ(a["status"], "failed") << a;
    EXPECT_EQ(a["compensation_executed"], true) << a;
  }
  EXPECT_GE(Metric("order", "flowbench_downstream_failures_total",
                   {"target=\"payment\"", "reason=\"read\""})
                .value_or(0),
            1);

  // Payment comes back; past the deadline the sweeper voids, releases and fails the order.
  ASSERT_EQ(::kill(payment.pid, SIGCONT), 0);
  auto deadline = Clock::now() + 20s;
  while (QueryText("SELECT status FROM orders WHERE id = " + std::to_string(order)) == "pending" &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(QueryText("SELECT status FROM orders WHERE id = " + std::to_string(order)), "failed");
  EXPECT_EQ(Reserved(2), reserved);
  EXPECT_EQ(AuthorisationState(order), "voided");

  RestartService("order");
  RestartService("payment");
}

TEST_F(SyncSystem, TheTraceOfARequestReachesTheServiceItCalls) {
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  httplib::Client client(system_->Url("user"));
  client.set_read_timeout(10s);
  httplib::Result r =
      client.Post("/register", {{"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01"}},
                  R"({"email": "traced@example.com"})", "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  ASSERT_EQ(r->status, 201) << r->body;
  std::ifstream log(system_->Service("email").log);
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"trace_id\":\"" + trace_id + "\""), std::string::npos)
      << "the email service logged no line of trace " << trace_id;
}

// --- Concurrency --------------------------------------------------------------------------

TEST_F(SyncSystem, TwoHundredConcurrentOrdersLeaveReservedWhereItStarted) {
  const std::int64_t reserved = Reserved(3);
  const std::int64_t orders_before = Query("SELECT count(*) FROM orders");
  std::vector<std::future<Answer>> answers;
  for (int i = 0; i < 200; ++i) {
    answers.push_back(std::async(std::launch::async, [] {
      return Post("order", "/create_order", R"({"product_id": 3, "quantity": 2})");
    }));
  }
  int compensated = 0;
  for (auto& f : answers) {
    Answer a = f.get();
    EXPECT_EQ(a.status, 400) << a;
    if (a.status == 400 && a["detail"].as_object().at("compensation_executed") == true) {
      ++compensated;
    }
  }
  EXPECT_EQ(compensated, 200);
  EXPECT_EQ(Reserved(3), reserved);
  EXPECT_EQ(Query("SELECT count(*) FROM orders"), orders_before + 200);
  EXPECT_EQ(Query("SELECT count(*) FROM orders WHERE status <> 'failed' AND product_id = 3"), 0);
}

// --- Completion records (X-Request-Id, GET /completions) ----------------------------------

std::int64_t NowUnixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewPrefix(std::string_view what) {
  return std::string(what) + "-" + TraceContext::NewRoot().trace_id.substr(0, 8) + "-";
}

TEST_F(SyncSystem, EveryScenarioRecordsOneCompletionPerRequestIdAtTheEndOfItsWork) {
  const std::string prefix = NewPrefix("sync");
  struct Sent {
    std::string_view scenario;
    std::string_view service;
    std::string method;
    std::string path;
    std::string body;
    int status;
    WorkOutcome outcome;
    std::int64_t sent_unix_ns = 0;
  };
  std::vector<Sent> requests{
      {scenario::kEmailOnRegistration, "user", "POST", "/register",
       R"({"email": ")" + prefix + R"(1@example.com"})", 201, WorkOutcome::kDone},
      {scenario::kBackgroundPayment, "payment", "POST", "/process_payment", R"({"amount": 10.0})",
       200, WorkOutcome::kDone},
      {scenario::kProductFanOut, "product", "PUT", "/products/3", "{}", 200, WorkOutcome::kDone},
      {scenario::kReportJob, "report", "POST", "/generate_report", R"({"report_type": "daily"})",
       200, WorkOutcome::kDone},
      // The suite's payment_failure_rate is 1: declined, stock released.
      {scenario::kOrderSaga, "order", "POST", "/create_order",
       R"({"product_id": 3, "quantity": 1})", 400, WorkOutcome::kCompensated},
      {scenario::kClickBuffering, "analytics", "POST", "/track_click",
       R"({"user_id": 7, "page": "/completions"})", 200, WorkOutcome::kDone},
  };
  for (Sent& r : requests) {
    r.sent_unix_ns = NowUnixNs();
    Answer a = Send(r.method, r.service, r.path, r.body,
                    {{"X-Request-Id", prefix + std::string(r.scenario)}});
    ASSERT_EQ(a.status, r.status) << r.scenario << ": " << a;
  }
  // The work ended before each answer: the records are there at once.
  std::vector<std::pair<std::string, CompletionRecord>> records = Completions(prefix);
  for (const Sent& r : requests) {
    SCOPED_TRACE(std::string(r.scenario));
    std::vector<std::pair<std::string, CompletionRecord>> mine;
    for (const auto& entry : records) {
      if (entry.second.request_id == prefix + std::string(r.scenario)) mine.push_back(entry);
    }
    ASSERT_EQ(mine.size(), 1u) << "exactly one record per request id, in one service";
    EXPECT_EQ(mine[0].first, r.service) << "the front records the end of the work";
    EXPECT_EQ(mine[0].second.scenario, r.scenario);
    EXPECT_EQ(OutcomeName(mine[0].second.outcome), OutcomeName(r.outcome));
    EXPECT_GT(mine[0].second.end_unix_ns, r.sent_unix_ns);
  }

  // A request without the header is not recorded.
  std::size_t before = Get("analytics", "/completions").json.at("records").as_array().size();
  ASSERT_EQ(Post("analytics", "/track_click", R"({"user_id": 8, "page": "/untagged"})").status,
            200);
  EXPECT_EQ(Get("analytics", "/completions").json.at("records").as_array().size(), before);
}

TEST_F(SyncSystem, WithTheEmailServiceHungRegistrationIsRecordedDegraded) {
  const std::string id = NewPrefix("hung-email") + "register";
  RunningService& email = ServiceEntry("email");
  ASSERT_EQ(::kill(email.pid, SIGSTOP), 0);  // accepts connections, never answers
  std::int64_t sent = NowUnixNs();
  Answer a = Send("POST", "user", "/register", R"({"email": "hung-mail@example.com"})",
                  {{"X-Request-Id", id}});
  ASSERT_EQ(::kill(email.pid, SIGCONT), 0);
  ASSERT_EQ(a.status, 201) << a;
  EXPECT_EQ(a["welcome_email_sent"], false);
  auto records = Completions(id);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].first, "user");
  EXPECT_EQ(records[0].second.scenario, scenario::kEmailOnRegistration);
  EXPECT_EQ(OutcomeName(records[0].second.outcome), "degraded");
  EXPECT_GT(records[0].second.end_unix_ns, sent + 900'000'000) << "after the 1 s read timeout";
  std::this_thread::sleep_for(350ms);  // past --breaker-open-ms, should it have opened
}

TEST_F(SyncSystem, CompletionsServeThePageWithTheServersClockAndRefuseABadCursor) {
  std::int64_t asked = NowUnixNs();
  Answer page = Get("email", "/completions?after=0&limit=5");
  ASSERT_EQ(page.status, 200) << page;
  EXPECT_GE(page["now_unix_ns"].as_int64(), asked);
  EXPECT_NO_THROW(CompletionPageFromJson(page.json)) << page;
  for (const char* bad : {"/completions?after=abc", "/completions?after=-1",
                          "/completions?limit=1.5", "/completions?after="}) {
    Answer a = Get("order", bad);
    ExpectError(a, 400);
    EXPECT_EQ(a["error"], "bad_request") << bad;
  }
}

}  // namespace
}  // namespace flowbench
