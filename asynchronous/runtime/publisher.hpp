// The publishing side of a service: one AMQP connection in confirm mode, owned by one thread.
// Coroutines hand it messages and (by default) wait until the broker confirmed them, so a
// request is answered only once its message is safe. Up to `confirm_window` publishes are
// unconfirmed at a time (measured with rabbitmq-c on this project's 2-core machines: ~20k
// persistent msg/s with a window of 100, ~2.4k/s one by one).
// A nack, a lost connection or no confirm in time is a ServiceUnavailable (503); while the
// broker is away the thread reconnects with back-off and publishes fail at once, and so do
// they when 10 confirm windows of messages already wait (the broker is not keeping up), and
// while a resource alarm blocks publishing (connection.blocked, until connection.unblocked).
// A lost connection fails every waiter at once: the unconfirmed and the queued alike. A send
// the broker does not take within 2 s cuts the connection (the thread never hangs in one).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "asynchronous/runtime/net.hpp"
#include "asynchronous/runtime/settings.hpp"
#include "asynchronous/runtime/wakeup.hpp"

namespace flowbench {
class AmqpConnection;
class Metrics;
}  // namespace flowbench

namespace flowbench::async {

struct OutgoingMessage {
  std::string exchange;
  std::string routing_key;
  std::string body;
  std::string message_id;
  std::map<std::string, std::string> headers;           // traceparent
  std::map<std::string, std::int64_t> integer_headers;  // x-flowbench-attempt
};

class Publisher {
 public:
  Publisher(net::io_context& io, std::string amqp_url, std::string connection_name,
            const AsyncRuntimeSettings& settings, Metrics& metrics);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  void Start();
  // Publishes what is queued, waits (bounded) for the outstanding confirms, closes.
  void Stop();

  // wait_for_confirm: return once the broker confirmed (else once the thread took it).
  // Throws ServiceUnavailable when the message is not safely in the broker.
  Task<void> Publish(OutgoingMessage message, bool wait_for_confirm);

  // Publishes `messages` and waits until the broker settled every one, or the confirm
  // timeout: for each, nullopt when confirmed, else why not. Never throws for a refusal:
  // the outbox relay keeps what was not confirmed and tries again.
  Task<std::vector<std::optional<std::string>>> PublishBatch(std::vector<OutgoingMessage> messages);

  bool Connected() const { return connected_; }

 private:
  using Completion = std::function<void(std::optional<std::string> error)>;
  struct Pending {
    OutgoingMessage message;
    Completion done;
  };

  void Run();
  void Serve(AmqpConnection& connection);
  void FailQueued(const std::string& why);
  std::string BlockedReason();
  std::size_t QueueBound() const;  // messages waiting for the thread at most

  net::io_context& io_;
  std::string url_;            // a comma-separated list: a cluster's nodes
  std::size_t next_node_ = 0;  // of url_, tried first at the next connect (its thread only)
  std::string name_;
  const AsyncRuntimeSettings& settings_;
  Metrics& metrics_;

  std::mutex mutex_;
  std::deque<Pending> queue_;
  Wakeup wakeup_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::atomic<bool> blocked_{false};  // by a resource alarm of the broker
  std::string blocked_reason_;        // guarded by mutex_
  std::thread thread_;
};

}  // namespace flowbench::async
