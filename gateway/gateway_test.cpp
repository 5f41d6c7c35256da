// The gateway over real HTTP: an in-process gateway on a free port in front of a small
// upstream in the test (cpp-httplib servers on the ports of user, product and order that
// echo what they received). Routing, every refusal with its body and headers, what is
// forwarded (traceparent, X-Request-Id, never the token), the rate limit, the body limit,
// an unreachable or slow service, /health and /metrics.
#include <gtest/gtest.h>
#include <httplib.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <thread>

#include "common/infra/ports.hpp"
#include "common/infra/testing/otlp_receiver.hpp"
#include "common/telemetry/trace.hpp"
#include "common/telemetry/tracing.hpp"
#include "gateway/gateway_server.hpp"

namespace flowbench::gateway {
namespace {

using namespace std::chrono_literals;

const std::string kSecret = "the-gateway-test-secret-0123456789abcdef";

// Answers every request with what it received, as JSON; POST /generate_report is slow.
class EchoUpstream {
 public:
  EchoUpstream(std::string service, int port) : service_(std::move(service)) {
    server_.set_tcp_nodelay(true);
    auto echo = [this](const httplib::Request& req, httplib::Response& res) {
      boost::json::object seen{{"service", service_},
                               {"method", req.method},
                               {"target", req.target},
                               {"body", req.body},
                               {"content_type", req.get_header_value("Content-Type")},
                               {"traceparent", req.get_header_value("traceparent")},
                               {"request_id", req.get_header_value("X-Request-Id")},
                               {"authorization", req.get_header_value("Authorization")},
                               {"remote_port", req.remote_port}};
      res.status = req.method == "POST" ? 201 : 200;
      res.set_content(boost::json::serialize(seen), "application/json");
    };
    server_.Get(".*", echo);
    server_.Put(".*", echo);
    server_.Post("/generate_report", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(600ms);
      res.set_content("{}", "application/json");
    });
    server_.Post(".*", echo);
    if (!server_.bind_to_port("127.0.0.1", port)) throw std::runtime_error("upstream port taken");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~EchoUpstream() {
    server_.stop();
    thread_.join();
  }

 private:
  std::string service_;
  httplib::Server server_;
  std::thread thread_;
};

// A gateway on its own event-loop thread.
class RunningGateway {
 public:
  explicit RunningGateway(GatewayOptions options) : gateway_(io_, options) {
    gateway_.Listen();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RunningGateway() {
    io_.stop();
    thread_.join();
  }
  int port() const { return gateway_.port(); }

 private:
  boost::asio::io_context io_{1};
  Gateway gateway_;
  std::thread thread_;
};

GatewayOptions Options(int port_base, RateLimit limit = RateLimit{true, 1000, 1000}) {
  GatewayOptions options;
  options.arch = Arch::kSync;
  options.port = -1;
  options.port_base = port_base;
  options.jwt.secret = kSecret;
  options.rate_limit = limit;
  options.upstream_timeout = 300ms;
  return options;
}

std::string Token(const std::string& role, const std::string& subject = "alice",
                  SystemTime at = std::chrono::system_clock::now(), std::chrono::seconds ttl = 1h,
                  JwtSettings settings = {kSecret, "flowbench", "flowbench-gateway"}) {
  return MintToken(settings, MintRequest{subject, role, ttl, at});
}

struct Answer {
  int status = 0;
  httplib::Headers headers;
  boost::json::object json;
  std::string body;
  // A field of the JSON body as text ("" when missing); a number as JSON.
  std::string Field(std::string_view key) const {
    const boost::json::value* v = json.if_contains(key);
    if (v == nullptr) return "";
    if (const boost::json::string* text = v->if_string()) return std::string(*text);
    return boost::json::serialize(*v);
  }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

Answer SendTo(int port, const std::string& method, const std::string& path,
              const std::string& token, const std::string& body = "",
              httplib::Headers headers = {}) {
  httplib::Client client("127.0.0.1", port);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(5, 0);
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  httplib::Result result = method == "GET"   ? client.Get(path, headers)
                           : method == "PUT" ? client.Put(path, headers, body, "application/json")
                           : method == "DELETE"
                               ? client.Delete(path, headers)
                               : client.Post(path, headers, body, "application/json");
  Answer answer;
  if (!result) return answer;
  answer.status = result->status;
  answer.headers = result->headers;
  answer.body = result->body;
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(result->body, error);
  if (!error && parsed.is_object()) answer.json = parsed.get_object();
  return answer;
}

class GatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    port_base_ = infra::FindFreePortBase(10);
    user_ = new EchoUpstream("user", port_base_ + 1);
    product_ = new EchoUpstream("product", port_base_ + 3);
    report_ = new EchoUpstream("report", port_base_ + 4);
    order_ = new EchoUpstream("order", port_base_ + 5);
    gateway_ = new RunningGateway(Options(port_base_));
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete user_;
    delete product_;
    delete report_;
    delete order_;
  }

