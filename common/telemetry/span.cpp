#include "common/telemetry/span.hpp"

#include "common/telemetry/log.hpp"

namespace flowbench {

void RecordSpan(const TraceContext& trace, std::string_view kind, std::string_view text,
                const boost::json::object& fields) {
  if (!trace.Sampled()) return;
  boost::json::object line = fields;
  line["span"] = kind;
  log::Write(log::Level::kInfo, text, line, trace.trace_id);
}

}  // namespace flowbench
