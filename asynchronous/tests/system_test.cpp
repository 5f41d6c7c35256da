// The async build end to end: every route of CONTRACT.md §3 with its async answer, every
// eventual state reached (polled with a deadline), a request's W3C traceparent arriving at
// every consumer of its saga, reads and 404s, and bad input on every write route answered
// with error JSON while nothing is published and nothing written; one completion record per
// tagged request (X-Request-Id) at the end of its work, served at GET /completions.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "asynchronous/tests/async_system.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/domain/topology.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/infra/testing/hostile_input.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench::async::testing {
namespace {

[[maybe_unused]] auto* const kInfra = flowbench::testing::RegisterEmbeddedInfra();

namespace json = boost::json;

class AsyncRoutes : public AsyncSystemSuite {};

std::string StatusOf(int port, const std::string& path, const char* field = "status") {
  JsonAnswer a = Get(port, path);
  if (a.status != 200 || !a.body.is_object() || !a.body.as_object().contains(field)) return "";
  return json::value_to<std::string>(a.body.at(field));
}

TEST_F(AsyncRoutes, RegisterAnswers202AndTheEmailIsSentLater) {
  JsonAnswer a = Post(Port("user"), "/register", R"({"email": "ada@example.com"})");
  ASSERT_EQ(a.status, 202) << a;
  EXPECT_EQ(a.body.at("email"), "ada@example.com");
  EXPECT_EQ(a.body.at("event_published"), true);
  EXPECT_TRUE(a.body.as_object().contains("message"));
  std::int64_t id = a.body.at("id").as_int64();
  std::string path = "/users/" + std::to_string(id);

  EXPECT_TRUE(PollUntil([&] {
    JsonAnswer user = Get(Port("user"), path);
    return user.status == 200 && user.body.at("welcome_email_sent") == true;
  })) << Get(Port("user"), path);
  EXPECT_EQ(Get(Port("user"), path).body.at("email"), "ada@example.com");
  EXPECT_TRUE(PollUntil([&] {
    return System().Metric("email", "flowbench_scenario_completion_seconds_count",
                           {{"scenario", std::string(scenario::kEmailOnRegistration)}}) >= 1;
  }));

  JsonAnswer again = Post(Port("user"), "/register", R"({"email": "ada@example.com"})");
  EXPECT_EQ(again.status, 409) << again;
  EXPECT_EQ(again.body.at("error"), "conflict");
}

TEST_F(AsyncRoutes, PaymentAnswers202AndSettlesInTheBackground) {
  JsonAnswer a =
      Post(Port("payment"), "/process_payment", R"({"amount": 100.0, "currency": "USD"})");
  ASSERT_EQ(a.status, 202) << a;
  EXPECT_EQ(a.body.at("status"), "processing");
  EXPECT_TRUE(a.body.as_object().contains("message"));
  std::string path = "/payments/" + json::value_to<std::string>(a.body.at("payment_id"));
  JsonAnswer processing = Get(Port("payment"), path);
  ASSERT_EQ(processing.status, 200) << processing;
  EXPECT_EQ(processing.body.at("amount").to_number<double>(), 100.0);

  EXPECT_TRUE(PollUntil([&] { return StatusOf(Port("payment"), path) == "succeeded"; }))
      << Get(Port("payment"), path);
  EXPECT_EQ(System().Metric("payment", "flowbench_scenario_completion_seconds_count",
                            {{"scenario", std::string(scenario::kBackgroundPayment)}}),
            1);
}

TEST_F(AsyncRoutes, ProductUpdateFansOutToThreeConsumers) {
  JsonAnswer a = Put(Port("product"), "/products/3", R"({"name": "Headphones Pro", "stock": 42})");
  ASSERT_EQ(a.status, 200) << a;
  EXPECT_EQ(a.body.at("id"), 3);
  EXPECT_EQ(a.body.at("name"), "Headphones Pro");
  EXPECT_EQ(a.body.at("stock"), 42);
  EXPECT_EQ(a.body.at("event_published"), true);

  JsonAnswer one = Get(Port("product"), "/products/3");
  ASSERT_EQ(one.status, 200) << one;
  EXPECT_EQ(one.body.at("stock"), 42);
  JsonAnswer list = Get(Port("product"), "/products");
  ASSERT_EQ(list.status, 200) << list;
  EXPECT_EQ(list.body.at("count"), 3);
  EXPECT_EQ(list.body.at("products").as_array().size(), 3u);

  // Each fan-out consumer did its part once; the last of them recorded the completion.
  EXPECT_TRUE(PollUntil([&] {
    return System().Metric("search", "flowbench_messages_consumed_total",
                           {{"queue", std::string(topology::kSearchProductUpdatesQueue)},
                            {"outcome", "ok"}}) == 1 &&
           System().Metric("cache", "flowbench_messages_consumed_total",
                           {{"queue", std::string(topology::kCacheProductUpdatesQueue)},
                            {"outcome", "ok"}}) == 1 &&
           System().Metric("analytics", "flowbench_messages_consumed_total",
                           {{"queue", std::string(topology::kAnalyticsProductUpdatesQueue)},
                            {"outcome", "ok"}}) == 1;
  }));
  double completions = 0;
  for (const char* service : {"search", "cache", "analytics"}) {
    completions += System().Metric(service, "flowbench_scenario_completion_seconds_count",
                                   {{"scenario", std::string(scenario::kProductFanOut)}});
  }
  EXPECT_EQ(completions, 1);
}

TEST_F(AsyncRoutes, ReportJobGoesQueuedRunningCompleted) {
  JsonAnswer a = Post(Port("report"), "/generate_report", R"({"report_type": "monthly"})");
  ASSERT_EQ(a.status, 202) << a;
  EXPECT_EQ(a.body.at("status"), "queued");
  EXPECT_TRUE(a.body.as_object().contains("message"));
  std::string path = "/jobs/" + json::value_to<std::string>(a.body.at("job_id"));

  std::vector<std::string> seen;
  EXPECT_TRUE(PollUntil(
      [&] {
        std::string status = StatusOf(Port("report"), path);
        if (seen.empty() || seen.back() != status) seen.push_back(status);
        return status == "completed";
      },
      std::chrono::seconds(30), std::chrono::milliseconds(10)));
  // Never backwards; "running" is seen while the 400 ms of CPU are spent.
  std::vector<std::string> order{"queued", "running", "completed"};
  std::size_t at = 0;
  for (const std::string& s : seen) {
    while (at < order.size() && order[at] != s) ++at;
    EXPECT_LT(at, order.size()) << "unexpected or backwards status " << s;
  }
  EXPECT_NE(std::find(seen.begin(), seen.end(), "running"), seen.end());
  JsonAnswer done = Get(Port("report"), path);
  EXPECT_EQ(done.body.at("report_hash").as_string().size(), 64u) << done;
  EXPECT_GT(done.body.at("iterations").to_number<double>(), 0) << done;
}

TEST_F(AsyncRoutes, FailedPaymentCompensatesTheOrderSaga) {
  std::int64_t reserved_before = Scalar("SELECT reserved FROM inventory WHERE product_id = 1");
  JsonAnswer a = Post(Port("order"), "/create_order", R"({"product_id": 1, "quantity": 2})");
  ASSERT_EQ(a.status, 202) << a;
  EXPECT_EQ(a.body.at("status"), "pending");
  EXPECT_EQ(a.body.at("product_id"), 1);
  EXPECT_EQ(a.body.at("quantity"), 2);
  std::string path = "/orders/" + std::to_string(a.body.at("id").as_int64());

  EXPECT_TRUE(PollUntil([&] { return StatusOf(Port("order"), path) == "failed"; }))
      << Get(Port("order"), path);
  EXPECT_TRUE(PollUntil([&] {
    JsonAnswer inventory = Get(Port("inventory"), "/inventory/1");
    return inventory.status == 200 && inventory.body.at("reserved") == reserved_before;
  })) << Get(Port("inventory"), "/inventory/1");
  EXPECT_TRUE(PollUntil([&] {
    return System().Metric("order", "flowbench_scenario_completion_seconds_count",
                           {{"scenario", std::string(scenario::kOrderSaga)}}) +
               System().Metric("inventory", "flowbench_scenario_completion_seconds_count",
                               {{"scenario", std::string(scenario::kOrderSaga)}}) ==
           1;
  }));
}

TEST_F(AsyncRoutes, SucceededPaymentConfirmsTheOrder) {
  RestartedWith always_authorised(System(), "payment", {"--payment-failure-rate", "0"});
  std::int64_t reserved_before = Scalar("SELECT reserved FROM inventory WHERE product_id = 2");
  JsonAnswer a = Post(Port("order"), "/create_order", R"({"product_id": 2, "quantity": 3})");
  ASSERT_EQ(a.status, 202) << a;
  std::string path = "/orders/" + std::to_string(a.body.at("id").as_int64());
  EXPECT_TRUE(PollUntil([&] { return StatusOf(Port("order"), path) == "confirmed"; }))
      << Get(Port("order"), path);
  EXPECT_EQ(Get(Port("inventory"), "/inventory/2").body.at("reserved"), reserved_before + 3);
}

// The queues whose consumer logged a "consume" span of `trace_id` in `log` (one JSON object
// per line). A consumer's trace comes only from the message's traceparent header.
std::set<std::string> QueuesConsumedInTrace(const std::filesystem::path& log,
                                            const std::string& trace_id) {
  std::set<std::string> queues;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;  // a line still being written
    const json::object& o = v.as_object();
    auto text = [&o](std::string_view key) -> std::string_view {
      const json::value* field = o.if_contains(key);
      return field != nullptr && field->is_string() ? std::string_view(field->as_string()) : "";
    };
    if (text("trace_id") == trace_id && text("span") == "consume" && !text("queue").empty()) {
      queues.insert(std::string(text("queue")));
    }
  }
  return queues;
}