  static Answer Send(const std::string& method, const std::string& path, const std::string& token,
                     const std::string& body = "", httplib::Headers headers = {}) {
    return SendTo(gateway_->port(), method, path, token, body, std::move(headers));
  }

  static void ExpectUnauthorized(const Answer& answer, const std::string& description) {
    EXPECT_EQ(answer.status, 401) << answer.body;
    EXPECT_EQ(answer.Field("error"), "invalid_token") << answer.body;
    EXPECT_EQ(answer.Field("detail"), description) << answer.body;
    EXPECT_EQ(answer.Header("WWW-Authenticate"),
              R"(Bearer realm="flowbench", error="invalid_token", error_description=")" +
                  description + "\"");
    EXPECT_EQ(answer.Header("Content-Type"), "application/json");
  }

  static inline int port_base_ = 0;
  static inline EchoUpstream* user_ = nullptr;
  static inline EchoUpstream* product_ = nullptr;
  static inline EchoUpstream* report_ = nullptr;
  static inline EchoUpstream* order_ = nullptr;
  static inline RunningGateway* gateway_ = nullptr;
};

TEST_F(GatewayTest, ACustomersWriteGoesToItsServiceWithItsBodyButNotTheToken) {
  Answer answer = Send("POST", "/register", Token("customer"), R"({"email": "ada@example.com"})");
  ASSERT_EQ(answer.status, 201) << answer.body;
  EXPECT_EQ(answer.Field("service"), "user");
  EXPECT_EQ(answer.Field("target"), "/register");
  EXPECT_EQ(answer.Field("body"), R"({"email": "ada@example.com"})");
  EXPECT_EQ(answer.Field("content_type"), "application/json");
  EXPECT_EQ(answer.Field("authorization"), "");
}

TEST_F(GatewayTest, EachRouteGoesToItsOwnService) {
  std::string token = Token("customer");
  EXPECT_EQ(Send("PUT", "/products/2", token, "{}").Field("service"), "product");
  EXPECT_EQ(Send("GET", "/products?page=1", token).Field("target"), "/products?page=1");
  EXPECT_EQ(Send("POST", "/create_order", token, "{}").Field("service"), "order");
  EXPECT_EQ(Send("GET", "/orders/5", token).Field("service"), "order");
  EXPECT_EQ(Send("GET", "/users/1", token).Field("service"), "user");
}

TEST_F(GatewayTest, AViewerMayReadButAWriteIsForbidden) {
  std::string viewer = Token("viewer");
  EXPECT_EQ(Send("GET", "/users/1", viewer).status, 200);
  Answer refused = Send("POST", "/create_order", viewer, R"({"product_id": 1, "quantity": 1})");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.Field("error"), "insufficient_scope");
  EXPECT_EQ(refused.Field("detail"), "POST /create_order needs the role customer");
  EXPECT_EQ(refused.Header("WWW-Authenticate"),
            R"(Bearer realm="flowbench", error="insufficient_scope", )"
            R"(error_description="POST /create_order needs the role customer", scope="customer")");
}

TEST_F(GatewayTest, NoTokenIsAnUnauthorizedChallenge) {
  Answer answer = Send("GET", "/users/1", "");
  EXPECT_EQ(answer.status, 401) << answer.body;
  EXPECT_EQ(answer.Field("error"), "unauthorized");
  EXPECT_EQ(answer.Header("WWW-Authenticate"), R"(Bearer realm="flowbench")");
  Answer basic = Send("GET", "/users/1", "", "", {{"Authorization", "Basic YTpi"}});
  EXPECT_EQ(basic.status, 401);
  EXPECT_EQ(basic.Field("error"), "unauthorized");
}

