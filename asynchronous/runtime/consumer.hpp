// The consuming side: one AMQP connection per consumed queue, owned by one thread that only
// moves frames. Each delivery is handed to the event loop, where its handler runs as a
// coroutine (waiting steps are timers, so a process works on up to `prefetch` messages at
// once); the thread acknowledges it only after the handler finished. A failure is sorted
// (ClassifyFailure): a dependency that is away holds the message for a growing delay and
// requeues it, using up no attempt; a message that does not decode goes to <queue>.dlq at
// once; the handler's own error is retried through a delay queue with a growing TTL
// (RetryPolicy), and after the last attempt published to <queue>.dlq. A copy is confirmed
// before the original is acked, so a failure never loses the message. On a lost connection the
// thread reconnects with back-off; the deliveries it had not acked come back from the broker
// (handlers are idempotent by message_id). On shutdown it stops taking deliveries, waits for
// the handlers in flight, and when the drain runs out of time hands the rest back unacked.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "asynchronous/runtime/net.hpp"
#include "asynchronous/runtime/retry_policy.hpp"
#include "asynchronous/runtime/settings.hpp"
#include "asynchronous/runtime/wakeup.hpp"
#include "common/amqp/connection.hpp"
#include "common/domain/events.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench {
class CompletionLog;
class Metrics;
}  // namespace flowbench

namespace flowbench::async {

class Publisher;

struct IncomingMessage {
  Envelope envelope;
  TraceContext trace;      // from the traceparent header (a new root when it has none)
  std::string request_id;  // from the x-request-id header (cleaned; empty when none)
  int attempt = 0;         // retries this message has had
  bool redelivered = false;
};

enum class Outcome {
  kDone,       // the work is done: ack
  kDuplicate,  // already done before (a redelivery): ack, counted as duplicate
  // The message is about a row its producer withdrew because the publish seemed to fail (a
  // lost confirm can still leave the message in the broker): refused, acked, counted as
  // withdrawn. Retrying could never find the row.
  kWithdrawn,
  // The message asks for a change its row's state forbids (a payment_succeeded for an order
  // that is no longer pending): nothing is done, acked, counted as refused. The handler logs
  // why; retrying could never make the change allowed.
  kRefused,
};

using DeliveryHandler = std::function<Task<Outcome>(const IncomingMessage&)>;

struct ConsumerSpec {
  std::string queue;
  int prefetch = 0;  // 0: AsyncRuntimeSettings::prefetch
  DeliveryHandler handler;
};

class Consumer {
 public:
  // `completions`: where a message given up on (dead-lettered) or refused as withdrawn ends
  // its request's work, for the scenario of the queue.
  Consumer(net::io_context& io, std::string amqp_url, std::string connection_name,
           ConsumerSpec spec, const AsyncRuntimeSettings& settings, Publisher& publisher,
           Metrics& metrics, CompletionLog& completions);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  void Start();
  // Stops taking deliveries; the thread exits once the handlers in flight have been acked
  // (Finished()), or at Join().
  void RequestStop();
  // After RequestStop, when the drain ran out of time: the thread stops waiting for the
  // handlers in flight and closes the connection, which hands their deliveries back to the
  // broker (requeued, redelivered to the next consumer; never lost, never acked undone).
  void HandBackUnacked();
  bool Finished() const { return finished_; }
  void Join();

  bool Connected() const { return connected_; }
  const std::string& queue() const { return spec_.queue; }

 private:
  struct Settlement {
    std::uint64_t generation = 0;  // the connection the delivery came on
    std::uint64_t delivery_tag = 0;
    bool ack = true;  // false: reject and requeue (the retry copy could not be published)
  };

  void Run();
  void Serve(AmqpConnection& connection, std::uint64_t generation);
  Task<void> Handle(Delivery delivery, std::uint64_t generation);
  void Settle(Settlement settlement);
  // The declared queues' type; "auto" left unresolved (a test's settings) is classic.
  std::string QueueType() const { return settings_.queue_type == "quorum" ? "quorum" : "classic"; }

  net::io_context& io_;
  std::string url_;            // a comma-separated list: a cluster's nodes
  std::size_t next_node_ = 0;  // of url_, tried first at the next connect (its thread only)
  std::string name_;
  ConsumerSpec spec_;
  const AsyncRuntimeSettings& settings_;
  RetryPolicy retry_;
  Publisher& publisher_;
  Metrics& metrics_;
  CompletionLog& completions_;
  std::string_view scenario_;  // of the queue's messages (topology::ScenarioOfQueue)
  // Dependency failures in a row (event-loop thread only): the back-off of held messages.
  int dependency_failures_ = 0;

  std::mutex mutex_;
  std::deque<Settlement> settlements_;
  Wakeup wakeup_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> hand_back_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> connected_{false};
  std::thread thread_;
};

}  // namespace flowbench::async
