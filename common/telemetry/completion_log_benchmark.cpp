// What recording one completion costs a service (both builds pay it once per request), and
// what reading a page of 10,000 costs when the driver collects them.
#include <benchmark/benchmark.h>

#include "common/telemetry/completion_log.hpp"

namespace flowbench {
namespace {

void BM_RecordCompletion(benchmark::State& state) {
  CompletionLog log;
  std::string id = "0123456789abcdef-000001";
  for (auto _ : state) log.Record(id, "scenario6", WorkOutcome::kDone, 1);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordCompletion);
BENCHMARK(BM_RecordCompletion)->Threads(2);

void BM_ReadPageAsJson(benchmark::State& state) {
  CompletionLog log;
  for (int i = 0; i < 10'000; ++i)
    log.Record("id-" + std::to_string(i), "scenario1", WorkOutcome::kDone, i);
  for (auto _ : state) {
    benchmark::DoNotOptimize(boost::json::serialize(ToJson(log.After(0, 10'000))));
  }
  state.SetItemsProcessed(state.iterations() * 10'000);
}
BENCHMARK(BM_ReadPageAsJson);

}  // namespace
}  // namespace flowbench

BENCHMARK_MAIN();