TEST_F(GatewayTest, ExpiredTamperedAndNotYetValidTokensAreRefused) {
  auto now = std::chrono::system_clock::now();
  ExpectUnauthorized(Send("GET", "/users/1", Token("customer", "alice", now - 2h, 1h)),
                     "the token has expired");
  ExpectUnauthorized(Send("GET", "/users/1", Token("customer", "alice", now + 1h, 1h)),
                     "the token is not valid yet (nbf)");
  std::string tampered = Token("customer");
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  ExpectUnauthorized(Send("GET", "/users/1", tampered),
                     "the token's signature or encoding is invalid");
  ExpectUnauthorized(Send("GET", "/users/1", "garbage"),
                     "the token is not a JWT (three base64url parts)");
}

TEST_F(GatewayTest, ATokenForAnotherAudienceOrIssuerIsRefused) {
  auto now = std::chrono::system_clock::now();
  ExpectUnauthorized(
      Send("GET", "/users/1", Token("customer", "alice", now, 1h, {kSecret, "flowbench", "other"})),
      "the token is not meant for flowbench-gateway");
  ExpectUnauthorized(
      Send("GET", "/users/1",
           Token("customer", "alice", now, 1h, {kSecret, "mallory", "flowbench-gateway"})),
      "the token was not issued by flowbench");
}

TEST_F(GatewayTest, InternalAndBuiltInRoutesOfTheServicesAreNotFound) {
  std::string token = Token("customer");
  for (const char* path :
       {"/authorize", "/void", "/reserve", "/release", "/send_email", "/reindex", "/invalidate",
        "/log_update", "/settings", "/completions", "/fault/slow", "/users/1/../../authorize"}) {
    Answer answer = Send("POST", path, token, "{}");
    EXPECT_EQ(answer.status, 404) << path << " " << answer.body;
    EXPECT_EQ(answer.Field("error"), "not_found") << path;
  }
  EXPECT_EQ(Send("GET", "/completions", token).status, 404);
  EXPECT_EQ(Send("DELETE", "/register", token).status, 405);
}

TEST_F(GatewayTest, TraceparentAndRequestIdAreForwarded) {
  TraceContext client = TraceContext::NewRoot(false);
  Answer answer = Send("GET", "/users/1", Token("customer"), "",
                       {{"traceparent", client.ToTraceparent()}, {"X-Request-Id", "run-1-req-42"}});
  ASSERT_EQ(answer.status, 200) << answer.body;
  std::optional<TraceContext> forwarded = ParseTraceparent(answer.Field("traceparent"));
  ASSERT_TRUE(forwarded) << answer.body;
  EXPECT_EQ(forwarded->trace_id, client.trace_id);    // the same trace ...
  EXPECT_NE(forwarded->parent_id, client.parent_id);  // ... with the gateway's span as parent
  EXPECT_EQ(answer.Field("request_id"), "run-1-req-42");
  EXPECT_EQ(answer.Header("X-Request-Id"), "run-1-req-42");
}

// With span export on, a sampled request is a SERVER span (child of the client's span) and
// a CLIENT span for the call to the service (child of the server span), whose id is the
// parent the service is told in the forwarded traceparent.
TEST_F(GatewayTest, ASampledRequestExportsItsServerAndClientSpans) {
  testing::OtlpReceiver receiver;
  StartSpanExport({receiver.endpoint(), "sync-gateway", 4096, 512, 50ms, 2000ms});
  TraceContext client = TraceContext::NewRoot(true);
  Answer answer =
      Send("GET", "/users/1", Token("customer"), "", {{"traceparent", client.ToTraceparent()}});
  StopSpanExport();
  ASSERT_EQ(answer.status, 200) << answer.body;
  std::optional<TraceContext> forwarded = ParseTraceparent(answer.Field("traceparent"));
  ASSERT_TRUE(forwarded);
  std::vector<testing::ReceivedSpan> spans = receiver.SpansOf(client.trace_id);
  ASSERT_EQ(spans.size(), 2u);
  const testing::ReceivedSpan* server = nullptr;
  const testing::ReceivedSpan* call = nullptr;
  for (const testing::ReceivedSpan& span : spans) {
    EXPECT_EQ(span.service, "sync-gateway");
    if (span.kind == 2) server = &span;  // SPAN_KIND_SERVER
    if (span.kind == 3) call = &span;    // SPAN_KIND_CLIENT
  }
  ASSERT_TRUE(server && call);
  EXPECT_EQ(server->name, "GET /users/{id}");
  EXPECT_EQ(server->parent_span_id, client.parent_id);
  EXPECT_EQ(call->parent_span_id, server->span_id);
  EXPECT_EQ(call->span_id, forwarded->parent_id) << "the service's parent is the client span";
  EXPECT_LE(server->start_unix_nano, call->start_unix_nano);
  EXPECT_GE(server->end_unix_nano, call->end_unix_nano);
}

