// The "Faults" section of the Markdown report (and, through it, of the HTML one): for each
// run that had `--fault`, the window of each fault, what was answered and failed during and
// after it, how long until answers recovered, the drain, and what became of every accepted
// request.
#pragma once

#include <sstream>

#include "bench/report/results.hpp"

namespace flowbench::report {

void FaultsSection(std::ostringstream& md, const RunResults& r);

}  // namespace flowbench::report
