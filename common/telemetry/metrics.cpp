#include "common/telemetry/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "common/telemetry/tracing.hpp"

namespace flowbench {
namespace {

using prometheus::Labels;

Labels Constant(std::string_view arch, std::string_view service) {
  return {{"arch", std::string(arch)}, {"service", std::string(service)}};
}

// `count` upper bounds from `first`, each `factor` times the one before.
prometheus::Histogram::BucketBoundaries Geometric(double first, double factor, int count) {
  prometheus::Histogram::BucketBoundaries bounds;
  for (int i = 0; i < count; ++i) bounds.push_back(first * std::pow(factor, i));
  return bounds;
}

// The client chooses the method, so it names a series only from a fixed set: every other
// value would be one more histogram of 64 buckets, kept for the life of the process.
std::string_view MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",   "POST", "PUT",    "DELETE",
                                                             "PATCH", "HEAD", "OPTIONS"};
  bool known = std::find(kKnown.begin(), kKnown.end(), method) != kKnown.end();
  return known ? method : "OTHER";
}

// The key of a series in a SeriesCache: its label values, each ended by a NUL (which no
// label value here holds), so ("ab", "c") and ("a", "bc") stay apart.
std::string KeyOf(std::initializer_list<std::string_view> values) {
  std::string key;
  std::size_t size = 0;
  for (std::string_view v : values) size += v.size() + 1;
  key.reserve(size);
  for (std::string_view v : values) {
    key += v;
    key += '\0';
  }
  return key;
}

}  // namespace

const prometheus::Histogram::BucketBoundaries& Metrics::LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = Geometric(0.0005, 1.25, 64);
  return kBuckets;
}

const prometheus::Histogram::BucketBoundaries& Metrics::CompletionBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = Geometric(0.0005, 1.10, 170);
  return kBuckets;
}

Metrics::Metrics(std::string_view arch, std::string_view service)
    : registry_(std::make_shared<prometheus::Registry>()),
      process_(std::string(arch), std::string(service)),
      http_requests_(prometheus::BuildCounter()
                         .Name("http_requests_total")
                         .Help("HTTP requests answered, by method, route and status")
                         .Labels(Constant(arch, service))
                         .Register(*registry_)),
      http_duration_(prometheus::BuildHistogram()
                         .Name("http_request_duration_seconds")
                         .Help("Time from request received to response written")
                         .Labels(Constant(arch, service))
                         .Register(*registry_)),
      completion_(prometheus::BuildHistogram()
                      .Name("flowbench_scenario_completion_seconds")
                      .Help("From accepted_at to the end of the scenario's last piece of work")
                      .Labels(Constant(arch, service))
                      .Register(*registry_)),
      published_(prometheus::BuildCounter()
                     .Name("flowbench_messages_published_total")
                     .Help("Messages published and confirmed by the broker")
                     .Labels(Constant(arch, service))
                     .Register(*registry_)),
      consumed_(prometheus::BuildCounter()
                    .Name("flowbench_messages_consumed_total")
                    .Help("Messages consumed, by queue and outcome (ok, retried, dead_lettered, "
                          "duplicate, withdrawn)")
                    .Labels(Constant(arch, service))
                    .Register(*registry_)),
      handling_(prometheus::BuildHistogram()
                    .Name("flowbench_message_handling_seconds")
                    .Help("Time a consumer spent handling one message")
                    .Labels(Constant(arch, service))
                    .Register(*registry_)),
      downstream_duration_(prometheus::BuildHistogram()
                               .Name("flowbench_downstream_request_duration_seconds")
                               .Help("Blocking HTTP calls to another service, by target")
                               .Labels(Constant(arch, service))
                               .Register(*registry_)),
      downstream_failures_(prometheus::BuildCounter()
                               .Name("flowbench_downstream_failures_total")
                               .Help("Failed downstream calls, by target and reason")
                               .Labels(Constant(arch, service))
                               .Register(*registry_)),
      breaker_state_(prometheus::BuildGauge()
                         .Name("flowbench_circuit_breaker_state")
                         .Help("Circuit breaker per target: 0 closed, 1 open, 2 half-open")
                         .Labels(Constant(arch, service))
                         .Register(*registry_)),
      constant_labels_{{"arch", std::string(arch)}, {"service", std::string(service)}} {}

