// analytics (scenarios 6 and 3).
//  - POST /track_click publishes click_tracked and answers once the broker has it; its
//    click consumer buffers clicks and writes them in batches (ClickBuffer: N rows or T ms),
//    acking each message only after its batch committed; GET /clicks/count;
//  - logs each product_updated from the fan-out exchange (a waiting step).
//
// Consumes: click_tracked_queue, analytics_product_updates_queue.
#include "asynchronous/runtime/click_buffer.hpp"
#include "asynchronous/runtime/service.hpp"
#include "asynchronous/services/product_update_step.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"

namespace flowbench::async {
namespace {

// Published, then written in a batch with others.
Task<Reply> TrackClick(Service& service, const Request& request) {
  ClickRequest click = ParseClickRequest(request.body());
  ClickTracked event{click.user_id, click.page};
  Origin origin = Origin::Of(request);
  co_await service.PublishAccepted(topology::kClickTracked, event, origin);
  co_return Reply{200, {{"status", "tracked"}}};
}

Task<Outcome> BufferClick(ClickBuffer& clicks, const IncomingMessage& message) {
  auto event = PayloadAs<ClickTracked>(message.envelope);
  ClickRow row{ClickRequest{event.user_id, event.page}, message.envelope.accepted_at,
               message.envelope.message_id, message.request_id};
  co_await clicks.Add(std::move(row));
  RecordSpan(message.trace, span::kWrite, "clicks row written (in a batch with others)",
             {{"table", "clicks"}});
  co_return Outcome::kDone;
}

// One batch of clicks, one multi-row INSERT.
Task<void> WriteClicks(Service& service, std::vector<ClickRow> rows) {
  bool write = service.workload().write_clicks;
  std::vector<bool> written = co_await service.Transact([&rows, write](pqxx::work& tx) {
    return write ? InsertClicks(tx, rows) : std::vector<bool>(rows.size(), true);
  });
  // Completion counts from the click's acceptance; clicked_at is that moment. A redelivered
  // click whose row was written before (its ack was lost) records nothing: its work was done
  // and recorded once already (§7).
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!written[i]) continue;
    service.CompleteScenario(scenario::kClickBuffering, rows[i].clicked_at, rows[i].request_id,
                             WorkOutcome::kDone);
  }
}

Task<Reply> GetClickCount(Service& service, const Request&) {
  co_return co_await service.Transact([](pqxx::work& tx) { return ClickCountReply(tx); });
}

void AddRoutes(Service& service) {
  service.Post("/track_click", TrackClick);
  auto clicks = std::make_shared<ClickBuffer>(
      service.io(), service.settings().click_batch_size, service.settings().click_flush_interval,
      [&service](std::vector<ClickRow> rows) { return WriteClicks(service, std::move(rows)); });
  // Room for a full batch being written while the next one fills.
  int prefetch = std::max(service.settings().prefetch, 2 * service.settings().click_batch_size);
  service.Consume(
      topology::kClickTrackedQueue,
      [clicks](Service&, const IncomingMessage& message) { return BufferClick(*clicks, message); },
      prefetch);
  service.Get("/clicks/count", GetClickCount);
  AddProductUpdateStep(service, topology::kAnalyticsProductUpdatesQueue, kAnalyticsPart);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("analytics", argc, argv, flowbench::async::AddRoutes);
}
