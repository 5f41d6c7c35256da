#include "asynchronous/runtime/consumer.hpp"

#include <stdexcept>
#include <string_view>

#include "asynchronous/runtime/ack_window.hpp"
#include "asynchronous/runtime/publisher.hpp"
#include "asynchronous/runtime/topology.hpp"
#include "common/telemetry/completion_route.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/metrics.hpp"
#include "common/telemetry/span.hpp"
#include "common/telemetry/span_conventions.hpp"

namespace flowbench::async {
namespace {

constexpr std::chrono::milliseconds kConnectTimeout{3000};
constexpr std::chrono::milliseconds kIdlePoll{200};

// The `outcome` label of flowbench_messages_consumed_total for a handler that returned.
std::string_view OutcomeLabel(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDone:
      return "ok";
    case Outcome::kDuplicate:
      return "duplicate";
    case Outcome::kWithdrawn:
      return "withdrawn";
    case Outcome::kRefused:
      return "refused";
  }
  throw std::logic_error("unknown consumer outcome");
}

}  // namespace

Consumer::Consumer(net::io_context& io, std::string amqp_url, std::string connection_name,
                   ConsumerSpec spec, const AsyncRuntimeSettings& settings, Publisher& publisher,
                   Metrics& metrics, CompletionLog& completions)
    : io_(io),
      url_(std::move(amqp_url)),
      name_(std::move(connection_name)),
      spec_(std::move(spec)),
      settings_(settings),
      retry_(settings.retry_attempts, settings.retry_base_delay),
      publisher_(publisher),
      metrics_(metrics),
      completions_(completions),
      scenario_(topology::ScenarioOfQueue(spec_.queue)) {
  if (spec_.prefetch <= 0) spec_.prefetch = settings.prefetch;
}

Consumer::~Consumer() {
  RequestStop();
  Join();
}

void Consumer::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Consumer::RequestStop() {
  stopping_ = true;
  wakeup_.Ring();
}

void Consumer::HandBackUnacked() {
  hand_back_ = true;
  wakeup_.Ring();
}

void Consumer::Join() {
  if (thread_.joinable()) thread_.join();
}

void Consumer::Settle(Settlement settlement) {
  {
    std::lock_guard lock(mutex_);
    settlements_.push_back(settlement);
  }
  wakeup_.Ring();
}

