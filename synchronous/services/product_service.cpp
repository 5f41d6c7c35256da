// product (scenario 3, fan-out): PUT /products/{id} updates the product, then tells search,
// cache and analytics about it, one after another, and answers once all three have
// answered. Each target has its own circuit breaker: a dead one costs nothing once its
// circuit is open, and the answer says clearly which one was not told (503).
// GET /products and /products/{id} read the table.
//
// Calls: search POST /reindex and cache POST /invalidate (idempotent: retried),
//        analytics POST /log_update (appends a log entry: never retried).
#include "common/domain/errors.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/step_names.hpp"
#include "common/scenarios/stores.hpp"
#include "common/service/error_mapping.hpp"
#include "common/telemetry/log.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

struct FanOutCall {
  const FanOutPart& part;
  Idempotency idempotency;
};

constexpr FanOutCall kFanOut[] = {
    {kSearchPart, Idempotency::kIdempotent},
    {kCachePart, Idempotency::kIdempotent},
    {kAnalyticsPart, Idempotency::kNotIdempotent},
};

Reply UpdateProduct(Service& service, const Request& request) {
  std::int64_t id = request.PathId("product");
  ProductUpdate update = ParseProductUpdate(request.body());
  Product product =
      service.Transact([&](pqxx::work& tx) { return flowbench::UpdateProduct(tx, id, update); });
  narrate::ProductUpdated(request.trace(), product);
  // The fan-out: one blocking call after another.
  boost::json::array not_notified;
  std::string first_failure;
  for (const FanOutCall& call : kFanOut) {
    try {
      service.Peer(call.part.name)
          .Post(call.part.sync_path, ToJson(product), request.origin(), call.idempotency);
    } catch (const ServiceUnavailable& e) {
      not_notified.push_back(boost::json::string(call.part.name));
      if (first_failure.empty()) first_failure = e.what();
    }
  }
  if (!not_notified.empty()) {
    log::Warn("product updated, fan-out incomplete",
              {{"product_id", id}, {"not_notified", not_notified}}, request.trace_id());
    boost::json::object body =
        ErrorBody("service_unavailable",
                  "product " + std::to_string(id) +
                      " was updated, but not every service was told: " + first_failure);
    body["product"] = ToJson(product);
    body["not_notified"] = not_notified;
    // The work ended without all of its parts: recorded, but not a completion in the histogram.
    service.RecordCompletion(scenario::kProductFanOut, request, WorkOutcome::kFailed);
    return Reply{503, body};
  }
  service.CompleteScenario(scenario::kProductFanOut, request, WorkOutcome::kDone);
  return Reply{200, ToJson(product)};
}

Reply ListProducts(Service& service, const Request&) {
  return service.Transact([](pqxx::work& tx) { return ProductListReply(tx); });
}

Reply GetProduct(Service& service, const Request& request) {
  std::int64_t id = request.PathId("product");
  return service.Transact([&](pqxx::work& tx) { return ProductReply(tx, id); });
}

void AddRoutes(Service& service) {
  for (const FanOutCall& call : kFanOut) service.AddPeer(call.part.name);
  service.Put("/products/{id}", UpdateProduct);
  service.Get("/products", ListProducts);
  service.Get("/products/{id}", GetProduct);
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("product", argc, argv, flowbench::sync::AddRoutes);
}
