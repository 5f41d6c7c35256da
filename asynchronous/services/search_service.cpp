// search (scenario 3): reindexes the product of each product_updated (a waiting step).
//
// Consumes: search_product_updates_queue (bound to the product_updates fan-out exchange).
#include "asynchronous/services/product_update_step.hpp"

namespace flowbench::async {
namespace {

void AddRoutes(Service& service) {
  AddProductUpdateStep(service, topology::kSearchProductUpdatesQueue, kSearchPart);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("search", argc, argv, flowbench::async::AddRoutes);
}
