// The order service, scenario 5 (saga with compensation), orchestrated in one request:
// create the order (pending) -> inventory reserves the stock -> payment authorises ->
// confirmed (201); or, when the payment is declined or cannot be reached, inventory releases
// the stock again and the order is failed (400 declined, 503 payment unavailable, each
// saying whether the compensation ran). An open payment circuit fails the order at once,
// and the stock is still released.
//
// Calls: inventory POST /reserve and POST /release (idempotent per order: retried),
//        payment POST /authorize (a charge: never retried).
// Reads: GET /orders/{id}.
#include "common/domain/errors.hpp"
#include "common/domain/json_fields.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/error_reply.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

struct Authorisation {
  bool authorized = false;
  bool payment_unavailable = false;
  std::string reason;
};

void AddRoutes(Service& service) {
  Downstream& inventory = service.Peer("inventory");
  Downstream& payment = service.Peer("payment");

  // Confirming is the saga's normal end; failing an order is the compensation's last step.
  auto set_status = [&service](const Call& call, std::int64_t order_id, const char* status) {
    service.db().Transact([&](pqxx::work& tx) { SetOrderStatus(tx, order_id, status); });
    const bool failed = std::string_view(status) == "failed";
    RecordSpan(call.trace(), failed ? span::kCompensate : span::kWrite,
               "orders " + std::to_string(order_id) + " -> " + status,
               {{"table", "orders"}, {"id", order_id}, {"status", status}});
  };
  // The compensation: true when inventory confirmed the release (or that nothing was held).
  auto release_stock = [&inventory](const boost::json::object& line, const Call& call) {
    RecordSpan(call.trace(), span::kCompensate,
               "release the stock of order " + std::to_string(line.at("order_id").as_int64()));
    try {
      inventory.Post("/release", line, call.trace(), Idempotency::kIdempotent);
      return true;
    } catch (const std::exception& e) {
      log::Error("compensation failed: stock stays reserved",
                 {{"order", line}, {"cause", e.what()}}, call.trace_id());
      return false;
    }
  };
  auto unavailable = [](const Order& order, const std::string& detail, bool released) {
    boost::json::object body = ErrorBody("service_unavailable", detail);
    body["order_id"] = order.id;
    body["status"] = "failed";
    body["compensation_executed"] = released;
    return Reply{503, body};
  };

  service.Post("/create_order", [&service, &inventory, &payment, set_status, release_stock,
                                 unavailable](const Call& call) {
    OrderRequest request = ParseOrderRequest(call.body());
    Order order = service.db().Transact([&](pqxx::work& tx) { return CreateOrder(tx, request); });
    RecordSpan(call.trace(), span::kWrite,
               "orders row " + std::to_string(order.id) + " pending (product " +
                   std::to_string(order.product_id) + ", quantity " +
                   std::to_string(order.quantity) + ")",
               {{"table", "orders"}, {"id", order.id}, {"status", "pending"}});
    const boost::json::object line{
        {"order_id", order.id}, {"product_id", order.product_id}, {"quantity", order.quantity}};

    try {
      inventory.Post("/reserve", line, call.trace(), Idempotency::kIdempotent);
    } catch (const ServiceUnavailable& e) {
      // The reservation may have landed before the answer was lost: release (or fence) it.
      bool released = release_stock(line, call);
      set_status(call, order.id, "failed");
      return unavailable(order, e.what(), released);
    } catch (const ClientError&) {
      set_status(call, order.id, "failed");
      throw;
    }

    Authorisation authorisation;
    try {
      boost::json::object answer =
          payment.Post("/authorize", line, call.trace(), Idempotency::kNotIdempotent);
      authorisation.authorized = JsonFields(answer).Bool("authorized");
      authorisation.reason = JsonFields(answer).OptionalString("reason").value_or("");
    } catch (const ServiceUnavailable& e) {
      authorisation = {false, true, e.what()};
    } catch (const ClientError& e) {
      authorisation = {false, false, e.detail()};
    }

    if (authorisation.authorized) {
      set_status(call, order.id, "confirmed");
      service.CompleteScenario("scenario5", call);
      return Reply{201, {{"order_id", order.id}, {"status", "confirmed"}}};
    }

    bool released = release_stock(line, call);
    set_status(call, order.id, "failed");
    if (released) service.CompleteScenario("scenario5", call);
    if (authorisation.payment_unavailable) {
      return unavailable(order, authorisation.reason, released);
    }
    if (!released) {
      return unavailable(order, "payment declined, and inventory could not release the stock",
                         false);
    }
    return Reply{400,
                 {{"detail",
                   {{"status", "failed"},
                    {"order_id", order.id},
                    {"compensation_executed", true},
                    {"reason", authorisation.reason}}}}};
  });

  service.Get("/orders/{id}", [&service](const Call& call) {
    std::int64_t id = call.PathId("order");
    auto order = service.db().Transact([&](pqxx::work& tx) { return FindOrder(tx, id); });
    if (!order) throw NotFound("order " + std::to_string(id) + " does not exist");
    return Reply{200, ToJson(*order)};
  });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("order", argc, argv, flowbench::sync::AddRoutes);
}
