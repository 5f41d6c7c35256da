// libFuzzer target: the Prometheus text reader the driver, the demo and the tests read every
// /metrics scrape with. It never throws: a line it cannot read goes to `unreadable`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/telemetry/prometheus_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace prometheus_text = flowbench::prometheus_text;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  prometheus_text::Exposition scrape = prometheus_text::ParseText(text);
  for (const prometheus_text::Sample& sample : scrape.samples) {
    (void)scrape.Sum(sample.name, sample.labels);
    (void)sample.Label("le");
  }
  (void)prometheus_text::ParseValue(text);
  return 0;
}
