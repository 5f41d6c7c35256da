// analytics (scenarios 3 and 6).
//  - POST /track_click publishes click_tracked and answers once the broker has it;
//  - its click consumer buffers clicks and writes them in batches (ClickBuffer: N rows or
//    T ms), acking each message only after its batch committed; GET /clicks/count;
//  - its fan-out consumer logs each product_updated (a waiting step).
#include "asynchronous/runtime/click_buffer.hpp"
#include "asynchronous/runtime/service.hpp"
#include "asynchronous/services/product_update_step.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"

using namespace flowbench;
using namespace flowbench::async;

int main(int argc, char** argv) {
  return RunService("analytics", argc, argv, [](ServiceContext& ctx) {
    ctx.Post("/track_click", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      ClickRequest click = ParseClickRequest(request.body);
      ClickTracked event{click.user_id, click.page};
      Origin origin = Origin::Of(request);
      co_await ctx.PublishAccepted(topology::kClickTracked, event, origin);
      co_return JsonResponse(200, {{"status", "tracked"}});
    });

    ctx.Get("/clicks/count", [&ctx](const HttpRequest&) -> Task<HttpResponse> {
      std::int64_t count = co_await ctx.Transact([](pqxx::work& tx) { return CountClicks(tx); });
      co_return JsonResponse(200, {{"count", count}});
    });

    auto clicks = std::make_shared<ClickBuffer>(
        ctx.io(), ctx.settings().click_batch_size, ctx.settings().click_flush_interval,
        [&ctx](std::vector<ClickRow> rows) -> Task<void> {
          bool write = ctx.workload().write_clicks;
          co_await ctx.Transact([&rows, write](pqxx::work& tx) {
            return write ? InsertClicks(tx, rows) : std::size_t{0};
          });
          // Completion counts from the click's acceptance; clicked_at is that moment.
          for (const ClickRow& row : rows) ctx.ObserveCompletion("scenario6", row.clicked_at);
        });
    // Room for a full batch being written while the next one fills.
    int prefetch = std::max(ctx.settings().prefetch, 2 * ctx.settings().click_batch_size);
    ctx.Consume(
        topology::kClickTrackedQueue,
        [clicks](const IncomingMessage& message) -> Task<Outcome> {
          auto event = PayloadAs<ClickTracked>(message.envelope);
          ClickRow row{ClickRequest{event.user_id, event.page}, message.envelope.accepted_at,
                       message.envelope.message_id};
          co_await clicks->Add(std::move(row));
          RecordSpan(message.trace, span::kWrite, "clicks row written (in a batch with others)",
                     {{"table", "clicks"}});
          co_return Outcome::kDone;
        },
        prefetch);

    ctx.Consume(topology::kAnalyticsProductUpdatesQueue,
                ProductUpdateStep(ctx, "analytics", ctx.workload().analytics_log_delay));
  });
}
