// payment (scenario 2 and the saga's payment step).
//  - POST /process_payment records the payment as processing and publishes payment_initiated;
//  - its worker waits for the gateway (a timer) and publishes payment_completed;
//  - its recorder settles the payment, visible at GET /payments/{id};
//  - in the saga it authorises the payment of each stock_reserved order (a timer, then a
//    decision with payment_failure_rate, recorded once per order in payment_decisions) and
//    publishes payment_failed or payment_succeeded; a redelivery republishes the recorded
//    decision at once.
// A payment whose payment_initiated the broker did not take is withdrawn (503); its workers
// refuse a message about a withdrawn payment (Outcome::kWithdrawn).
#include "asynchronous/runtime/service.hpp"
#include "common/domain/errors.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"

using namespace flowbench;
using namespace flowbench::async;

namespace {

// The saga's authorisation of one order: the decision recorded for it, if a handling of this
// (or a redelivered) stock_reserved made one; else a new one after the authorisation call
// (a timer). Recorded once per order, so concurrent handlings agree.
Task<PaymentDecision> DecidePayment(ServiceContext& ctx, const IncomingMessage& message,
                                    std::int64_t order_id) {
  std::optional<bool> recorded = co_await ctx.Transact(
      [order_id](pqxx::work& tx) { return FindPaymentDecision(tx, order_id); });
  if (recorded) co_return PaymentDecision{*recorded, /*first_time=*/false};

  RecordSpan(message.trace, span::kWait,
             "payment authorisation (" + std::to_string(ctx.workload().saga_payment_delay.count()) +
                 " ms, a timer: no thread waits)");
  co_await Wait(ctx.workload().saga_payment_delay);  // the authorisation call
  bool authorised = AuthorisePayment(ctx.workload().payment_failure_rate);
  PaymentDecision decision = co_await ctx.Transact([order_id, authorised](pqxx::work& tx) {
    return RecordPaymentDecision(tx, order_id, authorised);
  });
  if (decision.first_time) {
    RecordSpan(
        message.trace, span::kWrite,
        "payment_decisions row " + std::to_string(order_id) +
            (decision.authorised ? " authorised" : " declined"),
        {{"table", "payment_decisions"}, {"id", order_id}, {"authorised", decision.authorised}});
  }
  co_return decision;
}

}  // namespace

int main(int argc, char** argv) {
  return RunService("payment", argc, argv, [](ServiceContext& ctx) {
    ctx.Post("/process_payment", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      PaymentRequest payment_request = ParsePaymentRequest(request.body);
      Payment payment = co_await ctx.Transact(
          [&](pqxx::work& tx) { return CreatePayment(tx, payment_request, "processing"); });
      RecordSpan(request.trace, span::kWrite, "payments row " + payment.payment_id + " processing",
                 {{"table", "payments"}, {"id", payment.payment_id}});
      std::string not_published;  // why, when the broker did not take the event
      try {
        PaymentInitiated event{payment.payment_id, payment.amount, payment.currency};
        Origin origin = Origin::Of(request);
        co_await ctx.PublishAccepted(topology::kPaymentInitiated, event, origin);
      } catch (const ServiceUnavailable& e) {
        not_published = e.what();
      }
      if (!not_published.empty()) {
        // Withdrawn in a compensating transaction (C++ cannot co_await inside a catch). The
        // lambda captures by reference: see the GCC 12 rule in runtime/net.hpp.
        co_await ctx.Transact(
            [&payment](pqxx::work& tx) { DeletePayment(tx, payment.payment_id); });
        RecordSpan(request.trace, span::kCompensate,
                   "payments row " + payment.payment_id + " deleted (event not published)",
                   {{"table", "payments"}, {"id", payment.payment_id}});
        throw ServiceUnavailable(not_published +
                                 "; the payment was withdrawn: nothing was "
                                 "recorded, it can be sent again");
      }
      co_return JsonResponse(202, {{"payment_id", payment.payment_id},
                                   {"status", "processing"},
                                   {"message", "payment accepted; it settles in the background"}});
    });

    ctx.Get("/payments/{id}", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      std::string id = request.Param("id");
      std::optional<Payment> payment =
          co_await ctx.Transact([&](pqxx::work& tx) { return FindPayment(tx, id); });
      if (!payment) throw NotFound("payment " + id + " does not exist");
      co_return JsonResponse(200, ToJson(*payment));
    });

    ctx.Consume(
        topology::kPaymentInitiatedQueue, [&ctx](const IncomingMessage& message) -> Task<Outcome> {
          auto event = PayloadAs<PaymentInitiated>(message.envelope);
          // A payment withdrawn after its publish failed must not reach the gateway.
          bool recorded = co_await ctx.Transact(
              [&](pqxx::work& tx) { return FindPayment(tx, event.payment_id).has_value(); });
          if (!recorded) co_return Outcome::kWithdrawn;
          RecordSpan(message.trace, span::kWait,
                     "payment gateway (" +
                         std::to_string(ctx.workload().payment_gateway_delay.count()) +
                         " ms, a timer: no thread waits)");
          co_await Wait(ctx.workload().payment_gateway_delay);  // the gateway call
          PaymentCompleted completed{event.payment_id, "succeeded", NewTransactionId()};
          Origin next = Origin::Following(message, "payment_completed");
          co_await ctx.Publish(topology::kPaymentCompleted, completed, next);
          co_return Outcome::kDone;
        });

    ctx.Consume(
        topology::kPaymentCompletedQueue, [&ctx](const IncomingMessage& message) -> Task<Outcome> {
          auto event = PayloadAs<PaymentCompleted>(message.envelope);
          Outcome settled = co_await ctx.Transact([&](pqxx::work& tx) {
            if (!MarkMessageProcessed(tx, "payment_recorder", message.envelope.message_id)) {
              return Outcome::kDuplicate;
            }
            // Not there: withdrawn while the gateway step ran.
            return SettlePaymentIfRecorded(tx, event.payment_id, event.status, event.transaction_id)
                       ? Outcome::kDone
                       : Outcome::kWithdrawn;
          });
          if (settled != Outcome::kDone) co_return settled;
          RecordSpan(message.trace, span::kWrite,
                     "payments " + event.payment_id + " -> " + event.status,
                     {{"table", "payments"}, {"id", event.payment_id}});
          ctx.ObserveCompletion("scenario2", message.envelope.accepted_at);
          co_return Outcome::kDone;
        });

    ctx.Consume(
        topology::kStockReservedQueue, [&ctx](const IncomingMessage& message) -> Task<Outcome> {
          auto reserved = PayloadAs<StockReserved>(message.envelope);
          PaymentDecision decision = co_await DecidePayment(ctx, message, reserved.order_id);
          // Published again on a redelivery: the first handling may have stopped before publishing.
          // One id for either outcome, and one recorded outcome per order: the order service sees
          // a second copy as a duplicate, and never gets both outcomes.
          Origin next = Origin::Following(message, "payment_result");
          if (decision.authorised) {
            PaymentSucceeded succeeded;
            static_cast<OrderLine&>(succeeded) = reserved;
            co_await ctx.Publish(topology::kPaymentSucceededEvent, succeeded, next);
          } else {
            PaymentFailed failed;
            static_cast<OrderLine&>(failed) = reserved;
            failed.reason = "payment declined";
            co_await ctx.Publish(topology::kPaymentFailedEvent, failed, next);
          }
          co_return decision.first_time ? Outcome::kDone : Outcome::kDuplicate;
        });
  });
}