void Metrics::ObserveHttpRequest(std::string_view method, std::string_view route, int status,
                                 double seconds) {
  std::string_view method_label = MethodLabel(method);
  std::string status_label = std::to_string(status);
  http_requests_series_
      .Find(KeyOf({method_label, route, status_label}),
            [&]() -> prometheus::Counter& {
              return http_requests_.Add({{"method", std::string(method_label)},
                                         {"route", std::string(route)},
                                         {"status", status_label}});
            })
      .Increment();
  http_duration_series_
      .Find(KeyOf({method_label, route}),
            [&]() -> prometheus::Histogram& {
              return http_duration_.Add(
                  {{"method", std::string(method_label)}, {"route", std::string(route)}},
                  LatencyBuckets());
            })
      .Observe(seconds);
}

void Metrics::ObserveScenarioCompletion(std::string_view scenario, double seconds) {
  completion_series_
      .Find(KeyOf({scenario}),
            [&]() -> prometheus::Histogram& {
              return completion_.Add({{"scenario", std::string(scenario)}}, CompletionBuckets());
            })
      .Observe(seconds);
}

void Metrics::CountPublished(std::string_view exchange, std::string_view routing_key) {
  published_series_
      .Find(KeyOf({exchange, routing_key}),
            [&]() -> prometheus::Counter& {
              return published_.Add(
                  {{"exchange", std::string(exchange)}, {"routing_key", std::string(routing_key)}});
            })
      .Increment();
}

void Metrics::CountConsumed(std::string_view queue, std::string_view outcome) {
  consumed_series_
      .Find(KeyOf({queue, outcome}),
            [&]() -> prometheus::Counter& {
              return consumed_.Add(
                  {{"queue", std::string(queue)}, {"outcome", std::string(outcome)}});
            })
      .Increment();
}

void Metrics::ObserveMessageHandling(std::string_view queue, double seconds) {
  handling_series_
      .Find(KeyOf({queue}),
            [&]() -> prometheus::Histogram& {
              return handling_.Add({{"queue", std::string(queue)}}, LatencyBuckets());
            })
      .Observe(seconds);
}

void Metrics::ObserveDownstreamRequest(std::string_view target, double seconds) {
  downstream_duration_series_
      .Find(KeyOf({target}),
            [&]() -> prometheus::Histogram& {
              return downstream_duration_.Add({{"target", std::string(target)}}, LatencyBuckets());
            })
      .Observe(seconds);
}

void Metrics::CountDownstreamFailure(std::string_view target, std::string_view reason) {
  downstream_failures_series_
      .Find(KeyOf({target, reason}),
            [&]() -> prometheus::Counter& {
              return downstream_failures_.Add(
                  {{"target", std::string(target)}, {"reason", std::string(reason)}});
            })
      .Increment();
}

void Metrics::SetCircuitBreakerState(std::string_view target, int state) {
  breaker_state_series_
      .Find(KeyOf({target}),
            [&]() -> prometheus::Gauge& {
              return breaker_state_.Add({{"target", std::string(target)}});
            })
      .Set(state);
}

// The span exporter's drops are counted process-wide (tracing.cpp, beside the exporter), so
// the family is built at scrape time from that count, with this registry's constant labels.
namespace {

prometheus::MetricFamily SpansDroppedFamily(
    const std::vector<prometheus::ClientMetric::Label>& labels) {
  prometheus::ClientMetric sample;
  sample.label = labels;
  sample.counter.value = static_cast<double>(SpansDropped());
  return {"flowbench_otlp_spans_dropped_total",
          "Finished spans not exported: the OTLP exporter's bounded queue was full",
          prometheus::MetricType::Counter,
          {std::move(sample)}};
}

}  // namespace

std::string Metrics::Exposition() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (prometheus::MetricFamily& f : process_.Collect()) families.push_back(std::move(f));
  families.push_back(SpansDroppedFamily(constant_labels_));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace flowbench
