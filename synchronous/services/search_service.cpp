// The search service: reindexes an updated product, which takes search_reindex_delay of
// waiting. Reindexing the same product twice is harmless, so callers may retry.
//
// Serves: POST /reindex {"id", "name", "stock"} -> 200 {"reindexed": id}.
#include <thread>

#include "common/domain/json_fields.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

void AddRoutes(Service& service) {
  service.Post("/reindex", [&](const Call& call) {
    boost::json::object json = ParseJsonObject(call.body());
    std::int64_t product_id = JsonFields(json).Integer("id");
    RecordSpan(call.trace(), span::kWait,
               "search reindex (" +
                   std::to_string(service.workload().search_reindex_delay.count()) +
                   " ms, blocking this thread)");
    std::this_thread::sleep_for(service.workload().search_reindex_delay);
    return Reply{200, {{"reindexed", product_id}}};
  });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("search", argc, argv, flowbench::sync::AddRoutes);
}
