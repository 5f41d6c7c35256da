// The "Gateway hop" section of the Markdown report (and, through it, of the HTML one), for
// runs that went through an API gateway (`run --gateway`): per run, the requests it forwarded
// and its own time per request (p50, p99; from the request read to the answer written, less
// the exchange with the service), next to the answer latency the driver measured and the
// hop's share of it.
#pragma once

#include <sstream>
#include <string>

#include "bench/report/results.hpp"

namespace flowbench::report {

// "through an API gateway per build ..." or "straight to the services": the design table's
// entry point row.
std::string EntryPointText(const RunResults& r);

void GatewaySection(std::ostringstream& md, const RunResults& r);

}  // namespace flowbench::report
