// cache (scenario 3): invalidates an updated product's entries when product calls it (a
// waiting step).
//
// Serves (internal): POST /invalidate {"id", "name", "stock"} -> 200 {"invalidated": id}.
#include "synchronous/services/product_update_step.hpp"

namespace flowbench::sync {
namespace {

void AddRoutes(Service& service) { AddProductUpdateStep(service, kCachePart); }

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("cache", argc, argv, flowbench::sync::AddRoutes);
}
