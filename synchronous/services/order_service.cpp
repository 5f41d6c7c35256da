// order (scenario 5, saga with compensation), orchestrated in one request: POST /create_order
// creates the order (pending) -> inventory reserves the stock -> payment authorises ->
// confirmed (201); or, when the payment is declined or cannot be reached, the saga is
// compensated and the order is failed (400 declined, 503 payment or inventory unavailable).
// GET /orders/{id} reads the order.
//
// The rule the compensation keeps: an order is `failed` only once it holds nothing. The
// authorisation's id is the order id, so after a payment call whose outcome is unknown (a
// timeout, a 5xx) the order voids it first (payment refuses a late authorisation); then
// inventory releases the stock; then the order is failed. A step that cannot be done now
// leaves the order `pending` (503, compensation_executed false), and the sweeper finishes it:
// at start-up and every --saga-sweep-interval-ms it compensates each pending order older than
// --saga-deadline-ms (a request in doubt, or a saga interrupted by a crash).
//
// Calls: inventory POST /reserve and POST /release (idempotent per order: retried),
//        payment POST /authorize (once: it waits saga_payment_delay) and POST /void
//        (idempotent per order: retried).
#include <condition_variable>
#include <mutex>

#include "common/domain/errors.hpp"
#include "common/domain/json_fields.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/stores.hpp"
#include "common/service/error_mapping.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

// What the order service knows of the payment after asking for it.
struct PaymentAnswer {
  enum Kind {
    kAuthorized,
    kDeclined,  // or refused (4xx): no authorisation was taken
    kNotMade,   // the call never reached payment (circuit open, connection refused)
    kInDoubt,   // timeout or 5xx: payment may have authorised it
  } kind = kDeclined;
  std::string reason;
};

// How far a compensation got; all but kDone leave the order pending for the sweeper.
enum class Compensation { kDone, kPaymentInDoubt, kStockHeld };

boost::json::object OrderLine(const Order& order) {
  return {{"order_id", order.id}, {"product_id", order.product_id}, {"quantity", order.quantity}};
}

// Confirming is the saga's normal end; failing an order is the compensation's last step.
// False when the order was no longer pending (the sweeper ended it first).
bool MoveOrder(Service& service, const TraceContext& trace, std::int64_t order_id,
               OrderStatus status) {
  bool moved =
      service.Transact([&](pqxx::work& tx) { return SetOrderStatus(tx, order_id, status); });
  if (moved) narrate::OrderMoved(trace, order_id, status);
  return moved;
}

PaymentAnswer Authorise(Service& service, const CallOrigin& origin, const Order& order) {
  try {
    boost::json::object answer = service.Peer("payment").Post("/authorize", OrderLine(order),
                                                              origin, Idempotency::kNotIdempotent);
    JsonFields fields(answer);
    if (fields.Bool("authorized")) return {PaymentAnswer::kAuthorized, ""};
    return {PaymentAnswer::kDeclined, fields.OptionalString("reason").value_or("")};
  } catch (const NotDelivered& e) {
    return {PaymentAnswer::kNotMade, e.what()};
  } catch (const ServiceUnavailable& e) {
    return {PaymentAnswer::kInDoubt, e.what()};
  } catch (const ClientError& e) {
    return {PaymentAnswer::kDeclined, e.detail()};
  }
}

// True once payment confirmed the order's authorisation is void (or will be refused).
bool VoidPayment(Service& service, const CallOrigin& origin, const Order& order) {
  RecordSpan(origin.trace, span::kCompensate,
             "void the payment authorisation of order " + std::to_string(order.id));
  try {
    service.Peer("payment").Post("/void", {{"order_id", order.id}}, origin,
                                 Idempotency::kIdempotent);
    return true;
  } catch (const ServiceUnavailable& e) {
    log::Error(
        "compensation paused: the payment authorisation may be live, the order stays "
        "pending",
        {{"order_id", order.id}, {"cause", e.what()}}, origin.trace.trace_id);
  } catch (const ClientError& e) {
    log::Error("payment refused to void; the order stays pending",
               {{"order_id", order.id}, {"cause", e.detail()}}, origin.trace.trace_id);
  }
  return false;
}

// True once inventory confirmed the release (or that nothing was held).
bool ReleaseStock(Service& service, const CallOrigin& origin, const Order& order) {
  RecordSpan(origin.trace, span::kCompensate,
             "release the stock of order " + std::to_string(order.id));
  try {
    service.Peer("inventory").Post("/release", OrderLine(order), origin, Idempotency::kIdempotent);
    return true;
  } catch (const std::exception& e) {
    log::Error("compensation paused: stock stays reserved, the order stays pending",
               {{"order_id", order.id}, {"cause", e.what()}}, origin.trace.trace_id);
    return false;
  }
}

// The compensation, in the order that keeps "a failed order holds nothing". Every step is
// idempotent per order, so the request and the sweeper may both run it.
Compensation Compensate(Service& service, const CallOrigin& origin, const Order& order,
                        bool void_payment) {
  if (void_payment && !VoidPayment(service, origin, order)) return Compensation::kPaymentInDoubt;
  if (!ReleaseStock(service, origin, order)) return Compensation::kStockHeld;
  MoveOrder(service, origin.trace, order.id, OrderStatus::kFailed);
  return Compensation::kDone;
}

