// inventory (scenario 5, saga participant): the order service's stock. Reservations and
// releases are one atomic UPDATE each in PostgreSQL (ReserveStock/ReleaseStock), never
// read-modify-write, so concurrent orders cannot lose one. GET /inventory/{id} reads it.
//
// Both internal routes are idempotent per order, so the order service may retry them:
// each records "order-<id>" in processed_messages in the same transaction as its effect.
// A release also fences the reservation: if the reservation never arrived (it timed out on
// the way), the release records it as done, so a late reservation cannot slip in afterwards.
//
// Serves (internal): POST /reserve and POST /release {"order_id", "product_id", "quantity"}
//   -> 200 {"product_id", "reserved", "applied": true|false (false: already done)}.
#include "common/domain/errors.hpp"
#include "common/domain/json_fields.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/step_names.hpp"
#include "common/scenarios/stores.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

struct StockChange {
  std::string key;  // "order-<id>": the idempotency key
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
};

StockChange ParseStockChange(std::string_view body) {
  boost::json::object json = ParseJsonObject(body);
  JsonFields fields(json);
  StockChange change{"order-" + std::to_string(fields.Integer("order_id")),
                     fields.Integer("product_id"), fields.Integer("quantity")};
  if (change.quantity <= 0) throw ValidationError("field 'quantity' must be positive");
  return change;
}

Reply StockChangeReply(std::int64_t product_id, std::int64_t reserved, bool applied) {
  return Reply{200, {{"product_id", product_id}, {"reserved", reserved}, {"applied", applied}}};
}

std::int64_t CurrentReserved(pqxx::work& tx, std::int64_t product_id) {
  std::optional<std::int64_t> reserved = FindReserved(tx, product_id);
  if (!reserved) throw DoesNotExist("product", std::to_string(product_id));
  return *reserved;
}

Reply ReserveStock(Service& service, const Request& request) {
  StockChange change = ParseStockChange(request.body());
  return service.Transact([&](pqxx::work& tx) {
    if (!MarkMessageProcessed(tx, step::kInventoryReserve, change.key)) {
      return StockChangeReply(change.product_id, CurrentReserved(tx, change.product_id), false);
    }
    std::int64_t reserved = flowbench::ReserveStock(tx, change.product_id, change.quantity);
    narrate::StockReserved(request.trace(), change.product_id, reserved);
    return StockChangeReply(change.product_id, reserved, true);
  });
}

Reply ReleaseStock(Service& service, const Request& request) {
  StockChange change = ParseStockChange(request.body());
  return service.Transact([&](pqxx::work& tx) {
    bool first_release = MarkMessageProcessed(tx, step::kInventoryRelease, change.key);
    bool never_reserved =
        first_release && MarkMessageProcessed(tx, step::kInventoryReserve, change.key);
    if (!first_release || never_reserved) {
      return StockChangeReply(change.product_id, CurrentReserved(tx, change.product_id), false);
    }
    std::int64_t reserved = flowbench::ReleaseStock(tx, change.product_id, change.quantity);
    narrate::StockReleased(request.trace(), change.product_id, reserved);
    return StockChangeReply(change.product_id, reserved, true);
  });
}

Reply GetStock(Service& service, const Request& request) {
  std::int64_t product_id = request.PathId("product");
  return service.Transact([&](pqxx::work& tx) { return StockReply(tx, product_id); });
}

void AddRoutes(Service& service) {
  service.Post("/reserve", ReserveStock);
  service.Post("/release", ReleaseStock);
  service.Get("/inventory/{id}", GetStock);
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("inventory", argc, argv, flowbench::sync::AddRoutes);
}
