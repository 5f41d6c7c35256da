// libFuzzer target: flowbench's results.json as an input of `flowbench compare`, read whole
// and with a build selector. A malformed file is a K6FormatError; nothing else may escape.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bench/k6/flowbench_results_reader.hpp"
#include "bench/k6/k6_error.hpp"

namespace {

void Read(const boost::json::value& document, const std::string& selector) {
  try {
    (void)flowbench::k6::FlowbenchResultsFromJson(document, "fuzz.json", selector);
  } catch (const flowbench::k6::K6FormatError&) {  // the documented refusal
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code error;
  boost::json::value document =
      boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), error);
  if (error || !flowbench::k6::LooksLikeFlowbenchResults(document)) return 0;
  Read(document, "");
  Read(document, "async");
  Read(document, "sync/baseline");
  return 0;
}
