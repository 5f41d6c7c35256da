#include "asynchronous/runtime/topology.hpp"

#include "common/amqp/connection.hpp"

namespace flowbench::async {

void DeclareContractTopology(AmqpConnection& connection) {
  for (std::string_view exchange : topology::kFanOutExchanges) {
    connection.DeclareExchange(std::string(exchange), "fanout");
  }
  for (const topology::QueueBinding& q : topology::kQueues) {
    connection.DeclareQueue(std::string(q.queue));
    if (!q.exchange.empty()) connection.BindQueue(std::string(q.queue), std::string(q.exchange));
  }
}

void DeclareRetryQueues(AmqpConnection& connection, const std::string& queue,
                        const RetryPolicy& policy) {
  for (int retry = 1; retry <= policy.attempts(); ++retry) {
    std::chrono::milliseconds delay = policy.DelayOf(retry);
    QueueOptions options;
    options.dead_letter_exchange = "";        // the default exchange ...
    options.dead_letter_routing_key = queue;  // ... back into the consumed queue
    options.message_ttl_ms = delay.count();
    connection.DeclareQueue(RetryPolicy::DelayQueue(queue, delay), options);
  }
  connection.DeclareQueue(RetryPolicy::DeadLetterQueue(queue));
}

}  // namespace flowbench::async
