// libFuzzer target: `flowbench compare --threshold EXPR`. A threshold either parses or is
// refused with std::invalid_argument; a parsed one evaluates against a run without data
// (a breach, never a pass).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "bench/compare/threshold.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace compare = flowbench::compare;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  compare::Threshold threshold;
  try {
    threshold = compare::ParseThreshold(text);
  } catch (const std::invalid_argument&) {  // the documented refusal, with its explanation
    return 0;
  }
  compare::ThresholdVerdict verdict = compare::EvaluateThreshold(threshold, compare::RunSummary{});
  if (verdict.passed) std::abort();  // a gate on no samples gates nothing
  return 0;
}