TEST_F(AsyncRoutes, TraceparentOfARequestReachesEveryConsumerOfTheSaga) {
  TraceContext caller = TraceContext::NewRoot(/*sampled=*/true);
  JsonAnswer a =
      Request(Port("order"), "POST", "/create_order", R"({"product_id": 3, "quantity": 1})",
              {{"traceparent", caller.ToTraceparent()}});
  ASSERT_EQ(a.status, 202) << a;
  // Every hop of the (compensated) saga, each one a message that had to carry the header.
  const std::map<std::string, std::set<std::string>> expected{
      {"inventory",
       {std::string(topology::kOrderCreatedQueue),
        std::string(topology::kInventoryPaymentFailedQueue)}},
      {"payment", {std::string(topology::kStockReservedQueue)}},
      {"order", {std::string(topology::kOrderPaymentFailedQueue)}}};
  std::map<std::string, std::set<std::string>> seen;
  EXPECT_TRUE(PollUntil([&] {
    for (const auto& [service, queues] : expected) {
      seen[service] = QueuesConsumedInTrace(System().LogOf(service), caller.trace_id);
    }
    return seen == expected;
  })) << "consume spans of trace "
      << caller.trace_id << ": inventory " << seen["inventory"].size() << ", payment "
      << seen["payment"].size() << ", order " << seen["order"].size() << " queue(s)";
  // The email service took no part: the trace did not leak into an unrelated consumer.
  EXPECT_TRUE(QueuesConsumedInTrace(System().LogOf("email"), caller.trace_id).empty());
}

