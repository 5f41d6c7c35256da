// flowbench dlq list | redrive QUEUE: the dead-letter queues of the async build (CONTRACT
// §4.3). `list` shows every consumed queue's <queue>.dlq with its depth and the type and id
// of its first message. `redrive` moves a DLQ's messages back to their queue, for its consumer
// to handle again with fresh attempts. Each message is republished and confirmed by the
// broker before it is acked from the DLQ: a crash in between leaves it in both places (the
// consumers are idempotent by message_id, CONTRACT §7), never in neither.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "bench/cli/commands.hpp"
#include "common/amqp/connection.hpp"
#include "common/domain/events.hpp"
#include "common/domain/topology.hpp"
#include "common/infra/infra.hpp"

namespace flowbench::cli {
namespace {

constexpr std::chrono::seconds kBrokerTimeout{5};
constexpr const char* kAttemptHeader = "x-flowbench-attempt";

struct DlqOptions {
  infra::InfraOptions infra;
  std::string queue;  // redrive: the consumed queue (or its .dlq)
  int max = 0;        // redrive: at most this many messages (0: what the DLQ holds at the start)
};

std::unique_ptr<AmqpConnection> Connect(const infra::InfraOptions& options) {
  return std::make_unique<AmqpConnection>(infra::ResolveAmqpUrl(options), kBrokerTimeout,
                                          "flowbench-dlq");
}

// "type id", or why the body is not an envelope.
std::string Describe(const Delivery& message) {
  try {
    Envelope envelope = DecodeEnvelope(message.body);
    return envelope.type + " " + envelope.message_id;
  } catch (const std::exception& e) {
    return "(undecodable: " + std::string(e.what()) + ") " + message.message_id;
  }
}

void List(const DlqOptions& options) {
  auto broker = Connect(options.infra);
  std::printf("%-40s %7s  %s\n", "dead-letter queue", "depth", "first message");
  for (const topology::QueueBinding& binding : topology::kQueues) {
    const std::string dlq = topology::DeadLetterQueue(binding.queue);
    std::optional<std::uint32_t> depth = broker->QueueDepth(dlq);
    if (!depth) {
      std::printf("%-40s %7s  (not declared yet: its consumer never connected)\n", dlq.c_str(),
                  "-");
      continue;
    }
    std::string first;
    if (*depth > 0) {
      // Peeked: taken and put back at once, unchanged.
      if (std::optional<Delivery> head = broker->Get(dlq)) {
        first = Describe(*head);
        if (auto error = head->headers.find("x-flowbench-error"); error != head->headers.end()) {
          first += " (" + error->second + ")";
        }
        broker->Reject(head->delivery_tag, /*requeue=*/true);
      }
    }
    std::printf("%-40s %7u  %s\n", dlq.c_str(), *depth, first.c_str());
  }
}

// The consumed queue a name refers to ("q" or "q.dlq"); a clear error for anything else.
std::string ConsumedQueue(std::string name) {
  if (topology::IsDeadLetterQueue(name)) name.resize(name.size() - 4);
  if (topology::ScenarioOfQueue(name).empty()) {
    std::string known;
    for (const topology::QueueBinding& binding : topology::kQueues) {
      known += "\n  " + std::string(binding.queue);
    }
    throw std::invalid_argument("no consumed queue '" + name + "'; the queues are:" + known);
  }
  return name;
}

void Redrive(const DlqOptions& options) {
  const std::string queue = ConsumedQueue(options.queue);
  const std::string dlq = topology::DeadLetterQueue(queue);
  auto broker = Connect(options.infra);
  std::optional<std::uint32_t> depth = broker->QueueDepth(dlq);
  if (!depth) throw std::runtime_error(dlq + " does not exist (its consumer never connected)");
  // Bounded by what is there now: a message that fails again and comes back meanwhile is not
  // moved round in circles.
  const std::uint32_t limit = options.max > 0 ? static_cast<std::uint32_t>(options.max) : *depth;
  broker->EnableConfirms();
  std::uint32_t moved = 0;
  while (moved < limit) {
    std::optional<Delivery> message = broker->Get(dlq);
    if (!message) break;
    std::map<std::string, std::int64_t> integer_headers = message->integer_headers;
    integer_headers[kAttemptHeader] = 0;  // a fresh set of attempts
    // To the queue itself by the default exchange (a fan-out would copy it to the other
    // queues, whose consumers handled it already).
    std::uint64_t tag = broker->Publish("", queue, message->body, message->message_id,
                                        message->headers, integer_headers);
    std::optional<Confirm> confirm = broker->NextConfirm(kBrokerTimeout);
    if (!confirm || !confirm->ack || confirm->delivery_tag < tag) {
      broker->Reject(message->delivery_tag, /*requeue=*/true);
      throw std::runtime_error("RabbitMQ did not confirm the copy of message '" +
                               message->message_id + "'; it stays in " + dlq + " (" +
                               std::to_string(moved) + " moved before it)");
    }
    broker->Ack(message->delivery_tag);
    ++moved;
  }
  std::printf("moved %u message%s from %s back to %s\n", moved, moved == 1 ? "" : "s", dlq.c_str(),
              queue.c_str());
}

}  // namespace

void AddDlqCommand(CLI::App& app) {
  CLI::App* dlq = app.add_subcommand("dlq", "the async build's dead-letter queues");
  dlq->require_subcommand(1);
  auto options = std::make_shared<DlqOptions>();
  infra::BindInfraOptions(*dlq, options->infra);
  dlq->add_subcommand("list", "every dead-letter queue: depth, first message's type and id")
      ->callback([options] { List(*options); })
      ->fallthrough();
  CLI::App* redrive = dlq->add_subcommand(
      "redrive", "move a dead-letter queue's messages back to their queue (confirmed, then acked)");
  redrive->add_option("QUEUE", options->queue, "the consumed queue (or its .dlq)")->required();
  redrive->add_option("--max", options->max, "move at most this many (default: all there now)")
      ->check(CLI::NonNegativeNumber);
  redrive->callback([options] { Redrive(*options); })->fallthrough();
}

}  // namespace flowbench::cli
