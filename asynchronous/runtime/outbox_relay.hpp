// The transactional outbox (CONTRACT §4.5). A front writes its row and the event that must
// follow it in ONE transaction (EnqueueOutbox into the `outbox` table), so a committed row
// always has its event, whatever the broker does. The relay, a coroutine on the service's
// event loop, then reads this service's unsent events in order, publishes them with
// confirms, deletes the confirmed ones, and retries the rest with back-off while the broker
// is away. It is woken at once by Notify() after a commit, and polls in case a previous
// process of the service left rows behind.
//
// Delivery is at least once: a crash between the confirm and the delete publishes the event
// again, which the consumers' idempotency keys (the message id, §7) absorb.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "asynchronous/runtime/net.hpp"
#include "asynchronous/runtime/publisher.hpp"

namespace pqxx {
class transaction_base;
}
namespace prometheus {
class Gauge;
class Histogram;
}  // namespace prometheus

namespace flowbench {
class ConnectionPool;
class Metrics;
}  // namespace flowbench

namespace flowbench::async {

// The relay's hop in a sampled trace: a "publish" span whose text starts with this, so the
// demo's timeline shows the relay after the front's answer.
inline constexpr std::string_view kOutboxRelaySpan = "outbox relay";

// Stores `message` (of event `type`) as unsent, in the caller's transaction, for `producer`'s
// relay.
void EnqueueOutbox(pqxx::transaction_base& tx, std::string_view producer, std::string_view type,
                   const OutgoingMessage& message);

class OutboxRelay {
 public:
  OutboxRelay(net::io_context& io, std::string producer, ConnectionPool& database,
              net::thread_pool& db_threads, Publisher& publisher, Metrics& metrics);
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Spawns the relay coroutine on the event loop.
  void Start();
  // A row was committed: relay it now rather than at the next poll. Event-loop thread only.
  void Notify();
  // Ends the relay after the batch in hand; the rows not sent stay for the next process.
  void RequestStop();
  bool Finished() const { return finished_; }

 private:
  struct Row;
  enum class Relayed {
    kAll,      // the outbox is empty now
    kMore,     // a full batch went out and more rows wait
    kRefused,  // the broker did not take some rows: back off
  };
  Task<void> Run();
  Task<Relayed> RelayBatch();
  Task<void> Sleep(std::chrono::milliseconds duration);

  net::io_context& io_;
  std::string producer_;
  ConnectionPool& database_;
  net::thread_pool& db_threads_;
  Publisher& publisher_;
  net::steady_timer wake_;
  bool notified_ = false;
  bool backing_off_ = false;
  bool stopping_ = false;
  bool finished_ = true;
  prometheus::Gauge& pending_;
  prometheus::Histogram& commit_to_confirm_;
};

}  // namespace flowbench::async