TEST_F(AsyncRoutes, ClicksAreConfirmedThenWrittenInBatches) {
  std::int64_t before = Get(Port("analytics"), "/clicks/count").body.at("count").as_int64();
  for (int i = 0; i < 25; ++i) {
    JsonAnswer a = Post(Port("analytics"), "/track_click",
                        R"({"user_id": )" + std::to_string(i) + R"(, "page": "/home"})");
    ASSERT_EQ(a.status, 200) << a;
    ASSERT_EQ(a.body.at("status"), "tracked");
  }
  EXPECT_TRUE(PollUntil([&] {
    return Get(Port("analytics"), "/clicks/count").body.at("count").as_int64() == before + 25;
  })) << Get(Port("analytics"), "/clicks/count");
}

TEST_F(AsyncRoutes, ReadsAnswer404ForUnknownIds) {
  for (auto [service, path] :
       std::vector<std::pair<const char*, const char*>>{{"user", "/users/999999"},
                                                        {"user", "/users/abc"},
                                                        {"payment", "/payments/no-such-payment"},
                                                        {"product", "/products/99"},
                                                        {"report", "/jobs/no-such-job"},
                                                        {"order", "/orders/999999"},
                                                        {"inventory", "/inventory/99"}}) {
    JsonAnswer a = Get(Port(service), path);
    EXPECT_EQ(a.status, 404) << service << " " << path << ": " << a;
    EXPECT_TRUE(a.body.is_object() && a.body.as_object().contains("error")) << a;
  }
  EXPECT_EQ(Get(Port("user"), "/nowhere").status, 404);
  EXPECT_EQ(Request(Port("user"), "PUT", "/register", "{}").status, 405);
}

