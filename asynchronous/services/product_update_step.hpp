// The one step search, cache and analytics each take for a product_updated from the fan-out
// exchange: their waiting work (a timer), then their part recorded; the last of the three
// to finish records scenario 3's completion.
#pragma once

#include <string_view>

#include "asynchronous/runtime/fan_in.hpp"
#include "asynchronous/runtime/service.hpp"
#include "common/telemetry/span.hpp"

namespace flowbench::async {

inline MessageHandler ProductUpdateStep(ServiceContext& ctx, std::string_view part,
                                        std::chrono::milliseconds work) {
  return [&ctx, part, work](const IncomingMessage& message) -> Task<Outcome> {
    PayloadAs<ProductUpdated>(message.envelope);  // validates it
    RecordSpan(message.trace, span::kWait,
               std::string(part) + " work on the update (" + std::to_string(work.count()) +
                   " ms, a timer: no thread waits)");
    co_await Wait(work);
    PartDone done = co_await ctx.Transact([&](pqxx::work& tx) {
      return FinishPart(tx, part, message.envelope.message_id, {"search", "cache", "analytics"});
    });
    if (!done.first_time) co_return Outcome::kDuplicate;
    if (done.all_done) ctx.ObserveCompletion("scenario3", message.envelope.accepted_at);
    co_return Outcome::kDone;
  };
}

}  // namespace flowbench::async
