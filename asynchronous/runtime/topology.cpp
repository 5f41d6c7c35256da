#include "asynchronous/runtime/topology.hpp"

namespace flowbench::async {
namespace {

void Declare(AmqpConnection& connection, const std::vector<QueueDeclaration>& queues) {
  for (const QueueDeclaration& q : queues) {
    connection.DeclareQueue(q.name, q.options);
    if (!q.bound_to.empty()) connection.BindQueue(q.name, q.bound_to);
  }
}

}  // namespace

std::vector<QueueDeclaration> ContractQueueDeclarations() {
  std::vector<QueueDeclaration> queues;
  for (const topology::QueueBinding& q : topology::kQueues) {
    queues.push_back({std::string(q.queue), {}, std::string(q.exchange)});
  }
  return queues;
}

std::vector<QueueDeclaration> RetryQueueDeclarations(const std::string& queue,
                                                     const RetryPolicy& policy) {
  std::vector<QueueDeclaration> queues;
  for (int retry = 1; retry <= policy.attempts(); ++retry) {
    std::chrono::milliseconds delay = policy.DelayOf(retry);
    QueueOptions options;
    options.dead_letter_exchange = "";        // the default exchange ...
    options.dead_letter_routing_key = queue;  // ... back into the consumed queue
    options.message_ttl_ms = delay.count();
    queues.push_back({RetryPolicy::DelayQueue(queue, delay), options, ""});
  }
  queues.push_back({RetryPolicy::DeadLetterQueue(queue), {}, ""});
  return queues;
}

void DeclareContractTopology(AmqpConnection& connection) {
  for (std::string_view exchange : topology::kFanOutExchanges) {
    connection.DeclareExchange(std::string(exchange), "fanout");
  }
  Declare(connection, ContractQueueDeclarations());
}

void DeclareRetryQueues(AmqpConnection& connection, const std::string& queue,
                        const RetryPolicy& policy) {
  Declare(connection, RetryQueueDeclarations(queue, policy));
}

}  // namespace flowbench::async
