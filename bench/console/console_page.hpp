// The console's one page (HTML, CSS and script in one string, in the binary): the results
// list, a report, two runs compared, and the live view of a running experiment.
#pragma once

#include <string_view>

namespace flowbench::console {

std::string_view ConsolePage();

}  // namespace flowbench::console
