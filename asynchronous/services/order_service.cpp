// order (scenario 5, saga with compensation), choreographed by events: POST /create_order
// creates the order (pending) with its order_created event in one transaction (the outbox)
// and answers 202; the relay publishes it; inventory reserves
// the stock, payment authorises. Its consumers end the saga: payment_succeeded -> confirmed;
// payment_failed -> failed, while inventory releases the stock in parallel (the later of
// the two records the completion). GET /orders/{id} reads the order.
//
// Publishes: order_created {"order_id", "product_id", "quantity"} to order_created_queue.
// Consumes: order_payment_succeeded_queue, order_payment_failed_queue.
#include "asynchronous/runtime/fan_in.hpp"
#include "asynchronous/runtime/service.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/step_names.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/log.hpp"

namespace flowbench::async {
namespace {

Task<Reply> CreateOrder(Service& service, const Request& request) {
  OrderRequest order_request = ParseOrderRequest(request.body());
  auto insert = [&](pqxx::work& tx) { return flowbench::CreateOrder(tx, order_request); };
  // The saga, started by one event: inventory and payment take it from there.
  auto start = [](const Order& order) {
    return OrderCreated{{order.id, order.product_id, order.quantity}};
  };
  Order order = co_await service.TransactWithEvent(request, topology::kOrderCreated, insert, start);
  narrate::OrderCreated(request.trace(), order);
  co_return Reply{202, ToJson(order)};
}

Task<Outcome> ConfirmOrder(Service& service, const IncomingMessage& message) {
  auto event = PayloadAs<PaymentSucceeded>(message.envelope);
  Outcome confirmed = co_await service.Transact([&](pqxx::work& tx) {
    if (!MarkMessageProcessed(tx, step::kOrderConfirm, message.envelope.message_id)) {
      return Outcome::kDuplicate;
    }
    // Only a pending order is confirmed: one failed already (its publish was refused at the
    // front, or the saga failed it) stays failed.
    return SetOrderStatus(tx, event.order_id, OrderStatus::kConfirmed) ? Outcome::kDone
                                                                       : Outcome::kRefused;
  });
  if (confirmed == Outcome::kRefused) {
    log::Warn("payment succeeded for an order that is no longer pending; left as it is",
              {{"order_id", event.order_id}, {"message_id", message.envelope.message_id}},
              message.trace.trace_id);
  }
  if (confirmed != Outcome::kDone) co_return confirmed;
  narrate::OrderMoved(message.trace, event.order_id, OrderStatus::kConfirmed);
  service.CompleteScenario(scenario::kOrderSaga, message, WorkOutcome::kDone);
  co_return Outcome::kDone;
}

Task<Outcome> FailOrder(Service& service, const IncomingMessage& message) {
  auto event = PayloadAs<PaymentFailed>(message.envelope);
  bool moved = false;
  PartDone done = co_await service.Transact([&](pqxx::work& tx) {
    PartDone part = FinishPart(tx, kOrderFailPart, message.envelope.message_id, kFailedOrderParts);
    if (part.first_time) moved = SetOrderStatus(tx, event.order_id, OrderStatus::kFailed);
    return part;
  });
  if (!done.first_time) co_return Outcome::kDuplicate;
  if (!moved) {
    // Still the compensation's part (inventory releases the stock), so it counts as done.
    log::Warn("payment failed for an order that is no longer pending; left as it is",
              {{"order_id", event.order_id}, {"message_id", message.envelope.message_id}},
              message.trace.trace_id);
  }
  narrate::OrderMoved(message.trace, event.order_id, OrderStatus::kFailed, event.reason);
  // The later of failing the order and releasing the stock ends the compensated saga.
  if (done.all_done) {
    service.CompleteScenario(scenario::kOrderSaga, message, WorkOutcome::kCompensated);
  }
  co_return Outcome::kDone;
}

Task<Reply> GetOrder(Service& service, const Request& request) {
  std::int64_t id = request.PathId("order");
  co_return co_await service.Transact([&](pqxx::work& tx) { return OrderReply(tx, id); });
}

void AddRoutes(Service& service) {
  service.UseOutbox();
  service.Post("/create_order", CreateOrder);
  service.Consume(topology::kOrderPaymentSucceededQueue, ConfirmOrder);
  service.Consume(topology::kOrderPaymentFailedQueue, FailOrder);
  service.Get("/orders/{id}", GetOrder);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("order", argc, argv, flowbench::async::AddRoutes);
}
