// cache (scenario 3): invalidates the cached product of each product_updated (a waiting step).
#include "asynchronous/runtime/service.hpp"
#include "asynchronous/services/product_update_step.hpp"

using namespace flowbench;
using namespace flowbench::async;

int main(int argc, char** argv) {
  return RunService("cache", argc, argv, [](ServiceContext& ctx) {
    ctx.Consume(topology::kCacheProductUpdatesQueue,
                ProductUpdateStep(ctx, "cache", ctx.workload().cache_invalidation_delay));
  });
}
