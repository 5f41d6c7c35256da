#include "bench/limits/physical_limits.hpp"

namespace flowbench::limits {

std::vector<sweep::PhysicalLimit> MeasurePhysicalLimits(const LimitProbeOptions& options) {
  std::vector<sweep::PhysicalLimit> limits;
  limits.push_back(MeasureHttpLimit(options));
  limits.push_back(MeasureBrokerLimit(options));
  limits.push_back(MeasureDatabaseLimit(options));
  return limits;
}

}  // namespace flowbench::limits
