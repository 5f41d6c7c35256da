// analytics (scenarios 6 and 3).
//  - POST /track_click writes one row per click before answering (unless --write-clicks
//    false, which reproduces the original study); GET /clicks/count;
//  - when product calls it, logs a product update (a waiting step).
//
// Serves (internal): POST /log_update {"id", "name", "stock"} -> 200 {"logged": id}.
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/service.hpp"
#include "synchronous/services/product_update_step.hpp"

namespace flowbench::sync {
namespace {

// One INSERT per click, before the answer.
Reply TrackClick(Service& service, const Request& request) {
  ClickRequest click = ParseClickRequest(request.body());
  if (service.workload().write_clicks) {
    std::vector<ClickRow> rows{{click, request.accepted_at(), {}, request.request_id()}};
    // One statement: autocommit, not BEGIN, INSERT, COMMIT (three round trips).
    service.Autocommit([&](pqxx::nontransaction& tx) { return InsertClicks(tx, rows); });
    RecordSpan(request.trace(), span::kWrite, "clicks row inserted (one INSERT per request)",
               {{"table", "clicks"}});
  }
  service.CompleteScenario(scenario::kClickBuffering, request, WorkOutcome::kDone);
  return Reply{200, {{"status", "tracked"}}};
}

Reply GetClickCount(Service& service, const Request&) {
  return service.Transact([](pqxx::work& tx) { return ClickCountReply(tx); });
}

void AddRoutes(Service& service) {
  service.Post("/track_click", TrackClick);
  service.Get("/clicks/count", GetClickCount);
  AddProductUpdateStep(service, kAnalyticsPart);
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("analytics", argc, argv, flowbench::sync::AddRoutes);
}
