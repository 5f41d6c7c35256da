// libFuzzer target: k6's `--out json` stream, line by line through the aggregator, then the
// summary. A line that is not k6 output is a K6FormatError naming it; nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bench/k6/k6_error.hpp"
#include "bench/k6/ndjson_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  flowbench::k6::NdjsonAggregator aggregator;
  std::uint64_t line_number = 0;
  try {
    while (!rest.empty()) {
      std::size_t newline = rest.find('\n');
      std::string_view line = rest.substr(0, newline);
      rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
      aggregator.FeedLine(line, ++line_number);
    }
  } catch (
      const flowbench::k6::K6FormatError&) {  // the documented refusal; summarise what came before
  }
  (void)aggregator.Finish("fuzz");
  return 0;
}
