#include "asynchronous/runtime/topology.hpp"

#include <stdexcept>

namespace flowbench::async {
namespace {

void Declare(AmqpConnection& connection, const std::vector<QueueDeclaration>& queues) {
  for (const QueueDeclaration& q : queues) {
    connection.DeclareQueue(q.name, q.options);
    if (!q.bound_to.empty()) connection.BindQueue(q.name, q.bound_to);
  }
}

QueueOptions OfType(const std::string& queue_type) {
  if (queue_type != "classic" && queue_type != "quorum") {
    throw std::invalid_argument("queue type '" + queue_type + "' is not classic or quorum");
  }
  QueueOptions options;
  if (queue_type == "quorum") options.queue_type = "quorum";
  return options;
}

}  // namespace

std::vector<QueueDeclaration> ContractQueueDeclarations(const std::string& queue_type) {
  std::vector<QueueDeclaration> queues;
  for (const topology::QueueBinding& q : topology::kQueues) {
    queues.push_back({std::string(q.queue), OfType(queue_type), std::string(q.exchange)});
  }
  return queues;
}

std::vector<QueueDeclaration> RetryQueueDeclarations(const std::string& queue,
                                                     const RetryPolicy& policy,
                                                     const std::string& queue_type) {
  std::vector<QueueDeclaration> queues;
  for (int retry = 1; retry <= policy.attempts(); ++retry) {
    std::chrono::milliseconds delay = policy.DelayOf(retry);
    // Quorum queues keep a message TTL and dead-letter expired messages (RabbitMQ 3.10+).
    QueueOptions options = OfType(queue_type);
    options.dead_letter_exchange = "";        // the default exchange ...
    options.dead_letter_routing_key = queue;  // ... back into the consumed queue
    options.message_ttl_ms = delay.count();
    queues.push_back({RetryPolicy::DelayQueue(queue, delay), options, ""});
  }
  queues.push_back({RetryPolicy::DeadLetterQueue(queue), OfType(queue_type), ""});
  return queues;
}

void DeclareContractTopology(AmqpConnection& connection, const std::string& queue_type) {
  for (std::string_view exchange : topology::kFanOutExchanges) {
    connection.DeclareExchange(std::string(exchange), "fanout");
  }
  Declare(connection, ContractQueueDeclarations(queue_type));
}

void DeclareRetryQueues(AmqpConnection& connection, const std::string& queue,
                        const RetryPolicy& policy, const std::string& queue_type) {
  Declare(connection, RetryQueueDeclarations(queue, policy, queue_type));
}

}  // namespace flowbench::async
