// search (scenario 3): reindexes the product of each product_updated (a waiting step).
#include "asynchronous/runtime/service.hpp"
#include "asynchronous/services/product_update_step.hpp"

using namespace flowbench;
using namespace flowbench::async;

int main(int argc, char** argv) {
  return RunService("search", argc, argv, [](ServiceContext& ctx) {
    ctx.Consume(topology::kSearchProductUpdatesQueue,
                ProductUpdateStep(ctx, "search", ctx.workload().search_reindex_delay));
  });
}
