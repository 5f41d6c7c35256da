// search (scenario 3): reindexes an updated product when product calls it (a waiting step).
//
// Serves (internal): POST /reindex {"id", "name", "stock"} -> 200 {"reindexed": id}.
#include "synchronous/services/product_update_step.hpp"

namespace flowbench::sync {
namespace {

void AddRoutes(Service& service) { AddProductUpdateStep(service, kSearchPart); }

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("search", argc, argv, flowbench::sync::AddRoutes);
}
