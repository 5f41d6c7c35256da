// cache (scenario 3): invalidates the cached product of each product_updated (a waiting step).
//
// Consumes: cache_product_updates_queue (bound to the product_updates fan-out exchange).
#include "asynchronous/services/product_update_step.hpp"

namespace flowbench::async {
namespace {

void AddRoutes(Service& service) {
  AddProductUpdateStep(service, topology::kCacheProductUpdatesQueue, kCachePart);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("cache", argc, argv, flowbench::async::AddRoutes);
}
