// The OTLP exporter: what one export request looks like, how spans are batched, that a full
// queue drops (and counts) instead of waiting, and that spans are recorded only for sampled
// traces with export on. The receiver is a real HTTP server (common/infra/testing).
#include "common/telemetry/otlp_exporter.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "common/infra/ports.hpp"
#include "common/infra/testing/otlp_receiver.hpp"
#include "common/telemetry/metrics.hpp"
#include "common/telemetry/prometheus_text.hpp"
#include "common/telemetry/tracing.hpp"

namespace flowbench {
namespace {

using namespace std::chrono_literals;
using testing::OtlpReceiver;
namespace json = boost::json;

ExportedSpan SomeSpan(std::string name) {
  ExportedSpan span;
  span.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  span.span_id = "00f067aa0ba902b7";
  span.name = std::move(name);
  span.kind = SpanKind::kServer;
  span.start_unix_nano = 1'700'000'000'000'000'001;
  span.end_unix_nano = 1'700'000'000'500'000'002;
  return span;
}

TEST(OtlpEncoding, ExportRequestNamesTheServiceAndCarriesEachSpanInOtlpJson) {
  ExportedSpan server = SomeSpan("POST /create_order");
  server.attributes = {{"http.request.method", "POST"},
                       {"http.response.status_code", 201},
                       {"flowbench.sampled", true},
                       {"flowbench.ratio", 0.5}};
  ExportedSpan child = SomeSpan("payment_failed publish");
  child.span_id = "b7ad6b7169203331";
  child.parent_span_id = "00f067aa0ba902b7";
  child.kind = SpanKind::kProducer;
  child.error = true;
  child.status_message = "broker refused";

  json::object body = EncodeExportRequest("async-order", {server, child});

  const json::object& rs = body.at("resourceSpans").at(0).as_object();
  EXPECT_EQ(rs.at("resource").at("attributes").at(0),
            json::parse(R"({"key":"service.name","value":{"stringValue":"async-order"}})"));
  const json::array& spans = rs.at("scopeSpans").at(0).at("spans").as_array();
  ASSERT_EQ(spans.size(), 2u);
  const json::object& s = spans.at(0).as_object();
  EXPECT_EQ(s.at("traceId"), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(s.at("spanId"), "00f067aa0ba902b7");
  EXPECT_FALSE(s.contains("parentSpanId"));  // a root
  EXPECT_EQ(s.at("name"), "POST /create_order");
  EXPECT_EQ(s.at("kind"), 2);
  EXPECT_EQ(s.at("startTimeUnixNano"), "1700000000000000001");  // 64-bit: a string
  EXPECT_EQ(s.at("endTimeUnixNano"), "1700000000500000002");
  EXPECT_EQ(s.at("status"), json::object{});  // UNSET
  EXPECT_EQ(s.at("attributes"),
            json::parse(R"([{"key":"http.request.method","value":{"stringValue":"POST"}},
                            {"key":"http.response.status_code","value":{"intValue":"201"}},
                            {"key":"flowbench.sampled","value":{"boolValue":true}},
                            {"key":"flowbench.ratio","value":{"doubleValue":0.5}}])"));
  const json::object& p = spans.at(1).as_object();
  EXPECT_EQ(p.at("parentSpanId"), "00f067aa0ba902b7");
  EXPECT_EQ(p.at("kind"), 4);
  EXPECT_EQ(p.at("status"), json::parse(R"({"code":2,"message":"broker refused"})"));
}

TEST(OtlpExporter, SendsFullBatchesAtOnceAndTheRestOnShutdown) {
  OtlpReceiver receiver;
  OtlpExporter exporter({receiver.endpoint(), "sync-user", 100, 3, 60s, 2s});
  for (int i = 0; i < 7; ++i) EXPECT_TRUE(exporter.Export(SomeSpan("span " + std::to_string(i))));
  // Two full batches go without waiting for the (minute-long) flush interval.
  for (auto deadline = std::chrono::steady_clock::now() + 5s;
       receiver.Bodies().size() < 2 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(receiver.Bodies().size(), 2u);
  exporter.Shutdown();  // and the seventh with it

  std::vector<json::object> bodies = receiver.Bodies();
  ASSERT_EQ(bodies.size(), 3u);
  std::vector<std::size_t> sizes;
  for (const json::object& b : bodies) {
    sizes.push_back(
        b.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").as_array().size());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 1}));
  std::vector<testing::ReceivedSpan> spans = receiver.Spans();
  ASSERT_EQ(spans.size(), 7u);
  EXPECT_EQ(spans.front().name, "span 0");
  EXPECT_EQ(spans.back().name, "span 6");
  EXPECT_EQ(spans.front().service, "sync-user");
  EXPECT_EQ(exporter.sent(), 7u);
  EXPECT_EQ(exporter.dropped(), 0u);
}

TEST(OtlpExporter, FullQueueDropsAndCountsInsteadOfWaiting) {
  OtlpReceiver receiver;
  receiver.Hold();  // the worker's first POST hangs: nothing leaves the queue
  OtlpExporter exporter({receiver.endpoint(), "async-order", 4, 1, 10ms, 10s});
  EXPECT_TRUE(exporter.Export(SomeSpan("taken by the worker")));
  for (auto deadline = std::chrono::steady_clock::now() + 5s;
       receiver.requests_started() == 0 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(receiver.requests_started(), 1u);

  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(exporter.Export(SomeSpan("queued")));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(exporter.Export(SomeSpan("dropped")));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);  // nobody waited for the network
  EXPECT_EQ(exporter.dropped(), 3u);

  receiver.Release();
  exporter.Shutdown();
  EXPECT_EQ(receiver.Spans().size(), 5u);
  EXPECT_EQ(exporter.sent(), 5u);
  EXPECT_FALSE(exporter.Export(SomeSpan("after shutdown")));
}

TEST(OtlpExporter, UnreachableReceiverCountsFailedBatchesAndNeverThrows) {
  OtlpExporter exporter(
      {"http://127.0.0.1:" + std::to_string(infra::FindFreePort()), "sync-user", 10, 5, 10ms, 1s});
  EXPECT_TRUE(exporter.Export(SomeSpan("lost")));
  exporter.Shutdown();
  EXPECT_EQ(exporter.failed_batches(), 1u);
  EXPECT_EQ(exporter.sent(), 0u);
}

TEST(OtlpExporter, EndpointMustBeAnHttpUrl) {
  EXPECT_THROW(OtlpExporter({"jaeger:4318", "sync-user"}), std::invalid_argument);
}

TEST(Tracing, ReceivedTraceKeepsTheSenderOfASampledTraceOnly) {
  ReceivedTrace sampled = ReceiveTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(sampled.sender_span_id, "00f067aa0ba902b7");
  EXPECT_EQ(sampled.trace.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(sampled.trace.parent_id, "00f067aa0ba902b7");  // our own span
  EXPECT_TRUE(sampled.trace.Sampled());
  ReceivedTrace unsampled = ReceiveTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  EXPECT_EQ(unsampled.sender_span_id, "");
  ReceivedTrace none = ReceiveTrace("");
  EXPECT_EQ(none.sender_span_id, "");
  EXPECT_FALSE(none.trace.Sampled());
}

TEST(Tracing, SpansAreRecordedOnlyForSampledTracesWithExportOn) {
  TraceContext sampled = TraceContext::NewRoot(true);
  EXPECT_FALSE(Span(sampled, "", SpanKind::kServer));  // export off: nothing
  OtlpReceiver receiver;
  StartSpanExport({receiver.endpoint(), "sync-order", 100, 100, 10s, 2s});
  EXPECT_FALSE(Span(TraceContext::NewRoot(false), "", SpanKind::kServer));
  {
    TraceContext child = sampled.NewChild();
    Span span(child, sampled.parent_id, SpanKind::kClient);
    ASSERT_TRUE(span);
    span.SetName("POST /reserve");
    span.Set("http.response.status_code", 200);
  }
  StopSpanExport();
  std::vector<testing::ReceivedSpan> spans = receiver.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "POST /reserve");
  EXPECT_EQ(spans[0].parent_span_id, sampled.parent_id);
  EXPECT_EQ(spans[0].kind, static_cast<int>(SpanKind::kClient));
  EXPECT_LE(spans[0].start_unix_nano, spans[0].end_unix_nano);
  EXPECT_EQ(spans[0].attributes.at("http.response.status_code"), "200");
  EXPECT_FALSE(Span(sampled, "", SpanKind::kServer));  // stopped: off again
}

// A process whose receiver cannot keep up drops spans rather than wait: every /metrics says
// how many, so a trace missing in Jaeger has an explanation on the dashboard.
TEST(Tracing, SpansDroppedByAFullQueueAreCountedOnMetrics) {
  Metrics metrics("async", "gateway");
  auto scraped_drops = [&metrics] {
    return prometheus_text::ParseText(metrics.Exposition())
        .Sum("flowbench_otlp_spans_dropped_total", {{"arch", "async"}, {"service", "gateway"}});
  };
  double before = scraped_drops();  // process-wide: other tests in this binary may drop too
  OtlpReceiver receiver;
  // Room for two; the worker wakes for a batch of 100 or after an hour, so nothing leaves.
  StartSpanExport({receiver.endpoint(), "async-gateway", 2, 100, 1h, 2s});
  TraceContext sampled = TraceContext::NewRoot(true);
  for (int i = 0; i < 5; ++i) Span(sampled.NewChild(), sampled.parent_id, SpanKind::kServer).End();
  EXPECT_EQ(scraped_drops() - before, 3);
  StopSpanExport();
  EXPECT_EQ(receiver.Spans().size(), 2u);  // the two queued ones left at the stop
  EXPECT_EQ(scraped_drops() - before, 3);  // a counter: the stop does not reset it
}

}  // namespace
}  // namespace flowbench