void Consumer::Run() {
  std::chrono::milliseconds backoff{100};
  std::uint64_t generation = 0;
  while (!stopping_) {
    std::unique_ptr<AmqpConnection> connection;
    try {
      ConnectionOptions options;
      options.first_node = next_node_;
      connection = std::make_unique<AmqpConnection>(url_, kConnectTimeout, name_, options);
      DeclareContractTopology(*connection, QueueType());
      DeclareRetryQueues(*connection, spec_.queue, retry_, QueueType());
      connection->Consume(spec_.queue, static_cast<std::uint16_t>(spec_.prefetch));
    } catch (const std::exception& e) {
      connected_ = false;
      log::Warn("consumer cannot connect to RabbitMQ; retrying",
                {{"queue", spec_.queue}, {"error", e.what()}, {"retry_in_ms", backoff.count()}});
      wakeup_.Wait(-1, backoff);
      backoff = std::min(backoff * 2, settings_.reconnect_max_delay);
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    connected_ = true;
    log::Info("consuming", {{"queue", spec_.queue},
                            {"prefetch", spec_.prefetch},
                            {"node", connection->NodeIndex() + 1}});
    Serve(*connection, ++generation);
    connected_ = false;
    // Its node may have died: a cluster's next node is tried first (a single URL: the same).
    next_node_ = connection->NodeIndex() + 1;
  }
  finished_ = true;
}

void Consumer::Serve(AmqpConnection& connection, std::uint64_t generation) {
  std::size_t in_flight = 0;  // handed to the event loop, not yet settled
  AckWindow acks;             // this connection's deliveries (tags are per channel)
  try {
    for (;;) {
      std::deque<Settlement> settled;
      {
        std::lock_guard lock(mutex_);
        settled.swap(settlements_);
      }
      for (const Settlement& s : settled) {
        // A settlement for a delivery of an earlier connection is void: the broker has
        // already put that message back.
        if (s.generation != generation) continue;
        if (s.ack) {
          acks.Acked(s.delivery_tag);
        } else {
          connection.Reject(s.delivery_tag, /*requeue=*/true);
          acks.Rejected(s.delivery_tag);
        }
        --in_flight;
      }
      // The acks of this round together: a committed click batch is one multiple ack.
      AckWindow::Frames frames = acks.TakeAcks();
      if (frames.multiple_up_to) connection.Ack(*frames.multiple_up_to, /*multiple=*/true);
      for (std::uint64_t tag : frames.single) connection.Ack(tag);
      if (stopping_) {
        if (in_flight == 0) return;
        if (hand_back_) {
          // Returning closes the connection: the broker requeues what was not acked.
          log::Warn("drain timed out; handing the unacked deliveries back to the broker",
                    {{"queue", spec_.queue}, {"unacked", in_flight}});
          return;
        }
        wakeup_.Wait(-1, kIdlePoll);  // only settlements matter now
        continue;
      }
      std::chrono::milliseconds read_timeout{0};
      if (!connection.HasBufferedInput()) {
        Wakeup::Ready ready = wakeup_.Wait(connection.SocketFd(), kIdlePoll);
        if (!ready.socket) {
          if (ready.woken) continue;
          read_timeout = std::chrono::milliseconds(1);  // idle: lets rabbitmq-c send heartbeats
        }
      }
      while (std::optional<Delivery> delivery = connection.NextDelivery(read_timeout)) {
        read_timeout = std::chrono::milliseconds(0);
        ++in_flight;
        acks.Delivered(delivery->delivery_tag);
        // The coroutine is created on the event loop's thread, never on this one.
        net::post(io_, [this, d = std::move(*delivery), generation]() mutable {
          net::co_spawn(io_, Handle(std::move(d), generation), net::detached);
        });
        if (!connection.HasBufferedInput()) break;
      }
    }
  } catch (const std::exception& e) {
    log::Warn("consumer lost its RabbitMQ connection; unacked messages will be redelivered",
              {{"queue", spec_.queue}, {"error", e.what()}, {"in_flight", in_flight}});
  }
}

Task<void> Consumer::Handle(Delivery delivery, std::uint64_t generation) {
  auto started = std::chrono::steady_clock::now();
  IncomingMessage message;
  message.redelivered = delivery.redelivered;
  if (auto it = delivery.integer_headers.find(kAttemptHeader);
      it != delivery.integer_headers.end()) {
    message.attempt = static_cast<int>(it->second);
  }
  auto traceparent = delivery.headers.find("traceparent");
  ReceivedTrace incoming = ReceiveTrace(
      traceparent == delivery.headers.end() ? std::string_view() : traceparent->second);
  message.trace = std::move(incoming.trace);
  // The CONSUMER span, child of the publish span that sent the message: from the delivery's
  // arrival here to its settling, so the gap after the publish span's end is the queue wait.
  Span process_span(message.trace, incoming.sender_span_id, SpanKind::kConsumer);
  if (auto id = delivery.headers.find(std::string(kRequestIdAmqpHeader));
      id != delivery.headers.end()) {
    message.request_id = CleanRequestId(id->second);
  }
  std::string error;
  FailureKind failure = FailureKind::kHandler;
  Outcome outcome = Outcome::kDone;
  try {
    message.envelope = DecodeEnvelope(delivery.body);
  } catch (const std::exception& e) {
    error = e.what();
    failure = FailureKind::kUndecodable;  // however it is retried, it never will decode
  }
  DescribeProcessSpan(process_span, spec_.queue, delivery.message_id, message.envelope.type,
                      message.attempt);
  if (error.empty()) {
    try {
      if (message.trace.Sampled()) {  // spans only then: no text built otherwise
        RecordSpan(message.trace, span::kConsume, message.envelope.type + " from " + spec_.queue,
                   {{"queue", spec_.queue},
                    {"type", message.envelope.type},
                    {"message_id", message.envelope.message_id},
                    {"attempt", message.attempt}});
      }
      outcome = co_await spec_.handler(message);
    } catch (const std::exception& e) {
      error = e.what();
      failure = ClassifyFailure(e);
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.ObserveMessageHandling(spec_.queue, seconds);
  if (error.empty()) {
    dependency_failures_ = 0;  // whatever it needed answered
    std::string_view label = OutcomeLabel(outcome);
    metrics_.CountConsumed(spec_.queue, label);
    if (outcome == Outcome::kWithdrawn) {
      // The work of its request ends here, without effect (its front answered 503).
      completions_.Record(message.request_id, scenario_, WorkOutcome::kWithdrawn);
      log::Warn(
          "message refers to a row its producer withdrew (its publish was answered 503); "
          "acked without effect",
          {{"queue", spec_.queue},
           {"type", message.envelope.type},
           {"message_id", message.envelope.message_id}},
          message.trace.trace_id);
    }
    if (process_span) process_span.Set("flowbench.outcome", label);
    if (message.trace.Sampled()) {
      RecordSpan(
          message.trace, span::kAck,
          spec_.queue + (outcome == Outcome::kDone ? " (done)" : " (" + std::string(label) + ")"),
          {{"queue", spec_.queue}, {"outcome", label}});
    }
    Settle({generation, delivery.delivery_tag, true});
    co_return;
  }

  if (failure == FailureKind::kDependency) {
    // Not the message's fault: held for a growing delay, then requeued as it is (no attempt
    // used, no copy to publish while the broker may be the one away). Held messages stay
    // unacked, so the prefetch bounds them and consumption slows down until it answers.
    std::chrono::milliseconds delay = retry_.DependencyDelay(++dependency_failures_);
    metrics_.CountConsumed(spec_.queue, "deferred");
    log::Warn("a dependency is unavailable; requeueing the message without using an attempt",
              {{"queue", spec_.queue},
               {"message_id", delivery.message_id},
               {"attempt", message.attempt},
               {"error", error},
               {"retry_in_ms", delay.count()}},
              message.trace.trace_id);
    RecordSpan(message.trace, span::kAck,
               spec_.queue + " (dependency unavailable: requeued in " +
                   std::to_string(delay.count()) + " ms)",
               {{"queue", spec_.queue}, {"outcome", "deferred"}, {"error", error}});
    process_span.SetError(error);
    co_await Wait(delay);
    Settle({generation, delivery.delivery_tag, false});
    co_return;
  }

  // Failed: a copy goes to the next delay queue (or the DLQ, at once for a message that does
  // not decode), confirmed, then the original is acked. Should the copy not reach the
  // broker, the original is requeued instead.
  RetryStep step = retry_.AfterFailure(spec_.queue, message.attempt, failure);
  process_span.SetError(error);
  log::Warn(step.dead_letter ? "handler failed for the last time; dead-lettering"
                             : "handler failed; retrying later",
            {{"queue", spec_.queue},
             {"message_id", delivery.message_id},
             {"attempt", message.attempt},
             {"failure", FailureKindName(failure)},
             {"error", error},
             {"retry_in_ms", step.delay.count()}},
            message.trace.trace_id);
  OutgoingMessage copy{"",
                       step.target_queue,
                       delivery.body,
                       delivery.message_id,
                       delivery.headers,
                       delivery.integer_headers};
  copy.integer_headers[kAttemptHeader] = step.next_attempt;
  copy.headers["x-flowbench-error"] = error.substr(0, 500);
  copy.headers["x-flowbench-queue"] = spec_.queue;
  bool copied = true;
  try {
    co_await publisher_.Publish(std::move(copy), /*wait_for_confirm=*/true);
  } catch (const std::exception& e) {
    copied = false;
    log::Warn("could not publish the retry copy; requeueing the message",
              {{"queue", spec_.queue}, {"error", e.what()}});
  }
  if (copied) {
    metrics_.CountConsumed(spec_.queue, step.dead_letter ? "dead_lettered" : "retried");
    // Given up on: its request's work ends here (recorded once the copy is safe in the DLQ;
    // a retried message records nothing yet).
    if (step.dead_letter) {
      completions_.Record(message.request_id, scenario_, WorkOutcome::kDeadLettered);
    }
    // Acked because its copy is safe in the next delay queue (or the DLQ).
    RecordSpan(message.trace, span::kAck,
               spec_.queue + (step.dead_letter ? " (failed for the last time: dead-lettered)"
                                               : " (failed: retry in " +
                                                     std::to_string(step.delay.count()) + " ms)"),
               {{"queue", spec_.queue},
                {"outcome", step.dead_letter ? "dead_lettered" : "retried"},
                {"error", error}});
    Settle({generation, delivery.delivery_tag, true});
  } else {
    co_await Wait(retry_.DelayOf(1));  // no hot loop while the broker is away
    Settle({generation, delivery.delivery_tag, false});
  }
}

}  // namespace flowbench::async
