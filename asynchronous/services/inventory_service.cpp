// inventory (scenario 5, saga participant): reserves the stock of each order_created and
// publishes stock_reserved; releases it again for each payment_failed. Reservations and
// releases are one atomic UPDATE each in PostgreSQL (ReserveStock/ReleaseStock), never
// read-modify-write, so concurrent orders cannot lose one. GET /inventory/{id} reads it.
//
// Each is recorded with the message id in the same transaction as its effect, so a
// redelivery never reserves or releases twice. The release is one of the two parts of a
// failed order (with the order service's): the later of the two records the completion.
//
// Consumes: order_created_queue, inventory_payment_failed_queue.
#include "asynchronous/runtime/fan_in.hpp"
#include "asynchronous/runtime/service.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/step_names.hpp"
#include "common/scenarios/stores.hpp"

namespace flowbench::async {
namespace {

Task<Outcome> ReserveStock(Service& service, const IncomingMessage& message) {
  auto order = PayloadAs<OrderCreated>(message.envelope);
  std::optional<std::int64_t> reserved_now = co_await service.Transact([&](pqxx::work& tx) {
    if (!MarkMessageProcessed(tx, step::kInventoryReserve, message.envelope.message_id)) {
      return std::optional<std::int64_t>();
    }
    return std::optional<std::int64_t>(
        flowbench::ReserveStock(tx, order.product_id, order.quantity));
  });
  const bool first = reserved_now.has_value();
  if (first) narrate::StockReserved(message.trace, order.product_id, *reserved_now);
  // Published on a duplicate too: the first handling may have stopped before publishing;
  // its id is derived, so payment sees a second copy as the same message.
  StockReserved reserved;
  static_cast<OrderLine&>(reserved) = order;
  Origin next = Origin::Following(message, "stock_reserved");
  co_await service.Publish(topology::kStockReserved, reserved, next);
  co_return first ? Outcome::kDone : Outcome::kDuplicate;
}

Task<Outcome> ReleaseStock(Service& service, const IncomingMessage& message) {
  auto event = PayloadAs<PaymentFailed>(message.envelope);
  std::int64_t reserved_after = 0;
  PartDone done = co_await service.Transact([&](pqxx::work& tx) {
    PartDone part =
        FinishPart(tx, kInventoryReleasePart, message.envelope.message_id, kFailedOrderParts);
    if (part.first_time) {
      reserved_after = flowbench::ReleaseStock(tx, event.product_id, event.quantity);
    }
    return part;
  });
  if (!done.first_time) co_return Outcome::kDuplicate;
  narrate::StockReleased(message.trace, event.product_id, reserved_after);
  if (done.all_done) {
    service.CompleteScenario(scenario::kOrderSaga, message, WorkOutcome::kCompensated);
  }
  co_return Outcome::kDone;
}

Task<Reply> GetStock(Service& service, const Request& request) {
  std::int64_t product_id = request.PathId("product");
  co_return co_await service.Transact([&](pqxx::work& tx) { return StockReply(tx, product_id); });
}

void AddRoutes(Service& service) {
  service.Consume(topology::kOrderCreatedQueue, ReserveStock);
  service.Consume(topology::kInventoryPaymentFailedQueue, ReleaseStock);
  service.Get("/inventory/{id}", GetStock);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("inventory", argc, argv, flowbench::async::AddRoutes);
}
