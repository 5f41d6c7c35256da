// The product service, scenario 3 (fan-out): PUT /products/{id} updates the product, then
// tells search, cache and analytics about it, one after another, and answers once all three
// have answered. Each target has its own circuit breaker: a dead one costs nothing once its
// circuit is open, and the answer says clearly which one was not told (503).
//
// Calls: search POST /reindex and cache POST /invalidate (idempotent: retried),
//        analytics POST /log_update (appends a log entry: never retried).
// Reads: GET /products, GET /products/{id}.
#include "common/domain/errors.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/error_reply.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

struct FanOutStep {
  Downstream& target;
  const char* path;
  Idempotency idempotency;
};

void AddRoutes(Service& service) {
  const FanOutStep steps[] = {
      {service.Peer("search"), "/reindex", Idempotency::kIdempotent},
      {service.Peer("cache"), "/invalidate", Idempotency::kIdempotent},
      {service.Peer("analytics"), "/log_update", Idempotency::kNotIdempotent},
  };

  service.Put("/products/{id}", [&service, steps](const Call& call) {
    std::int64_t id = call.PathId("product");
    ProductUpdate update = ParseProductUpdate(call.body());
    Product product =
        service.db().Transact([&](pqxx::work& tx) { return UpdateProduct(tx, id, update); });
    RecordSpan(
        call.trace(), span::kWrite,
        "products " + std::to_string(id) + " updated (stock " + std::to_string(product.stock) + ")",
        {{"table", "products"}, {"id", id}});

    boost::json::array not_notified;
    std::string first_failure;
    for (const FanOutStep& step : steps) {
      try {
        step.target.Post(step.path, ToJson(product), call.trace(), step.idempotency);
      } catch (const ServiceUnavailable& e) {
        not_notified.push_back(boost::json::string(step.target.target()));
        if (first_failure.empty()) first_failure = e.what();
      }
    }
    if (!not_notified.empty()) {
      log::Warn("product updated, fan-out incomplete",
                {{"product_id", id}, {"not_notified", not_notified}}, call.trace_id());
      boost::json::object body =
          ErrorBody("service_unavailable",
                    "product " + std::to_string(id) +
                        " was updated, but not every service was told: " + first_failure);
      body["product"] = ToJson(product);
      body["not_notified"] = not_notified;
      return Reply{503, body};
    }
    service.CompleteScenario("scenario3", call);
    return Reply{200, ToJson(product)};
  });

  service.Get("/products", [&service](const Call&) {
    boost::json::array products;
    for (const Product& p : service.db().Transact(ListProducts)) products.push_back(ToJson(p));
    std::size_t count = products.size();
    return Reply{200, {{"products", products}, {"count", count}}};
  });

  service.Get("/products/{id}", [&service](const Call& call) {
    std::int64_t id = call.PathId("product");
    auto product = service.db().Transact([&](pqxx::work& tx) { return FindProduct(tx, id); });
    if (!product) throw NotFound("product " + std::to_string(id) + " does not exist");
    return Reply{200, ToJson(*product)};
  });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("product", argc, argv, flowbench::sync::AddRoutes);
}
