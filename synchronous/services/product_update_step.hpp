// The one step search, cache and analytics each take when the product service tells them
// about an update (scenario 3): their waiting work, then the answer {"<reply_key>": id}.
// Telling them twice is harmless, so product may retry the idempotent ones.
#pragma once

#include "common/domain/json_fields.hpp"
#include "common/scenarios/step_names.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {

inline Reply ProductUpdateStep(Service& service, const Request& request, const FanOutPart& part) {
  boost::json::object json = ParseJsonObject(request.body());
  std::int64_t product_id = JsonFields(json).Integer("id");
  Wait(request.trace(), part.work, service.workload().*part.delay);
  return Reply{200, {{part.reply_key, product_id}}};
}

// Serves POST <part.sync_path> {"id", "name", "stock"}.
inline void AddProductUpdateStep(Service& service, const FanOutPart& part) {
  service.Post(std::string(part.sync_path), [&part](Service& s, const Request& request) {
    return ProductUpdateStep(s, request, part);
  });
}

}  // namespace flowbench::sync
