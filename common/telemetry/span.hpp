// One hop of a request's journey (received, called, published, consumed, written, waited,
// compensated), written as a structured log line with the request's trace id:
//   {"ts":..., "service":"order", "trace_id":"...", "span":"call", "msg":"inventory POST /reserve"}
// `flowbench demo` reads these back from the services' log files to narrate the timeline.
// Only sampled traces (W3C flag 01, which the demo sets) write spans: benchmark load, whose
// requests carry no traceparent, pays nothing for them.
#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "common/telemetry/trace.hpp"

namespace flowbench {

// The kinds of hop the demo knows how to narrate.
namespace span {
inline constexpr std::string_view kReceived = "received";      // a request arrived
inline constexpr std::string_view kAnswered = "answered";      // its response left
inline constexpr std::string_view kCall = "call";              // a blocking call to a peer
inline constexpr std::string_view kCallDone = "call.done";     // ... and its answer
inline constexpr std::string_view kPublish = "publish";        // a message confirmed by the broker
inline constexpr std::string_view kConsume = "consume";        // a consumer took a message
inline constexpr std::string_view kAck = "ack";                // ... and acknowledged it
inline constexpr std::string_view kWrite = "write";            // a database write committed
inline constexpr std::string_view kWait = "wait";              // a simulated waiting step
inline constexpr std::string_view kCompute = "compute";        // a CPU step
inline constexpr std::string_view kCompensate = "compensate";  // a saga compensation
}  // namespace span

void RecordSpan(const TraceContext& trace, std::string_view kind, std::string_view text,
                const boost::json::object& fields = {});

}  // namespace flowbench
