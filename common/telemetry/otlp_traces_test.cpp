// Traces out of both real builds (issue 16): the ten services of each build run as
// processes (StartSystem, as `flowbench up` starts them) with --otlp-endpoint pointing at a
// receiver inside this test, against the embedded PostgreSQL and RabbitMQ. For one traced
// request per scenario and build (a sampled traceparent naming the client's root span),
// the receiver gets one trace whose spans link up: every span's parent is a span of the
// trace or the client's root, one server span hangs from the root, and the last handler
// of the scenario (the last server span in the sync build, the last consumer's process
// span in the async build) reaches the root through its parents; each consumer's parent
// is the publish span that sent its message.
//
// The test starts executables only (no sync or async code is linked): common/ stays below
// the builds. With FLOWBENCH_TRACE_OUT=DIR it also writes each saga trace to
// DIR/<arch>-saga.json (results/traces/ holds one of each).
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "common/domain/catalogue.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/infra/testing/otlp_receiver.hpp"
#include "common/service/launcher.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench {
namespace {

using namespace std::chrono_literals;
using testing::EmbeddedInfra;
using testing::OtlpReceiver;
using testing::ReceivedSpan;
namespace json = boost::json;

[[maybe_unused]] auto* const kInfra = testing::RegisterEmbeddedInfra();

// Short simulated delays; every saga's payment is declined, so it takes its longest path.
const std::vector<std::string> kWorkload = {
    "--email-delay-ms",          "20", "--payment-gateway-delay-ms",    "20",
    "--search-reindex-delay-ms", "10", "--cache-invalidation-delay-ms", "10",
    "--analytics-log-delay-ms",  "10", "--report-cpu-time-ms",          "20",
    "--saga-payment-delay-ms",   "20", "--payment-failure-rate",        "1"};

struct TracedRequest {
  std::string service;  // where it goes
  std::string method;
  std::string target;
  std::string body;
};

// One request of each scenario, as the load engine makes them.
TracedRequest RequestOf(int scenario) {
  switch (scenario) {
    case 1:
      return {"user", "POST", "/register",
              R"({"email":"otlp-)" + TraceContext::NewRoot().parent_id + R"(@example.com"})"};
    case 2:
      return {"payment", "POST", "/process_payment", R"({"amount":100.0,"currency":"USD"})"};
    case 3:
      return {"product", "PUT", "/products/2", R"({"name":"Product 2","stock":140})"};
    case 4:
      return {"report", "POST", "/generate_report", R"({"report_type":"monthly"})"};
    case 5:
      return {"order", "POST", "/create_order", R"({"product_id":1,"quantity":1})"};
    default:
      return {"analytics", "POST", "/track_click", R"({"user_id":7,"page":"/products"})"};
  }
}

struct SpanKey {
  std::string service;  // "sync-email"
  std::string name;     // "POST /send_email"
};

// The spans that end each scenario's work: each must hang, through its parents, from the
// client's root.
std::vector<SpanKey> LastSpans(Arch arch, int scenario) {
  if (arch == Arch::kSync) {
    switch (scenario) {
      case 1:
        return {{"sync-email", "POST /send_email"}};
      case 2:
        return {{"sync-payment", "POST /process_payment"}};
      case 3:
        return {{"sync-search", "POST /reindex"},
                {"sync-cache", "POST /invalidate"},
                {"sync-analytics", "POST /log_update"}};
      case 4:
        return {{"sync-report", "POST /generate_report"}};
      case 5:
        return {{"sync-payment", "POST /authorize"}, {"sync-inventory", "POST /release"}};
      default:
        return {{"sync-analytics", "POST /track_click"}};
    }
  }
  switch (scenario) {
    case 1:
      return {{"async-email", "user_registered_queue process"}};
    case 2:
      return {{"async-payment", "payment_completed_queue process"}};
    case 3:
      return {{"async-search", "search_product_updates_queue process"},
              {"async-cache", "cache_product_updates_queue process"},
              {"async-analytics", "analytics_product_updates_queue process"}};
    case 4:
      return {{"async-report", "report_jobs_queue process"}};
    case 5:
      return {{"async-order", "order_payment_failed_queue process"},
              {"async-inventory", "inventory_payment_failed_queue process"}};
    default:
      return {{"async-analytics", "click_tracked_queue process"}};
  }
}

// A string attribute (integers arrive as strings in OTLP/JSON); "" when absent.
std::string Attribute(const ReceivedSpan& span, std::string_view key) {
  const json::value* v = span.attributes.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string Describe(const std::vector<ReceivedSpan>& spans) {
  std::string text;
  for (const ReceivedSpan& s : spans) {
    text += "  " + s.service + " '" + s.name + "' kind " + std::to_string(s.kind) + " id " +
            s.span_id + " parent " + (s.parent_span_id.empty() ? "-" : s.parent_span_id) + "\n";
  }
  return text;
}

// Empty when the trace is whole: every parent known, every last span present and linked to
// the root. Otherwise what is missing (the trace may still be arriving).
std::string WhatIsMissing(const std::vector<ReceivedSpan>& spans, const std::string& root_id,
                          const std::vector<SpanKey>& last) {
  std::map<std::string, const ReceivedSpan*> by_id;
  for (const ReceivedSpan& s : spans) by_id[s.span_id] = &s;
  std::string missing;
  for (const ReceivedSpan& s : spans) {
    if (s.parent_span_id != root_id && by_id.count(s.parent_span_id) == 0) {
      missing += "the parent " + s.parent_span_id + " of " + s.service + " '" + s.name + "'\n";
    }
  }
  for (const SpanKey& key : last) {
    auto it = std::find_if(spans.begin(), spans.end(), [&](const ReceivedSpan& s) {
      return s.service == key.service && s.name == key.name;
    });
    if (it == spans.end()) {
      missing += key.service + " '" + key.name + "'\n";
      continue;
    }
    const ReceivedSpan* at = &*it;
    for (std::size_t hops = 0; at->parent_span_id != root_id && hops < spans.size(); ++hops) {
      auto parent = by_id.find(at->parent_span_id);
      if (parent == by_id.end()) break;
      at = parent->second;
    }
    if (at->parent_span_id != root_id) {
      missing += "a chain from " + key.service + " '" + key.name + "' to the root\n";
    }
  }
  return missing;
}

class OtlpTraces : public ::testing::TestWithParam<std::tuple<Arch, int>> {
 protected:
  static void SetUpTestSuite() {
    receiver_ = new OtlpReceiver();
    sync_ = new RunningSystem(Start(Arch::kSync, {}));
    async_ = new RunningSystem(Start(Arch::kAsync, {"--click-flush-ms", "20"}));
  }
  static void TearDownTestSuite() {
    for (RunningSystem* system : {sync_, async_}) {
      if (system != nullptr) StopSystem(*system);
      delete system;
    }
    delete receiver_;
  }

  static RunningSystem Start(Arch arch, const std::vector<std::string>& own) {
    SystemOptions options;
    options.arch = arch;
    options.bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
    options.run_dir = testing::MakeTempDir("flowbench-otlp-" + std::string(ArchName(arch)));
    options.port_base = infra::FindFreePortBase(10);
    options.pg_url = EmbeddedInfra::State().pg_url;
    options.amqp_url = EmbeddedInfra::State().amqp_url;
    options.extra_args = kWorkload;
    options.extra_args.insert(options.extra_args.end(), own.begin(), own.end());
    options.extra_args.insert(options.extra_args.end(), {"--otlp-endpoint", receiver_->endpoint()});
    return StartSystem(options);
  }

  static OtlpReceiver* receiver_;
  static RunningSystem* sync_;
  static RunningSystem* async_;
};
OtlpReceiver* OtlpTraces::receiver_ = nullptr;
RunningSystem* OtlpTraces::sync_ = nullptr;
RunningSystem* OtlpTraces::async_ = nullptr;

TEST_P(OtlpTraces, OneTracedRequestGivesOneLinkedTraceFromTheClientRootToTheLastHandler) {
  auto [arch, scenario] = GetParam();
  const RunningSystem& system = arch == Arch::kSync ? *sync_ : *async_;
  TraceContext root = TraceContext::NewRoot(/*sampled=*/true);  // the client's own span
  TracedRequest request = RequestOf(scenario);

  httplib::Client client(system.Url(request.service));
  client.set_read_timeout(20s);
  httplib::Headers headers{{"traceparent", root.ToTraceparent()}};
  httplib::Result answer =
      request.method == "PUT"
          ? client.Put(request.target, headers, request.body, "application/json")
          : client.Post(request.target, headers, request.body, "application/json");
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  ASSERT_LT(answer->status, 500) << answer->body;

  const std::vector<SpanKey> last = LastSpans(arch, scenario);
  std::vector<ReceivedSpan> spans;
  std::string missing;
  for (auto deadline = std::chrono::steady_clock::now() + 20s;;) {
    spans = receiver_->SpansOf(root.trace_id);
    missing = WhatIsMissing(spans, root.parent_id, last);
    if (missing.empty() || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(missing, "") << "spans received:\n" << Describe(spans);

  // One server span, the entry service's, is the root's child.
  std::vector<const ReceivedSpan*> entry;
  std::map<std::string, const ReceivedSpan*> by_id;
  for (const ReceivedSpan& s : spans) {
    by_id[s.span_id] = &s;
    if (s.parent_span_id == root.parent_id) entry.push_back(&s);
  }
  ASSERT_EQ(entry.size(), 1u) << Describe(spans);
  EXPECT_EQ(entry[0]->service, std::string(ArchName(arch)) + "-" + request.service);
  EXPECT_EQ(entry[0]->kind, 2);  // SERVER
  EXPECT_EQ(Attribute(*entry[0], "http.request.method"), request.method);
  EXPECT_EQ(Attribute(*entry[0], "http.response.status_code"), std::to_string(answer->status));
  EXPECT_EQ(by_id.size(), spans.size()) << "span ids repeat:\n" << Describe(spans);

  for (const ReceivedSpan& s : spans) {
    EXPECT_LE(s.start_unix_nano, s.end_unix_nano) << s.name;
    const ReceivedSpan* parent =
        s.parent_span_id == root.parent_id ? nullptr : by_id.at(s.parent_span_id);
    if (s.kind == 5) {  // CONSUMER: its message's publish span is its parent
      ASSERT_NE(parent, nullptr) << s.name;
      EXPECT_EQ(parent->kind, 4) << s.name << " under " << parent->name;  // PRODUCER
      EXPECT_EQ(Attribute(s, "messaging.system"), "rabbitmq");
      EXPECT_EQ(Attribute(s, "messaging.operation.type"), "process");
      EXPECT_GE(s.start_unix_nano, parent->start_unix_nano) << s.name;
    }
    if (s.kind == 4) {
      EXPECT_EQ(Attribute(s, "messaging.operation.type"), "publish");
    }
    if (s.kind == 2 && parent != nullptr) {  // a called SERVER: the caller's CLIENT span
      EXPECT_EQ(parent->kind, 3) << s.name << " under " << parent->name;
    }
  }
  if (arch == Arch::kSync) {  // a blocking build: no messages
    EXPECT_TRUE(
        std::none_of(spans.begin(), spans.end(), [](const auto& s) { return s.kind >= 4; }));
  }

  if (const char* out = std::getenv("FLOWBENCH_TRACE_OUT"); out != nullptr && scenario == 5) {
    json::array bodies;
    for (const json::object& body : receiver_->Bodies()) {
      json::object kept = body;  // only this trace's spans
      for (json::value& rs : kept.at("resourceSpans").as_array()) {
        for (json::value& ss : rs.at("scopeSpans").as_array()) {
          json::array& list = ss.at("spans").as_array();
          list.erase(std::remove_if(list.begin(), list.end(),
                                    [&](const json::value& s) {
                                      return std::string_view(s.at("traceId").as_string()) !=
                                             root.trace_id;
                                    }),
                     list.end());
        }
      }
      bool any = false;
      for (const json::value& rs : kept.at("resourceSpans").as_array()) {
        for (const json::value& ss : rs.at("scopeSpans").as_array()) {
          any = any || !ss.at("spans").as_array().empty();
        }
      }
      if (any) bodies.push_back(std::move(kept));
    }
    std::ofstream(std::string(out) + "/" + std::string(ArchName(arch)) + "-saga.json")
        << json::serialize(json::object{{"client_root_span_id", root.parent_id},
                                        {"trace_id", root.trace_id},
                                        {"otlp_requests", std::move(bodies)}});
  }
}

INSTANTIATE_TEST_SUITE_P(BothBuilds, OtlpTraces,
                         ::testing::Combine(::testing::Values(Arch::kSync, Arch::kAsync),
                                            ::testing::Range(1, 7)),
                         [](const auto& info) {
                           return std::string(ArchName(std::get<0>(info.param))) + "Scenario" +
                                  std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace flowbench
