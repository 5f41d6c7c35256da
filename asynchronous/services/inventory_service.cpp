// inventory (scenario 5, saga participant): reserves stock for each order_created (one atomic
// UPDATE, recorded with the message id in the same transaction, so a redelivery never
// reserves twice) and publishes stock_reserved; releases it again for each payment_failed.
// GET /inventory/{product_id}.
#include "asynchronous/runtime/fan_in.hpp"
#include "asynchronous/runtime/service.hpp"
#include "common/domain/errors.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"

using namespace flowbench;
using namespace flowbench::async;

int main(int argc, char** argv) {
  return RunService("inventory", argc, argv, [](ServiceContext& ctx) {
    ctx.Get("/inventory/{product_id}", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      std::int64_t id = request.IdParam("product_id");
      std::optional<std::int64_t> reserved =
          co_await ctx.Transact([id](pqxx::work& tx) { return FindReserved(tx, id); });
      if (!reserved) throw NotFound("product " + std::to_string(id) + " does not exist");
      co_return JsonResponse(200, {{"product_id", id}, {"reserved", *reserved}});
    });

    ctx.Consume(
        topology::kOrderCreatedQueue, [&ctx](const IncomingMessage& message) -> Task<Outcome> {
          auto order = PayloadAs<OrderCreated>(message.envelope);
          std::optional<std::int64_t> reserved_now = co_await ctx.Transact([&](pqxx::work& tx) {
            if (!MarkMessageProcessed(tx, "inventory_reserve", message.envelope.message_id)) {
              return std::optional<std::int64_t>();
            }
            return std::optional<std::int64_t>(ReserveStock(tx, order.product_id, order.quantity));
          });
          const bool first = reserved_now.has_value();
          if (first) {
            RecordSpan(message.trace, span::kWrite,
                       "stock reserved: product " + std::to_string(order.product_id) +
                           " reserved " + std::to_string(*reserved_now),
                       {{"table", "inventory"},
                        {"product_id", order.product_id},
                        {"reserved", *reserved_now}});
          }
          // Published on a duplicate too: the first handling may have stopped before publishing;
          // its id is derived, so payment sees a second copy as the same message.
          StockReserved reserved;
          static_cast<OrderLine&>(reserved) = order;
          Origin next = Origin::Following(message, "stock_reserved");
          co_await ctx.Publish(topology::kStockReserved, reserved, next);
          co_return first ? Outcome::kDone : Outcome::kDuplicate;
        });

    ctx.Consume(topology::kInventoryPaymentFailedQueue,
                [&ctx](const IncomingMessage& message) -> Task<Outcome> {
                  auto event = PayloadAs<PaymentFailed>(message.envelope);
                  std::int64_t reserved_after = 0;
                  PartDone done = co_await ctx.Transact([&](pqxx::work& tx) {
                    PartDone part = FinishPart(tx, "inventory_release", message.envelope.message_id,
                                               {"order_fail", "inventory_release"});
                    if (part.first_time)
                      reserved_after = ReleaseStock(tx, event.product_id, event.quantity);
                    return part;
                  });
                  if (!done.first_time) co_return Outcome::kDuplicate;
                  RecordSpan(message.trace, span::kCompensate,
                             "stock released: product " + std::to_string(event.product_id) +
                                 " reserved back to " + std::to_string(reserved_after),
                             {{"table", "inventory"},
                              {"product_id", event.product_id},
                              {"reserved", reserved_after}});
                  if (done.all_done)
                    ctx.ObserveCompletion("scenario5", message.envelope.accepted_at);
                  co_return Outcome::kDone;
                });
  });
}
