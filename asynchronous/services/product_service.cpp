// product (scenario 3, fan-out): PUT /products/{id} updates the product with one
// product_updated event for the product_updates fan-out exchange in one transaction (the
// outbox) and answers 200; the relay publishes it, and search, cache and analytics each get
// their own copy and do their work later.
// GET /products and /products/{id} read the table.
//
// Publishes: product_updated {"id", "name", "stock"} to the product_updates exchange.
#include "asynchronous/runtime/service.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/stores.hpp"

namespace flowbench::async {
namespace {

Task<Reply> UpdateProduct(Service& service, const Request& request) {
  std::int64_t id = request.PathId("product");
  ProductUpdate update = ParseProductUpdate(request.body());
  auto write = [&](pqxx::work& tx) { return flowbench::UpdateProduct(tx, id, update); };
  // The fan-out: one event, one copy per service; completion is recorded by the last of them.
  auto updated = [](const Product& product) {
    return ProductUpdated{product.id, product.name, product.stock};
  };
  Product product =
      co_await service.TransactWithEvent(request, topology::kProductUpdated, write, updated);
  narrate::ProductUpdated(request.trace(), product);
  boost::json::object body = ToJson(product);
  body["event_published"] = true;
  co_return Reply{200, body};
}

Task<Reply> ListProducts(Service& service, const Request&) {
  co_return co_await service.Transact([](pqxx::work& tx) { return ProductListReply(tx); });
}

Task<Reply> GetProduct(Service& service, const Request& request) {
  std::int64_t id = request.PathId("product");
  co_return co_await service.Transact([&](pqxx::work& tx) { return ProductReply(tx, id); });
}

void AddRoutes(Service& service) {
  service.UseOutbox();
  service.Put("/products/{id}", UpdateProduct);
  service.Get("/products", ListProducts);
  service.Get("/products/{id}", GetProduct);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("product", argc, argv, flowbench::async::AddRoutes);
}
