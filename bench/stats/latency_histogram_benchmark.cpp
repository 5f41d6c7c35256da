// The cost of recording one latency on the hot path, and of merging two histograms.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "bench/stats/latency_histogram.hpp"

namespace {

using flowbench::stats::LatencyHistogram;

void BM_HistogramRecord(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> latency(std::log(2e6), 1.0);
  std::vector<std::int64_t> values(4096);
  for (auto& v : values) v = static_cast<std::int64_t>(latency(rng));
  LatencyHistogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.Record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(h.Count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramMerge(benchmark::State& state) {
  LatencyHistogram a, b;
  for (int i = 1; i < 100'000; ++i) b.Record(i * 997);
  for (auto _ : state) a.Merge(b);
  benchmark::DoNotOptimize(a.Count());
}
BENCHMARK(BM_HistogramMerge);

void BM_HistogramP99(benchmark::State& state) {
  LatencyHistogram h;
  for (int i = 1; i < 100'000; ++i) h.Record(i * 997);
  for (auto _ : state) benchmark::DoNotOptimize(h.Percentile(99));
}
BENCHMARK(BM_HistogramP99);

}  // namespace

BENCHMARK_MAIN();
