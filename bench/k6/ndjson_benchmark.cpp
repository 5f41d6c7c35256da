// k6 NDJSON import rate (target >= 100 MB/s): lines of the real k6 v0.47 shape, from memory
// (parse and aggregate only) and from a gzip file (zlib included).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <random>
#include <string>

#include "bench/k6/k6_samples.hpp"
#include "bench/k6/ndjson_reader.hpp"

namespace {

std::string SyntheticStream(std::size_t lines) {
  std::mt19937 rng(3);
  std::lognormal_distribution<double> ms(0.0, 1.0);
  const char* metrics[] = {"http_req_duration", "http_req_waiting", "http_req_blocked",
                           "http_reqs"};
  std::string out;
  for (const char* m : metrics) {
    out += R"({"type":"Metric","data":{"name":")" + std::string(m) + R"(","type":")" +
           (std::string(m) == "http_reqs" ? "counter" : "trend") +
           R"(","contains":"time","thresholds":[],"submetrics":null},"metric":")" + m + "\"}\n";
  }
  for (std::size_t i = 0; i < lines; ++i) {
    out +=
        R"({"metric":")" + std::string(metrics[i % 4]) +
        R"(","type":"Point","data":{"time":"2026-11-21T08:55:51.603412233Z","value":)" +
        std::to_string(ms(rng)) +
        R"(,"tags":{"expected_response":"true","group":"","method":"POST","name":"http://127.0.0.1:18999/track_click","proto":"HTTP/1.1","scenario":"scenario)" +
        std::to_string(i % 6 + 1) +
        R"(","status":"200","url":"http://127.0.0.1:18999/track_click"}}})" + "\n";
  }
  return out;
}

void BM_NdjsonParseFromMemory(benchmark::State& state) {
  std::string stream = SyntheticStream(20'000);
  for (auto _ : state) {
    flowbench::k6::NdjsonAggregator aggregator;
    std::string_view rest = stream;
    std::uint64_t line = 0;
    while (!rest.empty()) {
      std::size_t end = rest.find('\n');
      aggregator.FeedLine(rest.substr(0, end), ++line);
      rest.remove_prefix(end + 1);
    }
    benchmark::DoNotOptimize(aggregator.Points());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_NdjsonParseFromMemory)->Unit(benchmark::kMillisecond);

void BM_NdjsonReadGzipFile(benchmark::State& state) {
  std::string stream = SyntheticStream(20'000);
  auto path = flowbench::k6::testing::WriteTempFile("bench.ndjson.gz", stream, true);
  for (auto _ : state) {
    benchmark::DoNotOptimize(flowbench::k6::ReadNdjsonFile(path).metrics.size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
  std::filesystem::remove(path);
}
BENCHMARK(BM_NdjsonReadGzipFile)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
