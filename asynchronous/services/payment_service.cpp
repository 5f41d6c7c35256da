// payment (scenario 2, and the order saga's payment step).
//  - POST /process_payment records the payment as processing with its payment_initiated
//    event in one transaction (the outbox) and answers 202; its gateway worker waits for the
//    gateway (payment_gateway_delay, a timer; called once per payment id, claimed with its
//    transaction id before the call) and publishes payment_completed; its recorder settles
//    the payment;
//  - GET /payments/{id} reads it;
//  - in the saga, it authorises the payment of each stock_reserved order (saga_payment_delay,
//    a timer, then a decision with payment_failure_rate, recorded once per order in
//    payment_decisions) and publishes payment_failed or payment_succeeded; a redelivery
//    republishes the recorded decision at once.
// Its workers refuse a message about a payment that does not exist (Outcome::kWithdrawn):
// the outbox never publishes one, but an older build withdrew payments.
//
// Consumes: payment_initiated_queue, payment_completed_queue, stock_reserved_queue.
#include "asynchronous/runtime/service.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/step_names.hpp"
#include "common/scenarios/stores.hpp"

namespace flowbench::async {
namespace {

Task<Reply> ProcessPayment(Service& service, const Request& request) {
  PaymentRequest payment_request = ParsePaymentRequest(request.body());
  auto insert = [&](pqxx::work& tx) {
    return CreatePayment(tx, payment_request, PaymentStatus::kProcessing);
  };
  // The gateway, published: the payment settles after this answer.
  auto initiated = [](const Payment& payment) {
    return PaymentInitiated{payment.payment_id, payment.amount, payment.currency};
  };
  Payment payment =
      co_await service.TransactWithEvent(request, topology::kPaymentInitiated, insert, initiated);
  narrate::PaymentRecorded(request.trace(), payment);
  co_return Reply{202,
                  {{"payment_id", payment.payment_id},
                   {"status", ToString(PaymentStatus::kProcessing)},
                   {"message", "payment accepted; it settles in the background"}}};
}

Task<Outcome> CallGateway(Service& service, const IncomingMessage& message) {
  auto event = PayloadAs<PaymentInitiated>(message.envelope);
  // A payment withdrawn after its publish failed must not reach the gateway.
  bool recorded = co_await service.Transact(
      [&](pqxx::work& tx) { return FindPayment(tx, event.payment_id).has_value(); });
  if (!recorded) co_return Outcome::kWithdrawn;
  // The gateway call is keyed by the payment id: its transaction id is claimed before the
  // call, so a redelivery does not call again and reports the same transaction.
  EffectClaim call = co_await service.Transact([&](pqxx::work& tx) {
    return ClaimEffect(tx, effect::kPaymentGateway, event.payment_id, NewTransactionId());
  });
  if (call.first_time) {
    co_await Wait(message.trace, "payment gateway", service.workload().payment_gateway_delay);
  }
  PaymentCompleted completed{event.payment_id, std::string(ToString(PaymentStatus::kSucceeded)),
                             call.value};
  Origin next = Origin::Following(message, "payment_completed");
  co_await service.Publish(topology::kPaymentCompleted, completed, next);
  co_return call.first_time ? Outcome::kDone : Outcome::kDuplicate;
}

Task<Outcome> RecordSettlement(Service& service, const IncomingMessage& message) {
  auto event = PayloadAs<PaymentCompleted>(message.envelope);
  PaymentStatus status = ParsePaymentStatus(event.status).value();  // PayloadAs checked it
  Outcome settled = co_await service.Transact([&](pqxx::work& tx) {
    if (!MarkMessageProcessed(tx, step::kPaymentRecorder, message.envelope.message_id)) {
      return Outcome::kDuplicate;
    }
    // Not there: withdrawn while the gateway step ran.
    return SettlePaymentIfRecorded(tx, event.payment_id, status, event.transaction_id)
               ? Outcome::kDone
               : Outcome::kWithdrawn;
  });
  if (settled != Outcome::kDone) co_return settled;
  narrate::PaymentSettled(message.trace, event.payment_id, status);
  service.CompleteScenario(scenario::kBackgroundPayment, message, WorkOutcome::kDone);
  co_return Outcome::kDone;
}

Task<Reply> GetPayment(Service& service, const Request& request) {
  std::string id = request.PathParam();
  co_return co_await service.Transact([&](pqxx::work& tx) { return PaymentReply(tx, id); });
}

// The saga's authorisation of one order: the decision recorded for it, if a handling of this
// (or a redelivered) stock_reserved made one; else a new one after the authorisation call
// (a timer). Recorded once per order, so concurrent handlings agree.
Task<PaymentDecision> DecidePayment(Service& service, const IncomingMessage& message,
                                    std::int64_t order_id) {
  std::optional<bool> recorded = co_await service.Transact(
      [order_id](pqxx::work& tx) { return FindPaymentDecision(tx, order_id); });
  if (recorded) co_return PaymentDecision{*recorded, /*first_time=*/false};
  co_await Wait(message.trace, "payment authorisation", service.workload().saga_payment_delay);
  bool authorised = AuthorisePayment(service.workload().payment_failure_rate);
  PaymentDecision decision = co_await service.Transact([order_id, authorised](pqxx::work& tx) {
    return RecordPaymentDecision(tx, order_id, authorised);
  });
  if (decision.first_time) narrate::PaymentDecided(message.trace, order_id, decision.authorised);
  co_return decision;
}

Task<Outcome> Authorize(Service& service, const IncomingMessage& message) {
  auto reserved = PayloadAs<StockReserved>(message.envelope);
  PaymentDecision decision = co_await DecidePayment(service, message, reserved.order_id);
  // Published again on a redelivery: the first handling may have stopped before publishing.
  // One id for either outcome, and one recorded outcome per order: the order service sees
  // a second copy as a duplicate, and never gets both outcomes.
  Origin next = Origin::Following(message, "payment_result");
  if (decision.authorised) {
    PaymentSucceeded succeeded;
    static_cast<OrderLine&>(succeeded) = reserved;
    co_await service.Publish(topology::kPaymentSucceededEvent, succeeded, next);
  } else {
    PaymentFailed failed;
    static_cast<OrderLine&>(failed) = reserved;
    failed.reason = "payment declined";
    co_await service.Publish(topology::kPaymentFailedEvent, failed, next);
  }
  co_return decision.first_time ? Outcome::kDone : Outcome::kDuplicate;
}

void AddRoutes(Service& service) {
  service.UseOutbox();
  service.Post("/process_payment", ProcessPayment);
  service.Consume(topology::kPaymentInitiatedQueue, CallGateway);
  service.Consume(topology::kPaymentCompletedQueue, RecordSettlement);
  service.Get("/payments/{id}", GetPayment);
  service.Consume(topology::kStockReservedQueue, Authorize);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("payment", argc, argv, flowbench::async::AddRoutes);
}