TEST_F(AsyncRoutes, HealthAndMetricsOnEveryService) {
  for (const char* service : {"user", "payment", "product", "report", "order", "analytics", "email",
                              "search", "cache", "inventory"}) {
    JsonAnswer health = Get(Port(service), "/health");
    EXPECT_EQ(health.status, 200) << service << ": " << health;
    JsonAnswer metrics = Get(Port(service), "/metrics");
    EXPECT_EQ(metrics.status, 200) << service;
    EXPECT_NE(metrics.raw.find("arch=\"async\""), std::string::npos) << service;
  }
}

TEST_F(AsyncRoutes, EveryServiceReportsTheSettingsItRunsWithDefaultsIncluded) {
  for (const char* service : {"user", "payment", "product", "report", "order", "analytics", "email",
                              "search", "cache", "inventory"}) {
    JsonAnswer settings = Get(Port(service), "/settings");
    ASSERT_EQ(settings.status, 200) << service << ": " << settings;
    EXPECT_EQ(settings.body.at("service"), service);
    EXPECT_EQ(settings.body.at("arch"), "async");
    // Given by the suite (FastArgs) ...
    EXPECT_EQ(settings.body.at("workload").at("email_delay_ms"), 50) << settings;
    EXPECT_EQ(settings.body.at("transport").at("retry_attempts"), 3) << settings;
    EXPECT_EQ(settings.body.at("database").at("pool_size"), 4) << settings;
    // ... and left at their defaults: reported all the same.
    EXPECT_EQ(settings.body.at("transport").at("prefetch"), 50) << settings;
    EXPECT_EQ(settings.body.at("transport").at("publish_confirm"), true) << settings;
    EXPECT_EQ(settings.body.at("database").at("schema"), "async");
    EXPECT_FALSE(settings.body.at("database").as_object().contains("url"))
        << "a URL may hold a password";
  }
}

// Bad input: the error JSON, and neither a message published nor a row written.
struct BadInput {
  const char* service;
  const char* method;
  const char* path;
  std::string body;
  int status;
};

