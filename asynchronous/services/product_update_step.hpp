// The one step search, cache and analytics each take for a product_updated from the fan-out
// exchange (scenario 3): their waiting work (a timer), then their part recorded; the last
// of the three to finish records the scenario's completion. A redelivery is a duplicate.
#pragma once

#include <string_view>

#include "asynchronous/runtime/fan_in.hpp"
#include "asynchronous/runtime/service.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/step_names.hpp"

namespace flowbench::async {

inline Task<Outcome> ProductUpdateStep(Service& service, const IncomingMessage& message,
                                       const FanOutPart& part) {
  PayloadAs<ProductUpdated>(message.envelope);  // validates it
  co_await Wait(message.trace, part.work, service.workload().*part.delay);
  PartDone done = co_await service.Transact([&](pqxx::work& tx) {
    return FinishPart(tx, part.name, message.envelope.message_id, kProductUpdateParts);
  });
  if (!done.first_time) co_return Outcome::kDuplicate;
  if (done.all_done) {
    service.CompleteScenario(scenario::kProductFanOut, message, WorkOutcome::kDone);
  }
  co_return Outcome::kDone;
}

// Consumes `queue`, the part's own copy of every product_updated.
inline void AddProductUpdateStep(Service& service, std::string_view queue, const FanOutPart& part) {
  service.Consume(queue, [&part](Service& s, const IncomingMessage& message) {
    return ProductUpdateStep(s, message, part);
  });
}

}  // namespace flowbench::async
