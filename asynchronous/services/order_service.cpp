// order (scenario 5, the saga's start and end): POST /create_order records a pending order and
// publishes order_created (inventory reserves, payment authorises). Its consumers end the
// saga: payment_succeeded -> confirmed; payment_failed -> failed, while inventory releases
// the stock in parallel (the later of the two records the completion). GET /orders/{id}.
#include "asynchronous/runtime/fan_in.hpp"
#include "asynchronous/runtime/service.hpp"
#include "common/domain/errors.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"

using namespace flowbench;
using namespace flowbench::async;

int main(int argc, char** argv) {
  return RunService("order", argc, argv, [](ServiceContext& ctx) {
    ctx.Post("/create_order", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      OrderRequest order_request = ParseOrderRequest(request.body);
      Order order = co_await ctx.Transact(
          [order_request](pqxx::work& tx) { return CreateOrder(tx, order_request); });
      RecordSpan(request.trace, span::kWrite,
                 "orders row " + std::to_string(order.id) + " pending (product " +
                     std::to_string(order.product_id) + ", quantity " +
                     std::to_string(order.quantity) + ")",
                 {{"table", "orders"}, {"id", order.id}, {"status", "pending"}});
      bool published = true;
      try {
        OrderCreated event{{order.id, order.product_id, order.quantity}};
        Origin origin = Origin::Of(request);
        co_await ctx.PublishAccepted(topology::kOrderCreated, event, origin);
      } catch (const ServiceUnavailable&) {
        published = false;
      }
      if (!published) {
        // The saga never started: the order must not stay pending for ever.
        co_await ctx.Transact(
            [id = order.id](pqxx::work& tx) { SetOrderStatus(tx, id, "failed"); });
        throw ServiceUnavailable("RabbitMQ is unavailable; order " + std::to_string(order.id) +
                                 " was not placed");
      }
      co_return JsonResponse(202, ToJson(order));
    });

    ctx.Get("/orders/{id}", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      std::int64_t id = request.IdParam("id");
      std::optional<Order> order =
          co_await ctx.Transact([id](pqxx::work& tx) { return FindOrder(tx, id); });
      if (!order) throw NotFound("order " + std::to_string(id) + " does not exist");
      co_return JsonResponse(200, ToJson(*order));
    });

    ctx.Consume(topology::kOrderPaymentSucceededQueue,
                [&ctx](const IncomingMessage& message) -> Task<Outcome> {
                  auto event = PayloadAs<PaymentSucceeded>(message.envelope);
                  bool first = co_await ctx.Transact([&](pqxx::work& tx) {
                    if (!MarkMessageProcessed(tx, "order_confirm", message.envelope.message_id))
                      return false;
                    SetOrderStatus(tx, event.order_id, "confirmed");
                    return true;
                  });
                  if (!first) co_return Outcome::kDuplicate;
                  RecordSpan(
                      message.trace, span::kWrite,
                      "orders " + std::to_string(event.order_id) + " -> confirmed",
                      {{"table", "orders"}, {"id", event.order_id}, {"status", "confirmed"}});
                  ctx.ObserveCompletion("scenario5", message.envelope.accepted_at);
                  co_return Outcome::kDone;
                });

    ctx.Consume(topology::kOrderPaymentFailedQueue,
                [&ctx](const IncomingMessage& message) -> Task<Outcome> {
                  auto event = PayloadAs<PaymentFailed>(message.envelope);
                  PartDone done = co_await ctx.Transact([&](pqxx::work& tx) {
                    PartDone part = FinishPart(tx, "order_fail", message.envelope.message_id,
                                               {"order_fail", "inventory_release"});
                    if (part.first_time) SetOrderStatus(tx, event.order_id, "failed");
                    return part;
                  });
                  if (!done.first_time) co_return Outcome::kDuplicate;
                  RecordSpan(message.trace, span::kCompensate,
                             "orders " + std::to_string(event.order_id) + " -> failed (" +
                                 event.reason + ")",
                             {{"table", "orders"}, {"id", event.order_id}, {"status", "failed"}});
                  if (done.all_done)
                    ctx.ObserveCompletion("scenario5", message.envelope.accepted_at);
                  co_return Outcome::kDone;
                });
  });
}