TEST_F(AsyncRoutes, BadInputOnEveryWriteRouteChangesNothing) {
  std::string huge = R"({"email": ")" + std::string(1024 * 1024 + 10, 'a') + R"("})";
  std::vector<BadInput> cases{
      {"user", "POST", "/register", "{not json", 400},
      {"user", "POST", "/register", "{}", 422},
      {"user", "POST", "/register", R"({"email": 5})", 422},
      {"user", "POST", "/register", R"({"email": "not-an-email"})", 422},
      {"user", "POST", "/register", huge, 413},
      {"payment", "POST", "/process_payment", "[1,2", 400},
      {"payment", "POST", "/process_payment", R"({"amount": -5})", 422},
      {"payment", "POST", "/process_payment", R"({"amount": "100"})", 422},
      {"payment", "POST", "/process_payment", R"({"amount": 10, "currency": "dollars"})", 422},
      {"product", "PUT", "/products/1", "nope", 400},
      {"product", "PUT", "/products/1", R"({"stock": -1})", 422},
      {"product", "PUT", "/products/1", R"({"name": 7})", 422},
      {"product", "PUT", "/products/99", R"({"stock": 1})", 404},
      {"report", "POST", "/generate_report", "", 400},
      {"report", "POST", "/generate_report", R"({"report_type": ""})", 422},
      {"report", "POST", "/generate_report", R"({})", 422},
      {"order", "POST", "/create_order", "{", 400},
      {"order", "POST", "/create_order", R"({"product_id": 1, "quantity": -1})", 422},
      {"order", "POST", "/create_order", R"({"product_id": 1})", 422},
      {"order", "POST", "/create_order", R"({"product_id": 99, "quantity": 1})", 404},
      {"analytics", "POST", "/track_click", "{]", 400},
      {"analytics", "POST", "/track_click", R"({"user_id": -1, "page": "/x"})", 422},
      {"analytics", "POST", "/track_click", R"({"user_id": 1})", 422},
  };
  auto published = [&] {
    double total = 0;
    for (const char* s : {"user", "payment", "product", "report", "order", "analytics"}) {
      total += System().Metric(s, "flowbench_messages_published_total");
    }
    return total;
  };
  auto rows = [] {
    return Scalar(
        "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM payments) + "
        "(SELECT count(*) FROM report_jobs) + (SELECT count(*) FROM orders) + "
        "(SELECT count(*) FROM clicks) + (SELECT sum(stock) FROM products)");
  };
  // Let earlier tests' messages settle, so the counts only move because of this one.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  double published_before = published();
  std::int64_t rows_before = rows();
  JsonAnswer product_before = Get(Port("product"), "/products/1");

  for (const BadInput& c : cases) {
    JsonAnswer a = Request(Port(c.service), c.method, c.path, c.body);
    std::string what = std::string(c.method) + " " + c.path + " " + c.body.substr(0, 60);
    EXPECT_EQ(a.status, c.status) << what << ": " << a;
    ASSERT_TRUE(a.body.is_object()) << what << ": " << a;
    EXPECT_TRUE(a.body.as_object().contains("error")) << what << ": " << a;
    EXPECT_TRUE(a.body.as_object().contains("detail")) << what << ": " << a;
  }
  // What only the database would have noticed (the sync system test sends the same).
  for (const flowbench::testing::HostileBody& c : flowbench::testing::HostileBodies()) {
    JsonAnswer a = Request(Port(c.service), c.method, c.path, c.body);
    std::string what = std::string(c.method) + " " + c.path + " " + c.body;
    EXPECT_EQ(a.status, 422) << what << ": " << a;
    if (a.status != 422) continue;
    EXPECT_EQ(a.body.at("error"), "validation_error") << what << ": " << a;
    EXPECT_NE(a.raw.find(c.field), std::string::npos) << what << ": " << a;
  }
  EXPECT_EQ(published(), published_before);
  EXPECT_EQ(rows(), rows_before);
  EXPECT_EQ(Get(Port("product"), "/products/1").raw, product_before.raw);
  for (const char* s : {"user", "payment", "product", "report", "order", "analytics"}) {
    JsonAnswer health = Get(Port(s), "/health");
    EXPECT_EQ(health.status, 200) << s << " after bad input: " << health;
  }
}

// The same ids as the sync build's test: the sync front URL-decodes them, this one does not.
TEST_F(AsyncRoutes, ATextPathIdThatNoServiceMadeIs404) {
  for (const auto& [service, path] : flowbench::testing::PathsNamingNoTextId()) {
    JsonAnswer a = Get(Port(service), path);
    EXPECT_EQ(a.status, 404) << service << " " << path << ": " << a;
  }
}

// Each method and route a client invents must not become a new series: 64 buckets each,
// kept for the life of the process.
TEST_F(AsyncRoutes, InventedMethodsAndPathsDoNotGrowTheMetrics) {
  const std::string url = "http://127.0.0.1:" + std::to_string(Port("user"));
  // Each kind of request once, and a scrape: the series they make exist from here on.
  flowbench::testing::SendInventedMethodsAndPaths(url, "/register", 3);
  Get(Port("user"), "/metrics");
  const std::size_t before = Get(Port("user"), "/metrics").raw.size();

  std::map<int, int> statuses =
      flowbench::testing::SendInventedMethodsAndPaths(url, "/register", 1000);
  EXPECT_EQ(statuses.count(0), 0u) << statuses[0] << " requests got no answer";
  const std::size_t after = Get(Port("user"), "/metrics").raw.size();
  // The counts grow by a few digits; one more series would add kilobytes.
  EXPECT_LT(after, before + 4096) << "from " << before << " to " << after << " bytes";
  EXPECT_EQ(Get(Port("user"), "/health").status, 200);
}

// --- Completion records (X-Request-Id, GET /completions) ----------------------------------

