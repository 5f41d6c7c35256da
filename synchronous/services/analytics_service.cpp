// The analytics service.
// Scenario 6 (click buffering, here unbuffered): POST /track_click writes one row per click
// before answering (unless --write-clicks false, which reproduces the original study).
// Scenario 3: POST /log_update logs a product update, analytics_log_delay of waiting.
//
// Serves (internal): POST /log_update {"id", "name", "stock"} -> 200 {"logged": id}.
// Reads: GET /clicks/count.
#include <thread>

#include "common/domain/json_fields.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

void AddRoutes(Service& service) {
  service.Post("/track_click", [&](const Call& call) {
    ClickRequest click = ParseClickRequest(call.body());
    if (service.workload().write_clicks) {
      std::vector<ClickRow> row{{click, call.accepted_at(), {}}};
      service.db().Transact([&](pqxx::work& tx) { InsertClicks(tx, row); });
      RecordSpan(call.trace(), span::kWrite, "clicks row inserted (one INSERT per request)",
                 {{"table", "clicks"}});
    }
    service.CompleteScenario("scenario6", call);
    return Reply{200, {{"status", "tracked"}}};
  });

  service.Get("/clicks/count", [&](const Call&) {
    return Reply{200, {{"count", service.db().Transact(CountClicks)}}};
  });

  service.Post("/log_update", [&](const Call& call) {
    boost::json::object json = ParseJsonObject(call.body());
    std::int64_t product_id = JsonFields(json).Integer("id");
    RecordSpan(call.trace(), span::kWait,
               "analytics log of the update (" +
                   std::to_string(service.workload().analytics_log_delay.count()) +
                   " ms, blocking this thread)");
    std::this_thread::sleep_for(service.workload().analytics_log_delay);
    log::Info("product update logged", {{"product_id", product_id}}, call.trace_id());
    return Reply{200, {{"logged", product_id}}};
  });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("analytics", argc, argv, flowbench::sync::AddRoutes);
}