Reply Unavailable(const Order& order, std::string detail, Compensation compensation) {
  const bool done = compensation == Compensation::kDone;
  if (compensation == Compensation::kPaymentInDoubt) {
    detail += "; the payment could not be voided, so the order stays pending until it can be";
  } else if (compensation == Compensation::kStockHeld) {
    detail += "; inventory could not release the stock, so the order stays pending until it can";
  }
  boost::json::object body = ErrorBody("service_unavailable", detail);
  body["order_id"] = order.id;
  body["status"] = ToString(done ? OrderStatus::kFailed : OrderStatus::kPending);
  body["compensation_executed"] = done;
  return Reply{503, body};
}

Reply CreateOrder(Service& service, const Request& request) {
  OrderRequest order_request = ParseOrderRequest(request.body());
  Order order =
      service.Transact([&](pqxx::work& tx) { return flowbench::CreateOrder(tx, order_request); });
  narrate::OrderCreated(request.trace(), order);
  const CallOrigin origin = request.origin();

  // The saga, orchestrated here: reserve, authorise, and compensate on the way back.
  try {
    service.Peer("inventory").Post("/reserve", OrderLine(order), origin, Idempotency::kIdempotent);
  } catch (const ServiceUnavailable& e) {
    // The reservation may have landed before the answer was lost: release (or fence) it.
    // No payment was asked for.
    Compensation compensation = Compensate(service, origin, order, /*void_payment=*/false);
    service.RecordCompletion(
        scenario::kOrderSaga, request,
        compensation == Compensation::kDone ? WorkOutcome::kCompensated : WorkOutcome::kFailed);
    return Unavailable(order, e.what(), compensation);
  } catch (const ClientError&) {
    MoveOrder(service, request.trace(), order.id, OrderStatus::kFailed);
    service.RecordCompletion(scenario::kOrderSaga, request, WorkOutcome::kFailed);  // nothing held
    throw;
  }

  PaymentAnswer payment = Authorise(service, origin, order);
  if (payment.kind == PaymentAnswer::kAuthorized) {
    if (MoveOrder(service, request.trace(), order.id, OrderStatus::kConfirmed)) {
      service.CompleteScenario(scenario::kOrderSaga, request, WorkOutcome::kDone);
      return Reply{201, {{"order_id", order.id}, {"status", ToString(OrderStatus::kConfirmed)}}};
    }
    // Past its deadline the sweeper voided the authorisation and compensated the order.
    service.RecordCompletion(scenario::kOrderSaga, request, WorkOutcome::kCompensated);
    return Unavailable(
        order,
        "order " + std::to_string(order.id) + " passed its saga deadline and was compensated",
        Compensation::kDone);
  }

  Compensation compensation =
      Compensate(service, origin, order, payment.kind == PaymentAnswer::kInDoubt);
  if (compensation == Compensation::kDone) {
    service.CompleteScenario(scenario::kOrderSaga, request, WorkOutcome::kCompensated);
  } else {
    service.RecordCompletion(scenario::kOrderSaga, request, WorkOutcome::kFailed);
  }
  if (payment.kind != PaymentAnswer::kDeclined) {
    return Unavailable(order, payment.reason, compensation);
  }
  if (compensation != Compensation::kDone) {
    return Unavailable(order, "payment declined", compensation);
  }
  return Reply{400,
               {{"detail",
                 {{"status", ToString(OrderStatus::kFailed)},
                  {"order_id", order.id},
                  {"compensation_executed", true},
                  {"reason", payment.reason}}}}};
}

Reply GetOrder(Service& service, const Request& request) {
  std::int64_t id = request.PathId("order");
  return service.Transact([&](pqxx::work& tx) { return OrderReply(tx, id); });
}

// --- The sweeper: sagas past their deadline ------------------------------------------------

constexpr std::size_t kSweepBatch = 100;

void SweepOnce(Service& service) {
  std::vector<Order> stale = service.Transact([&](pqxx::work& tx) {
    return FindPendingOrdersOlderThan(tx, service.settings().saga.deadline, kSweepBatch);
  });
  for (const Order& order : stale) {
    TraceContext trace = TraceContext::NewRoot();
    Compensation compensation = Compensate(service, CallOrigin{trace, {}}, order, true);
    if (compensation == Compensation::kDone) {
      log::Info("saga past its deadline compensated", {{"order_id", order.id}}, trace.trace_id);
    }  // else: the step that could not be done logged it; the next sweep tries again
  }
}

// At start-up, then every sweep interval, until the service stops.
void Sweep(Service& service, const std::stop_token& stop) {
  std::mutex mutex;
  std::condition_variable_any stopped;
  while (!stop.stop_requested()) {
    try {
      SweepOnce(service);
    } catch (const std::exception& e) {
      log::Error("saga sweep failed; trying again at the next interval", {{"cause", e.what()}});
    }
    std::unique_lock lock(mutex);
    stopped.wait_for(lock, stop, service.settings().saga.sweep_interval, [] { return false; });
  }
}

void AddRoutes(Service& service) {
  service.AddPeer("inventory");
  service.AddPeer("payment");
  service.Post("/create_order", CreateOrder);
  service.Get("/orders/{id}", GetOrder);
  service.RunBeside([&service](std::stop_token stop) { Sweep(service, stop); });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("order", argc, argv, flowbench::sync::AddRoutes);
}
