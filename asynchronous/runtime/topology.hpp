// Declaring the RabbitMQ topology of CONTRACT §4, whose names are data in
// common/domain/topology.hpp (topology::kUserRegisteredQueue, ...). Every service declares
// all of it when it connects (idempotent: durable exchanges and queues, same arguments), so
// no start order can make a publish land in an exchange with no queue bound yet, and a
// broker restart finds it again.
#pragma once

#include <string>

#include "asynchronous/runtime/retry_policy.hpp"
#include "common/domain/topology.hpp"

namespace flowbench {
class AmqpConnection;
}

namespace flowbench::async {

// Declares every exchange, queue and binding of common/domain/topology.hpp.
void DeclareContractTopology(AmqpConnection& connection);

// Declares a consumed queue's delay queues (one per retry) and its dead-letter queue.
void DeclareRetryQueues(AmqpConnection& connection, const std::string& queue,
                        const RetryPolicy& policy);

}  // namespace flowbench::async
