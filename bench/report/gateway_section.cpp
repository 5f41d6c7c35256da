#include "bench/report/gateway_section.hpp"

#include <algorithm>
#include <cstdio>

#include "bench/report/aggregate.hpp"

namespace flowbench::report {
namespace {

// The gateway's own time is tens of microseconds: milliseconds would show it as 0.0.
std::string Micros(double seconds) {
  char text[32];
  if (seconds < 1e-3) {
    std::snprintf(text, sizeof text, "%.0f µs", seconds * 1e6);
  } else {
    std::snprintf(text, sizeof text, "%.2f ms", seconds * 1e3);
  }
  return text;
}

std::string Share(double part, double whole) { return whole > 0 ? Percent(part / whole) : "—"; }

}  // namespace

std::string EntryPointText(const RunResults& r) {
  bool any = std::any_of(r.runs.begin(), r.runs.end(),
                         [](const ProfileRun& run) { return run.gateway.has_value(); });
  if (!any) return "straight to each build's services";
  return "through an API gateway per build (flowbench-gateway: JWT checked on every request, "
         "routed by path); see \"Gateway hop\"";
}

void GatewaySection(std::ostringstream& md, const RunResults& r) {
  bool any = std::any_of(r.runs.begin(), r.runs.end(),
                         [](const ProfileRun& run) { return run.gateway.has_value(); });
  if (!any) return;
  md << "## Gateway hop\n\n"
     << "Every scenario request went through the build's gateway with a Bearer token. *added* is "
        "the gateway's own time per forwarded request, from the request read to the answer "
        "written, less the exchange with the service (its histogram "
        "`flowbench_gateway_added_seconds`, read before and after the run; buckets 10 % apart). "
        "The extra loopback hop between the driver and the gateway is not in it. *share* is "
        "added p50 / answer p50 (and p99 / p99) of all scenarios together; *forwarded* "
        "includes the warm-up.\n\n"
     << "| arch | profile | repeat | forwarded | added p50 | added p99 | answer p50 | answer p99 "
        "| share of p50 | share of p99 |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const ProfileRun& run : r.runs) {
    if (!run.gateway) continue;
    const GatewayHop& g = *run.gateway;
    md << "| " << run.arch << " | " << run.profile << " | " << run.repeat << " | " << g.forwarded
       << " | ";
    if (!g.added) {
      md << "not measured | not measured | " << Millis(run.overall.p50) << " | "
         << Millis(run.overall.p99) << " | — | — |\n";
      continue;
    }
    md << Micros(g.added->p50) << " | " << Micros(g.added->p99) << " | " << Millis(run.overall.p50)
       << " | " << Millis(run.overall.p99) << " | " << Share(g.added->p50, run.overall.p50) << " | "
       << Share(g.added->p99, run.overall.p99) << " |\n";
  }
  md << "\n";
}

}  // namespace flowbench::report
