// The cache service: invalidates an updated product's entries, which takes
// cache_invalidation_delay of waiting. Invalidating twice is harmless, so callers may retry.
//
// Serves: POST /invalidate {"id", ...} -> 200 {"invalidated": id}.
#include <thread>

#include "common/domain/json_fields.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

void AddRoutes(Service& service) {
  service.Post("/invalidate", [&](const Call& call) {
    boost::json::object json = ParseJsonObject(call.body());
    std::int64_t product_id = JsonFields(json).Integer("id");
    RecordSpan(call.trace(), span::kWait,
               "cache invalidation (" +
                   std::to_string(service.workload().cache_invalidation_delay.count()) +
                   " ms, blocking this thread)");
    std::this_thread::sleep_for(service.workload().cache_invalidation_delay);
    return Reply{200, {{"invalidated", product_id}}};
  });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("cache", argc, argv, flowbench::sync::AddRoutes);
}
