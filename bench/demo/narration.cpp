#include "bench/demo/narration.hpp"

#include <cstdio>

#include "common/telemetry/span.hpp"

namespace flowbench::demo {

std::string_view HopVerb(std::string_view kind) {
  if (kind == kClientRequest) return "-> request";
  if (kind == kClientAnswer) return "<- answer";
  if (kind == span::kReceived) return "<- request";
  if (kind == span::kAnswered) return "-> answer";
  if (kind == span::kCall) return "-> call";
  if (kind == span::kCallDone) return "<- reply";
  if (kind == span::kPublish) return "=> publish";
  if (kind == span::kConsume) return "<= consume";
  if (kind == span::kAck) return "   ack";
  if (kind == span::kWrite) return "   db write";
  if (kind == span::kWait) return ".. wait";
  if (kind == span::kCompute) return "   cpu";
  if (kind == span::kCompensate) return "!! compensate";
  return "   ?";
}

std::string RelativeTime(SystemTime at, SystemTime origin) {
  double ms = std::chrono::duration<double, std::milli>(at - origin).count();
  char text[32];
  std::snprintf(text, sizeof text, "%c%9.1f ms", ms < 0 ? '-' : '+', ms < 0 ? -ms : ms);
  return text;
}

std::string CompactRelativeTime(SystemTime at, SystemTime origin) {
  double ms = std::chrono::duration<double, std::milli>(at - origin).count();
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f ms", ms);
  return text;
}

std::string NarrateHop(const Hop& hop, SystemTime request_sent) {
  std::string detail = hop.text;
  // The numbers a reader wants next to the hop and that its text does not already say.
  if (hop.kind == span::kAnswered) {
    detail = hop.Field("status") + " to " + hop.text;
  } else if (hop.kind == span::kCallDone && !hop.Field("status").empty()) {
    detail = hop.Field("status") + " from " + hop.text;
  }
  char line[512];
  std::snprintf(line, sizeof line, "%s  %-10s %-14s %s", RelativeTime(hop.ts, request_sent).c_str(),
                hop.service.c_str(), std::string(HopVerb(hop.kind)).c_str(), detail.c_str());
  return line;
}

}  // namespace flowbench::demo