TEST_F(GatewayTest, ARequestWithoutIdsGetsBoth) {
  Answer answer = Send("GET", "/users/1", Token("customer"));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_TRUE(ParseTraceparent(answer.Field("traceparent"))) << answer.body;
  std::string made = answer.Field("request_id");
  EXPECT_EQ(made.size(), 32U);
  EXPECT_EQ(answer.Header("X-Request-Id"), made);
}

TEST_F(GatewayTest, UpstreamConnectionsAreKeptAlive) {
  std::string token = Token("customer");
  Answer first = Send("GET", "/orders/1", token);
  Answer second = Send("GET", "/orders/2", token);
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(first.Field("remote_port"), second.Field("remote_port"));  // one connection, reused
}

TEST_F(GatewayTest, AnUnreachableServiceIsABadGatewayAndASlowOneATimeout) {
  std::string token = Token("customer");
  Answer unreachable = Send("POST", "/track_click", token, "{}");  // no analytics upstream
  EXPECT_EQ(unreachable.status, 502) << unreachable.body;
  EXPECT_EQ(unreachable.Field("error"), "bad_gateway");
  EXPECT_EQ(unreachable.Field("detail"), "the analytics service could not be reached");
  Answer slow = Send("POST", "/generate_report", token, "{}");  // 600 ms, the gateway waits 300
  EXPECT_EQ(slow.status, 504) << slow.body;
  EXPECT_EQ(slow.Field("error"), "gateway_timeout");
}

TEST_F(GatewayTest, ABodyOverOneMebibyteIsTooLarge) {
  Answer answer = Send("POST", "/register", Token("customer"), std::string(kMaxBodyBytes + 1, 'x'));
  EXPECT_EQ(answer.status, 413) << answer.body;
  EXPECT_EQ(answer.Field("error"), "payload_too_large");
}

TEST_F(GatewayTest, HealthAndMetricsNeedNoToken) {
  Answer health = Send("GET", "/health", "");
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(health.Field("service"), "gateway");
  EXPECT_EQ(health.Field("arch"), "sync");
  EXPECT_EQ(health.Field("status"), "ok");
  Send("GET", "/users/1", Token("customer"));
  Answer metrics = Send("GET", "/metrics", "");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find(R"(http_requests_total{arch="sync",service="gateway",method="GET",)"
                              R"(route="/users/{id}",status="200"})"),
            std::string::npos)
      << metrics.body.substr(0, 2000);
  EXPECT_NE(
      metrics.body.find(
          R"(flowbench_downstream_request_duration_seconds_count{arch="sync",service="gateway",)"
          R"(target="user"})"),
      std::string::npos);
}

// The gateway's own time per forwarded request leaves the service's time out: a 600 ms
// upstream adds 600 ms to the answer, not to the gateway's histogram; refusals are not in it.
TEST_F(GatewayTest, ItsAddedTimeCountsForwardedRequestsWithoutTheUpstreamsTime) {
  GatewayOptions options = Options(port_base_);
  options.upstream_timeout = 2s;
  RunningGateway own(options);
  std::string token = Token("customer");
  EXPECT_EQ(SendTo(own.port(), "GET", "/users/1", token).status, 200);
  EXPECT_EQ(SendTo(own.port(), "POST", "/generate_report", token, "{}").status, 200);
  EXPECT_EQ(SendTo(own.port(), "GET", "/users/1", "").status, 401);
  Answer metrics = SendTo(own.port(), "GET", "/metrics", "");
  const std::string series = R"({arch="sync",service="gateway"})";
  std::size_t count = metrics.body.find(std::string(kAddedSecondsMetric) + "_count" + series);
  ASSERT_NE(count, std::string::npos) << metrics.body.substr(0, 3000);
  EXPECT_EQ(std::stod(metrics.body.substr(metrics.body.find(' ', count) + 1)), 2.0);
  std::size_t sum = metrics.body.find(std::string(kAddedSecondsMetric) + "_sum" + series);
  ASSERT_NE(sum, std::string::npos);
  double added = std::stod(metrics.body.substr(metrics.body.find(' ', sum) + 1));
  EXPECT_GT(added, 0.0);
  EXPECT_LT(added, 0.3) << "the upstream's 600 ms must not be in the gateway's own time";
}

