// libFuzzer target: the `traceparent` header of every incoming HTTP request and AMQP message.
// A header it accepts must come back unchanged through ToTraceparent (version 00), and any
// header must give a request a valid context.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "common/telemetry/trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  std::optional<flowbench::TraceContext> parsed = flowbench::ParseTraceparent(header);
  if (parsed) {
    std::optional<flowbench::TraceContext> again =
        flowbench::ParseTraceparent(parsed->ToTraceparent());
    if (!again || again->trace_id != parsed->trace_id || again->parent_id != parsed->parent_id ||
        again->flags != parsed->flags) {
      std::abort();  // what we accept, we must be able to send on
    }
  }
  flowbench::TraceContext context = flowbench::ContinueOrStartTrace(header);
  if (!flowbench::ParseTraceparent(context.ToTraceparent())) std::abort();
  return 0;
}
