// Figures across repeats: a report shows mean ± standard deviation over the repeats of one
// architecture x profile, like the original study, and says how many repeats there were.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bench/report/results.hpp"

namespace flowbench::report {

struct MeanSd {
  double mean = 0;
  double sd = 0;  // sample standard deviation; 0 with one repeat
  int n = 0;
};

MeanSd Across(const std::vector<const ProfileRun*>& runs,
              const std::function<double(const ProfileRun&)>& figure);

// Formatting shared by the Markdown and HTML reports.
std::string Millis(double seconds);         // "12.3 ms", "1.25 s"
std::string Millis(const MeanSd& seconds);  // "12.3 ± 0.4 ms"
std::string Percent(double fraction);       // "3.50 %"
std::string Percent(const MeanSd& fraction);
std::string Number(double value, int decimals = 1);
std::string Ratio(double a, double b);  // "12.0x", or "-" when b is 0

// The architectures and scenarios present in the results, in contract order.
std::vector<std::string> Archs(const RunResults& results);
std::vector<std::string> ScenarioIds(const RunResults& results);

}  // namespace flowbench::report
