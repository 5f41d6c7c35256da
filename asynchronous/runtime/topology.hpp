// Declaring the RabbitMQ topology of CONTRACT.md §4, whose names are data in
// common/domain/topology.hpp (topology::kUserRegisteredQueue, ...). Every service declares
// all of it when it connects (idempotent: durable exchanges and queues, same arguments), so
// no start order can make a publish land in an exchange with no queue bound yet, and a
// broker restart finds it again.
//
// What is declared is a list first (QueueDeclaration), then sent to the broker: the list is
// unit-tested against topology::DeclaredQueues, the names the driver purges between runs.
#pragma once

#include <string>
#include <vector>

#include "asynchronous/runtime/retry_policy.hpp"
#include "common/amqp/connection.hpp"
#include "common/domain/topology.hpp"

namespace flowbench::async {

struct QueueDeclaration {
  std::string name;
  QueueOptions options;
  std::string bound_to;  // a fan-out exchange, or "" (the default exchange only)
};

// Every queue is of one type, `queue_type` ("classic" or "quorum", AsyncRuntimeSettings::
// queue_type): the work queues, their delay queues and their dead-letter queues alike, so a
// message moved between them (retry, dead-lettering) is replicated as much wherever it is.
// A classic queue is declared without x-queue-type (as before; the broker's default).

// Every queue of common/domain/topology.hpp with its binding.
std::vector<QueueDeclaration> ContractQueueDeclarations(const std::string& queue_type = "classic");
// A consumed queue's delay queues (one per retry) and its dead-letter queue.
std::vector<QueueDeclaration> RetryQueueDeclarations(const std::string& queue,
                                                     const RetryPolicy& policy,
                                                     const std::string& queue_type = "classic");

// Declares every exchange, queue and binding of common/domain/topology.hpp.
void DeclareContractTopology(AmqpConnection& connection, const std::string& queue_type = "classic");

// Declares a consumed queue's delay queues (one per retry) and its dead-letter queue.
void DeclareRetryQueues(AmqpConnection& connection, const std::string& queue,
                        const RetryPolicy& policy, const std::string& queue_type = "classic");

}  // namespace flowbench::async
