// order (scenario 5, saga with compensation), orchestrated in one request: POST /create_order
// creates the order (pending) -> inventory reserves the stock -> payment authorises ->
// confirmed (201); or, when the payment is declined or cannot be reached, inventory releases
// the stock again and the order is failed (400 declined, 503 payment unavailable, each
// saying whether the compensation ran). An open payment circuit fails the order at once,
// and the stock is still released. GET /orders/{id} reads the order.
//
// Calls: inventory POST /reserve and POST /release (idempotent per order: retried),
//        payment POST /authorize (a charge: never retried).
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

struct Authorisation {
  bool authorized = false;
  bool payment_unavailable = false;
  std::string reason;
};

// Confirming is the saga's normal end; failing an order is the compensation's last step.
void MoveOrder(Service& service, const Request& request, std::int64_t order_id,
               OrderStatus status) {
  service.Transact([&](pqxx::work& tx) { SetOrderStatus(tx, order_id, status); });
  narrate::OrderMoved(request.trace(), order_id, status);
}

// The compensation: true when inventory confirmed the release (or that nothing was held).
bool ReleaseStock(Service& service, const Request& request, const boost::json::object& line) {
  RecordSpan(request.trace(), span::kCompensate,
             "release the stock of order " + std::to_string(line.at("order_id").as_int64()));
  try {
    service.Peer("inventory").Post("/release", line, request.origin(), Idempotency::kIdempotent);
    return true;
  } catch (const std::exception& e) {
    log::Error("compensation failed: stock stays reserved", {{"order", line}, {"cause", e.what()}},
               request.trace_id());
    return false;
  }
}

Reply Unavailable(const Order& order, const std::string& detail, bool released) {
  boost::json::object body = ErrorBody("service_unavailable", detail);
  body["order_id"] = order.id;
  body["status"] = ToString(OrderStatus::kFailed);
  body["compensation_executed"] = released;
  return Reply{503, body};
}

Reply CreateOrder(Service& service, const Request& request) {
  OrderRequest order_request = ParseOrderRequest(request.body());
  Order order =
      service.Transact([&](pqxx::work& tx) { return flowbench::CreateOrder(tx, order_request); });
  narrate::OrderCreated(request.trace(), order);
  const boost::json::object line{
      {"order_id", order.id}, {"product_id", order.product_id}, {"quantity", order.quantity}};

  // The saga, orchestrated here: reserve, authorise, and compensate on the way back.
  try {
    service.Peer("inventory").Post("/reserve", line, request.origin(), Idempotency::kIdempotent);
  } catch (const ServiceUnavailable& e) {
    // The reservation may have landed before the answer was lost: release (or fence) it.
    bool released = ReleaseStock(service, request, line);
    MoveOrder(service, request, order.id, OrderStatus::kFailed);
    service.RecordCompletion(scenario::kOrderSaga, request,
                             released ? WorkOutcome::kCompensated : WorkOutcome::kFailed);
    return Unavailable(order, e.what(), released);
  } catch (const ClientError&) {
    MoveOrder(service, request, order.id, OrderStatus::kFailed);
    service.RecordCompletion(scenario::kOrderSaga, request, WorkOutcome::kFailed);  // nothing held
    throw;
  }

  Authorisation authorisation;
  try {
    boost::json::object answer = service.Peer("payment").Post("/authorize", line, request.origin(),
                                                              Idempotency::kNotIdempotent);
    authorisation.authorized = JsonFields(answer).Bool("authorized");
    authorisation.reason = JsonFields(answer).OptionalString("reason").value_or("");
  } catch (const ServiceUnavailable& e) {
    authorisation = {false, true, e.what()};
  } catch (const ClientError& e) {
    authorisation = {false, false, e.detail()};
  }

  if (authorisation.authorized) {
    MoveOrder(service, request, order.id, OrderStatus::kConfirmed);
    service.CompleteScenario(scenario::kOrderSaga, request, WorkOutcome::kDone);
    return Reply{201, {{"order_id", order.id}, {"status", ToString(OrderStatus::kConfirmed)}}};
  }

  bool released = ReleaseStock(service, request, line);
  MoveOrder(service, request, order.id, OrderStatus::kFailed);
  if (released) {
    service.CompleteScenario(scenario::kOrderSaga, request, WorkOutcome::kCompensated);
  } else {
    service.RecordCompletion(scenario::kOrderSaga, request, WorkOutcome::kFailed);
  }
  if (authorisation.payment_unavailable) {
    return Unavailable(order, authorisation.reason, released);
  }
  if (!released) {
    return Unavailable(order, "payment declined, and inventory could not release the stock", false);
  }
  return Reply{400,
               {{"detail",
                 {{"status", ToString(OrderStatus::kFailed)},
                  {"order_id", order.id},
                  {"compensation_executed", true},
                  {"reason", authorisation.reason}}}}};
}

Reply GetOrder(Service& service, const Request& request) {
  std::int64_t id = request.PathId("order");
  return service.Transact([&](pqxx::work& tx) { return OrderReply(tx, id); });
}

void AddRoutes(Service& service) {
  service.AddPeer("inventory");
  service.AddPeer("payment");
  service.Post("/create_order", CreateOrder);
  service.Get("/orders/{id}", GetOrder);
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("order", argc, argv, flowbench::sync::AddRoutes);
}
