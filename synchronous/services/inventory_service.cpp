// The inventory service: the order saga's stock participant. Reservations and releases are
// one atomic UPDATE each in PostgreSQL (ReserveStock/ReleaseStock), never read-modify-write,
// so concurrent orders cannot lose one.
//
// Both internal routes are idempotent per order, so the order service may retry them:
// each records "order-<id>" in processed_messages in the same transaction as its effect.
// A release also fences the reservation: if the reservation never arrived (it timed out on
// the way), the release records it as done, so a late reservation cannot slip in afterwards.
//
// Serves (internal): POST /reserve and POST /release {"order_id", "product_id", "quantity"}
//   -> 200 {"product_id", "reserved", "applied": true|false (false: already done)}.
// Reads: GET /inventory/{product_id}.
#include "common/domain/errors.hpp"
#include "common/domain/json_fields.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"
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

Reply StockReply(std::int64_t product_id, std::int64_t reserved, bool applied) {
  return Reply{200, {{"product_id", product_id}, {"reserved", reserved}, {"applied", applied}}};
}

std::int64_t CurrentReserved(pqxx::work& tx, std::int64_t product_id) {
  std::optional<std::int64_t> reserved = FindReserved(tx, product_id);
  if (!reserved) throw NotFound("product " + std::to_string(product_id) + " does not exist");
  return *reserved;
}

void AddRoutes(Service& service) {
  service.Post("/reserve", [&](const Call& call) {
    StockChange change = ParseStockChange(call.body());
    return service.db().Transact([&](pqxx::work& tx) {
      if (!MarkMessageProcessed(tx, "inventory.reserve", change.key)) {
        return StockReply(change.product_id, CurrentReserved(tx, change.product_id), false);
      }
      std::int64_t reserved = ReserveStock(tx, change.product_id, change.quantity);
      RecordSpan(
          call.trace(), span::kWrite,
          "stock reserved: product " + std::to_string(change.product_id) + " reserved " +
              std::to_string(reserved),
          {{"table", "inventory"}, {"product_id", change.product_id}, {"reserved", reserved}});
      return StockReply(change.product_id, reserved, true);
    });
  });

  service.Post("/release", [&](const Call& call) {
    StockChange change = ParseStockChange(call.body());
    return service.db().Transact([&](pqxx::work& tx) {
      bool first_release = MarkMessageProcessed(tx, "inventory.release", change.key);
      bool never_reserved =
          first_release && MarkMessageProcessed(tx, "inventory.reserve", change.key);
      if (!first_release || never_reserved) {
        return StockReply(change.product_id, CurrentReserved(tx, change.product_id), false);
      }
      std::int64_t reserved = ReleaseStock(tx, change.product_id, change.quantity);
      RecordSpan(
          call.trace(), span::kCompensate,
          "stock released: product " + std::to_string(change.product_id) + " reserved back to " +
              std::to_string(reserved),
          {{"table", "inventory"}, {"product_id", change.product_id}, {"reserved", reserved}});
      return StockReply(change.product_id, reserved, true);
    });
  });

  service.Get("/inventory/{id}", [&](const Call& call) {
    std::int64_t product_id = call.PathId("product");
    auto reserved =
        service.db().Transact([&](pqxx::work& tx) { return FindReserved(tx, product_id); });
    if (!reserved) throw NotFound("product " + std::to_string(product_id) + " does not exist");
    return Reply{200, {{"product_id", product_id}, {"reserved", *reserved}}};
  });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("inventory", argc, argv, flowbench::sync::AddRoutes);
}