std::int64_t NowUnixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(AsyncRoutes, EveryScenarioRecordsOneCompletionPerRequestIdAtTheEndOfItsWork) {
  const std::string prefix = "async-" + TraceContext::NewRoot().trace_id.substr(0, 8) + "-";
  struct Sent {
    std::string_view scenario;
    std::string_view service;
    std::string method;
    std::string path;
    std::string body;
    WorkOutcome outcome;
    std::int64_t sent_unix_ns = 0;
  };
  std::vector<Sent> requests{
      {scenario::kEmailOnRegistration, "user", "POST", "/register",
       R"({"email": ")" + prefix + R"(1@example.com"})", WorkOutcome::kDone},
      {scenario::kBackgroundPayment, "payment", "POST", "/process_payment", R"({"amount": 10.0})",
       WorkOutcome::kDone},
      {scenario::kProductFanOut, "product", "PUT", "/products/3", "{}", WorkOutcome::kDone},
      {scenario::kReportJob, "report", "POST", "/generate_report", R"({"report_type": "daily"})",
       WorkOutcome::kDone},
      // The suite's payment_failure_rate is the default 1.0: declined, stock released.
      {scenario::kOrderSaga, "order", "POST", "/create_order",
       R"({"product_id": 3, "quantity": 1})", WorkOutcome::kCompensated},
      {scenario::kClickBuffering, "analytics", "POST", "/track_click",
       R"({"user_id": 7, "page": "/completions"})", WorkOutcome::kDone},
  };
  for (Sent& r : requests) {
    r.sent_unix_ns = NowUnixNs();
    JsonAnswer a = Request(Port(r.service), r.method, r.path, r.body,
                           {{"X-Request-Id", prefix + std::string(r.scenario)}});
    ASSERT_GE(a.status, 200) << r.scenario << ": " << a;
    ASSERT_LT(a.status, 300) << r.scenario << ": " << a;
  }

  std::vector<std::pair<std::string, CompletionRecord>> records;
  EXPECT_TRUE(PollUntil(
      [&] {
        records = System().Completions(prefix);
        return records.size() >= requests.size();
      },
      std::chrono::seconds(30), std::chrono::milliseconds(100)))
      << records.size() << " of " << requests.size() << " records";
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a second record would be late
  records = System().Completions(prefix);
  for (const Sent& r : requests) {
    SCOPED_TRACE(std::string(r.scenario));
    std::vector<std::pair<std::string, CompletionRecord>> mine;
    for (const auto& entry : records) {
      if (entry.second.request_id == prefix + std::string(r.scenario)) mine.push_back(entry);
    }
    ASSERT_EQ(mine.size(), 1u) << "exactly one record per request id";
    const CompletionRecord& record = mine[0].second;
    EXPECT_EQ(record.scenario, r.scenario) << "recorded by " << mine[0].first;
    EXPECT_EQ(OutcomeName(record.outcome), OutcomeName(r.outcome)) << "by " << mine[0].first;
    EXPECT_GT(record.end_unix_ns, r.sent_unix_ns);
  }

  // A request without the header is not recorded: only the tagged click after it is.
  auto analytics_records = [] {
    JsonAnswer page = Get(Port("analytics"), "/completions");
    return page.body.at("records").as_array().size();
  };
  const std::size_t before = analytics_records();
  ASSERT_EQ(
      Post(Port("analytics"), "/track_click", R"({"user_id": 8, "page": "/untagged"})").status,
      200);
  ASSERT_EQ(Request(Port("analytics"), "POST", "/track_click", R"({"user_id": 8, "page": "/t"})",
                    {{"X-Request-Id", prefix + "tagged-click"}})
                .status,
            200);
  EXPECT_TRUE(PollUntil([&] { return analytics_records() == before + 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(analytics_records(), before + 1);
}

TEST_F(AsyncRoutes, CompletionsServeThePageWithTheServersClockAndRefuseABadCursor) {
  std::int64_t asked = NowUnixNs();
  JsonAnswer page = Get(Port("email"), "/completions?after=0&limit=5");
  ASSERT_EQ(page.status, 200) << page;
  EXPECT_GE(page.body.at("now_unix_ns").as_int64(), asked);
  EXPECT_NO_THROW(CompletionPageFromJson(page.body)) << page;
  EXPECT_LE(page.body.at("records").as_array().size(), 5u);
  for (const char* bad : {"/completions?after=abc", "/completions?after=-1",
                          "/completions?limit=1.5", "/completions?after="}) {
    JsonAnswer a = Get(Port("order"), bad);
    EXPECT_EQ(a.status, 400) << bad << ": " << a;
    ASSERT_TRUE(a.body.is_object()) << bad << ": " << a;
    EXPECT_EQ(a.body.at("error"), "bad_request") << bad;
    EXPECT_TRUE(a.body.as_object().contains("detail")) << bad;
  }
}

}  // namespace
}  // namespace flowbench::async::testing
