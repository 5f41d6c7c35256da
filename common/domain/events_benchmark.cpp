// Event envelope encode and decode with strict validation: what every publish and every
// consume pays in the async build. Registered in CTest as a smoke run; real figures come
// from running the binary.
#include <benchmark/benchmark.h>

#include "common/domain/events.hpp"

namespace flowbench {
namespace {

Envelope SampleOrder() {
  Envelope e;
  e.message_id = NewMessageId();
  e.type = std::string(OrderCreated::kType);
  e.accepted_at = std::chrono::system_clock::now();
  e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  e.payload = ToJson(OrderCreated{{42, 1, 2}});
  return e;
}

void BM_EncodeEnvelope(benchmark::State& state) {
  Envelope e = SampleOrder();
  for (auto _ : state) benchmark::DoNotOptimize(EncodeEnvelope(e));
}
BENCHMARK(BM_EncodeEnvelope);

void BM_DecodeEnvelopeAndPayload(benchmark::State& state) {
  std::string text = EncodeEnvelope(SampleOrder());
  for (auto _ : state) {
    Envelope e = DecodeEnvelope(text);
    benchmark::DoNotOptimize(PayloadAs<OrderCreated>(e));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DecodeEnvelopeAndPayload);

}  // namespace
}  // namespace flowbench

BENCHMARK_MAIN();