TEST(GatewayRateLimit, ASubjectOverItsRateGets429WithRetryAfterAndOthersDoNot) {
  int port_base = infra::FindFreePortBase(10);
  EchoUpstream user("user", port_base + 1);
  RunningGateway gateway(Options(port_base, RateLimit{true, 0.5, 2}));  // a token every 2 s
  std::string alice = Token("customer", "alice");
  EXPECT_EQ(SendTo(gateway.port(), "GET", "/users/1", alice).status, 200);
  EXPECT_EQ(SendTo(gateway.port(), "GET", "/users/1", alice).status, 200);
  httplib::Client client("127.0.0.1", gateway.port());
  auto refused = client.Get("/users/1", {{"Authorization", "Bearer " + alice}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429) << refused->body;
  EXPECT_EQ(refused->get_header_value("Retry-After"), "2");
  boost::json::object body = boost::json::parse(refused->body).as_object();
  EXPECT_EQ(body["error"].as_string(), "rate_limited");
  EXPECT_EQ(body["detail"].as_string(), "more than 0.5/s, burst 2 for subject alice; retry in 2 s");
  EXPECT_EQ(SendTo(gateway.port(), "GET", "/users/1", Token("customer", "bob")).status,
            200);  // its own bucket
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(
                R"(flowbench_gateway_rate_limited_total{arch="sync",service="gateway"} 1)"),
            std::string::npos);
}

TEST(GatewayUpstreams, AServiceGivenByNameIsReachedAtItsOwnAddressNotThePortBase) {
  // As in Compose: each service has a hostname and port of its own (--upstream NAME=URL).
  int port_base = infra::FindFreePortBase(10);
  int elsewhere = infra::FindFreePortBase(10) + 7;
  EchoUpstream order("order", elsewhere);
  GatewayOptions options = Options(port_base);
  options.upstreams = {"order=http://localhost:" + std::to_string(elsewhere)};
  RunningGateway gateway(options);
  Answer answer = SendTo(gateway.port(), "GET", "/orders/5", Token("customer"));
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.Field("service"), "order");
  EXPECT_EQ(SendTo(gateway.port(), "GET", "/users/1", Token("customer")).status, 502)
      << "user has no --upstream: it is on the port base, where nothing listens";
}

TEST(GatewayUpstreams, HealthListsEachNamedServiceAndWhetherItAnswersItsHealth) {
  int port_base = infra::FindFreePortBase(10);
  int up = infra::FindFreePortBase(10) + 5;
  int away = infra::FindFreePort();  // nothing listens there
  EchoUpstream order("order", up);
  GatewayOptions options = Options(port_base);
  options.upstreams = {"order=http://127.0.0.1:" + std::to_string(up),
                       "email=http://127.0.0.1:" + std::to_string(away)};
  RunningGateway gateway(options);
  Answer health = SendTo(gateway.port(), "GET", "/health", "");
  ASSERT_EQ(health.status, 200) << health.body;  // the gateway itself is up either way
  EXPECT_EQ(health.Field("status"), "ok");
  ASSERT_TRUE(health.json.contains("upstreams")) << health.body;
  const boost::json::array& upstreams = health.json.at("upstreams").as_array();
  ASSERT_EQ(upstreams.size(), 2u) << health.body;
  const boost::json::object& order_entry = upstreams[0].as_object();
  EXPECT_EQ(order_entry.at("name"), "order");
  EXPECT_EQ(order_entry.at("url").as_string(), "http://127.0.0.1:" + std::to_string(up));
  EXPECT_EQ(order_entry.at("healthy"), true);
  EXPECT_EQ(order_entry.at("status"), 200);
  const boost::json::object& email_entry = upstreams[1].as_object();
  EXPECT_EQ(email_entry.at("name"), "email");
  EXPECT_EQ(email_entry.at("healthy"), false);
  EXPECT_EQ(email_entry.at("status"), 0);
  EXPECT_EQ(email_entry.at("failure"), "connect") << health.body;
}

TEST_F(GatewayTest, HealthListsNoUpstreamsWithoutUpstreamFlags) {
  Answer health = Send("GET", "/health", "");
  ASSERT_TRUE(health.json.contains("upstreams")) << health.body;
  EXPECT_TRUE(health.json.at("upstreams").as_array().empty()) << health.body;
}

}  // namespace
}  // namespace flowbench::gateway
