// The metrics of CONTRACT.md §5 on prometheus-cpp. Every series carries the constant labels
// `arch` and `service`, so one dashboard and one PromQL query can put the builds side by side.
// Each service serves Exposition() on its own /metrics route (one port per service).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/telemetry/process_metrics.hpp"

namespace flowbench {

class Metrics {
 public:
  Metrics(std::string_view arch, std::string_view service);

  // Both builds. `method` outside GET, POST, PUT, DELETE, PATCH, HEAD and OPTIONS is counted
  // as OTHER; `route` must come from a fixed set too (the route patterns and "unmatched").
  void ObserveHttpRequest(std::string_view method, std::string_view route, int status,
                          double seconds);
  // From `accepted_at` to the end of the scenario's last piece of work.
  void ObserveScenarioCompletion(std::string_view scenario, double seconds);

  // Async build.
  void CountPublished(std::string_view exchange, std::string_view routing_key);
  // outcome: ok | retried | dead_lettered | duplicate
  void CountConsumed(std::string_view queue, std::string_view outcome);
  void ObserveMessageHandling(std::string_view queue, double seconds);

  // Sync build.
  void ObserveDownstreamRequest(std::string_view target, double seconds);
  void CountDownstreamFailure(std::string_view target, std::string_view reason);
  // 0 closed, 1 open, 2 half-open
  void SetCircuitBreakerState(std::string_view target, int state);

  prometheus::Registry& registry() { return *registry_; }

  // Prometheus text format 0.0.4, for GET /metrics: our families and the process's own.
  std::string Exposition() const;
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // Latency buckets: 0.5 ms growing by 25 % to ~10 min (64 buckets; an interpolated
  // percentile is within 25 % of the exact value), for Grafana's histogram_quantile.
  static const prometheus::Histogram::BucketBoundaries& LatencyBuckets();
  // Completion buckets: 0.5 ms growing by 10 % to ~80 min (170 buckets). The driver's
  // completion percentiles are read off these, so they are finer: an interpolated percentile
  // is within 10 % of the exact value. Few series carry them (one per scenario and service).
  static const prometheus::Histogram::BucketBoundaries& CompletionBuckets();

 private:
  // The series of one family by their label values. prometheus-cpp's Family::Add builds the
  // series (a histogram: all its buckets) before it looks for an existing one, and takes a
  // label map: per request, that was ~15k instructions of a click. Series are never removed,
  // so a pointer found once stays valid for the life of the registry.
  template <typename T>
  class SeriesCache {
   public:
    // `key` joins the label values (KeyOf); `add` registers the series when it is new.
    template <typename Add>
    T& Find(const std::string& key, Add&& add) {
      std::lock_guard lock(mutex_);
      auto it = series_.find(key);
      if (it != series_.end()) return *it->second;
      T& series = add();
      series_.emplace(key, &series);
      return series;
    }

   private:
    std::mutex mutex_;
    std::unordered_map<std::string, T*> series_;
  };

  std::shared_ptr<prometheus::Registry> registry_;
  ProcessMetrics process_;
  prometheus::Family<prometheus::Counter>& http_requests_;
  prometheus::Family<prometheus::Histogram>& http_duration_;
  prometheus::Family<prometheus::Histogram>& completion_;
  prometheus::Family<prometheus::Counter>& published_;
  prometheus::Family<prometheus::Counter>& consumed_;
  prometheus::Family<prometheus::Histogram>& handling_;
  prometheus::Family<prometheus::Histogram>& downstream_duration_;
  prometheus::Family<prometheus::Counter>& downstream_failures_;
  prometheus::Family<prometheus::Gauge>& breaker_state_;

  SeriesCache<prometheus::Counter> http_requests_series_;
  SeriesCache<prometheus::Histogram> http_duration_series_;
  SeriesCache<prometheus::Histogram> completion_series_;
  SeriesCache<prometheus::Counter> published_series_;
  SeriesCache<prometheus::Counter> consumed_series_;
  SeriesCache<prometheus::Histogram> handling_series_;
  SeriesCache<prometheus::Histogram> downstream_duration_series_;
  SeriesCache<prometheus::Counter> downstream_failures_series_;
  SeriesCache<prometheus::Gauge> breaker_state_series_;
  // arch and service, for the families built at scrape time (flowbench_otlp_spans_dropped_total)
  std::vector<prometheus::ClientMetric::Label> constant_labels_;
};

}  // namespace flowbench
