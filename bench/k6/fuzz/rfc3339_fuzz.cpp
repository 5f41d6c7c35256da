// libFuzzer target: the RFC 3339 reader of k6's point times ("2026-11-21T08:55:51.603412233Z").
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bench/k6/ndjson_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)flowbench::k6::ParseRfc3339Nanos(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
