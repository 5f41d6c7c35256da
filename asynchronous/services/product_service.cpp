// product (scenario 3, fan-out): PUT /products/{id} updates the product and publishes one
// product_updated to the product_updates fan-out exchange; search, cache and analytics each
// get their own copy. GET /products and /products/{id} read the table.
#include "asynchronous/runtime/service.hpp"
#include "common/domain/errors.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"

using namespace flowbench;
using namespace flowbench::async;

int main(int argc, char** argv) {
  return RunService("product", argc, argv, [](ServiceContext& ctx) {
    ctx.Put("/products/{id}", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      std::int64_t id = request.IdParam("id");
      ProductUpdate update = ParseProductUpdate(request.body);
      Product product =
          co_await ctx.Transact([&](pqxx::work& tx) { return UpdateProduct(tx, id, update); });
      RecordSpan(request.trace, span::kWrite,
                 "products " + std::to_string(id) + " updated (stock " +
                     std::to_string(product.stock) + ")",
                 {{"table", "products"}, {"id", id}});
      ProductUpdated event{product.id, product.name, product.stock};
      Origin origin = Origin::Of(request);
      co_await ctx.PublishAccepted(topology::kProductUpdated, event, origin);
      boost::json::object body = ToJson(product);
      body["event_published"] = true;
      co_return JsonResponse(200, body);
    });

    ctx.Get("/products", [&ctx](const HttpRequest&) -> Task<HttpResponse> {
      std::vector<Product> products =
          co_await ctx.Transact([](pqxx::work& tx) { return ListProducts(tx); });
      boost::json::array list;
      for (const Product& p : products) list.push_back(ToJson(p));
      co_return JsonResponse(200, {{"products", list}, {"count", products.size()}});
    });

    ctx.Get("/products/{id}", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      std::int64_t id = request.IdParam("id");
      std::optional<Product> product =
          co_await ctx.Transact([&](pqxx::work& tx) { return FindProduct(tx, id); });
      if (!product) throw NotFound("product " + std::to_string(id) + " does not exist");
      co_return JsonResponse(200, ToJson(*product));
    });
  });
}
