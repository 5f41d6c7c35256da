#include "asynchronous/runtime/publisher.hpp"

#include <vector>

#include "asynchronous/runtime/topology.hpp"
#include "common/amqp/connection.hpp"
#include "common/domain/errors.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/metrics.hpp"

namespace flowbench::async {
namespace {

constexpr std::chrono::milliseconds kConnectTimeout{3000};
constexpr std::chrono::milliseconds kIdlePoll{200};  // also paces rabbitmq-c's heartbeats
constexpr std::chrono::milliseconds kStopGrace{5000};
// Messages waiting for the publisher's thread, in confirm windows: beyond this the broker is
// not keeping up (a memory or disk alarm, a slow disk), and waiting longer would only turn
// into a confirm timeout with the memory held meanwhile.
constexpr std::size_t kQueuedWindows = 10;
// A publish the broker's socket does not take within this long cuts the connection: the
// broker stopped reading (hung, or blocked before it told us). rabbitmq-c would wait forever.
constexpr std::chrono::milliseconds kSendDeadline{2000};

}  // namespace

Publisher::Publisher(net::io_context& io, std::string amqp_url, std::string connection_name,
                     const AsyncRuntimeSettings& settings, Metrics& metrics)
    : io_(io),
      url_(std::move(amqp_url)),
      name_(std::move(connection_name)),
      settings_(settings),
      metrics_(metrics) {}

Publisher::~Publisher() { Stop(); }

void Publisher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Publisher::Stop() {
  stopping_ = true;
  wakeup_.Ring();
  if (thread_.joinable()) thread_.join();
}

Task<void> Publisher::Publish(OutgoingMessage message, bool wait_for_confirm) {
  if (!connected_) {
    throw ServiceUnavailable("RabbitMQ is unavailable (reconnecting); the message was not sent");
  }
  if (blocked_) {
    throw ServiceUnavailable("RabbitMQ is blocked by a resource alarm (" + BlockedReason() +
                             "); the message was not sent");
  }
  auto confirmed = std::make_shared<OneShotEvent<std::optional<std::string>>>(io_);
  Completion done;
  if (wait_for_confirm) {
    done = [confirmed](std::optional<std::string> error) { confirmed->Set(std::move(error)); };
  } else {
    // publish_confirm=false: the caller has moved on; a failure can only be logged (and the
    // message is lost, which is the trade-off this setting shows).
    done = [](std::optional<std::string> error) {
      if (error) log::Warn("unconfirmed publish lost", {{"error", *error}});
    };
  }
  std::size_t full_at = QueueBound();
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() < full_at) {
      queue_.push_back(Pending{std::move(message), std::move(done)});
      queued = true;
    }
  }
  if (!queued) {
    throw ServiceUnavailable("RabbitMQ is not keeping up: " + std::to_string(full_at) +
                             " messages already wait to be published");
  }
  wakeup_.Ring();
  if (!wait_for_confirm) co_return;

  std::optional<std::optional<std::string>> outcome =
      co_await confirmed->WaitFor(settings_.confirm_timeout);
  if (!outcome) {
    throw ServiceUnavailable("RabbitMQ did not confirm the message within " +
                             std::to_string(settings_.confirm_timeout.count()) + " ms");
  }
  if (*outcome) throw ServiceUnavailable("RabbitMQ did not accept the message: " + **outcome);
}

Task<std::vector<std::optional<std::string>>> Publisher::PublishBatch(
    std::vector<OutgoingMessage> messages) {
  using Results = std::vector<std::optional<std::string>>;
  if (messages.empty()) co_return Results{};
  if (!connected_) {
    co_return Results(messages.size(), "RabbitMQ is unavailable (reconnecting)");
  }
  if (blocked_) {
    co_return Results(messages.size(),
                      "RabbitMQ is blocked by a resource alarm (" + BlockedReason() + ")");
  }
  // Settled on the publisher's thread, one message at a time; the last one wakes the caller.
  struct Batch {
    std::mutex mutex;
    Results results;
    std::size_t unsettled = 0;
    std::shared_ptr<OneShotEvent<bool>> all_settled;
  };
  auto batch = std::make_shared<Batch>();
  batch->results.assign(messages.size(), "no confirm from RabbitMQ within " +
                                             std::to_string(settings_.confirm_timeout.count()) +
                                             " ms");
  batch->unsettled = messages.size();
  batch->all_settled = std::make_shared<OneShotEvent<bool>>(io_);
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() + messages.size() > QueueBound()) {
      co_return Results(messages.size(), "RabbitMQ is not keeping up: the publish queue is full");
    }
    for (std::size_t i = 0; i < messages.size(); ++i) {
      queue_.push_back(
          Pending{std::move(messages[i]), [batch, i](std::optional<std::string> error) {
                    std::lock_guard settled(batch->mutex);
                    batch->results[i] = std::move(error);
                    if (--batch->unsettled == 0) batch->all_settled->Set(true);
                  }});
    }
  }
  wakeup_.Ring();
  co_await batch->all_settled->WaitFor(settings_.confirm_timeout);
  std::lock_guard lock(batch->mutex);
  co_return batch->results;
}

std::size_t Publisher::QueueBound() const {
  return static_cast<std::size_t>(std::max(settings_.confirm_window, 1)) * kQueuedWindows;
}

std::string Publisher::BlockedReason() {
  std::lock_guard lock(mutex_);
  return blocked_reason_;
}

void Publisher::FailQueued(const std::string& why) {
  std::deque<Pending> failed;
  {
    std::lock_guard lock(mutex_);
    failed.swap(queue_);
  }
  for (Pending& p : failed) p.done(why);
}

void Publisher::Run() {
  std::chrono::milliseconds backoff{100};
  while (!stopping_) {
    std::unique_ptr<AmqpConnection> connection;
    try {
      ConnectionOptions options;
      options.blocked_notifications = true;
      options.send_timeout = kSendDeadline;
      options.first_node = next_node_;
      connection = std::make_unique<AmqpConnection>(url_, kConnectTimeout, name_, options);
      DeclareContractTopology(*connection, settings_.queue_type == "quorum" ? "quorum" : "classic");
      connection->EnableConfirms();
    } catch (const std::exception& e) {
      connected_ = false;
      log::Warn("publisher cannot connect to RabbitMQ; retrying",
                {{"error", e.what()}, {"retry_in_ms", backoff.count()}});
      FailQueued(std::string("RabbitMQ is unavailable: ") + e.what());
      wakeup_.Wait(-1, backoff);
      backoff = std::min(backoff * 2, settings_.reconnect_max_delay);
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    blocked_ = false;  // a new connection is told again once it publishes
    connected_ = true;
    log::Info("publisher connected to RabbitMQ",
              {{"connection", name_}, {"node", connection->NodeIndex() + 1}});
    Serve(*connection);
    connected_ = false;
    // Its node may have died: a cluster's next node is tried first (a single URL: the same).
    next_node_ = connection->NodeIndex() + 1;
  }
  FailQueued("the service is shutting down");
}

// Publishes within the window and settles confirms until the connection fails or Stop().
void Publisher::Serve(AmqpConnection& connection) {
  std::map<std::uint64_t, Pending> outstanding;  // by delivery tag
  // Mandatory publishes the broker returned (no queue took them), by message id: their ack,
  // which follows, is not a success.
  std::map<std::string, std::string> returned;
  auto settle = [&](const Confirm& confirm) {
    for (Returned& r : connection.TakeReturned()) returned[r.message_id] = std::move(r.reason);
    std::uint64_t tag = confirm.delivery_tag;
    bool multiple = confirm.multiple;
    bool ack = confirm.ack;
    auto end = multiple ? outstanding.upper_bound(tag) : outstanding.find(tag);
    auto begin = multiple ? outstanding.begin() : end;
    if (!multiple) {
      if (end == outstanding.end()) return;
      ++end;
    }
    for (auto it = begin; it != end; ++it) {
      auto unroutable = returned.find(it->second.message.message_id);
      if (unroutable != returned.end()) {
        it->second.done("no queue took it (returned by the broker: " + unroutable->second + ")");
        returned.erase(unroutable);
      } else if (ack) {
        metrics_.CountPublished(it->second.message.exchange, it->second.message.routing_key);
        it->second.done(std::nullopt);
      } else {
        it->second.done("the broker nacked it");
      }
    }
    outstanding.erase(begin, end);
    // A nack: the broker could not take the message. On a cluster it is a quorum queue that
    // lost its leader as this channel knew it, and the channel then nacks every later publish
    // to it, even once a new leader is elected (RabbitMQ 3.10, async_cluster_test): only a new
    // connection (the next node first) finds the new leader. Rare on a healthy broker, so
    // reconnecting costs nothing in a run.
    if (!ack) throw AmqpError("RabbitMQ nacked a publish; reconnecting to find its queue again");
  };
  // A resource alarm blocks publishing: nothing sent now would be confirmed before it ends,
  // so every waiter hears at once (a 503, the relay's back-off) rather than at its confirm
  // timeout, and publishes fail at once until connection.unblocked.
  auto follow_blocked = [&] {
    const std::optional<std::string>& reason = connection.Blocked();
    if (reason && !blocked_) {
      {
        std::lock_guard lock(mutex_);
        blocked_reason_ = *reason;
      }
      blocked_ = true;
      log::Warn("RabbitMQ blocked publishing (a resource alarm); publishes fail until it ends",
                {{"reason", *reason}, {"unconfirmed", outstanding.size()}});
      for (auto& [tag, p] : outstanding) {
        p.done("RabbitMQ blocked publishing (" + *reason + ") before it confirmed the message");
      }
      outstanding.clear();  // their confirms, if they come after the alarm, are ignored
    } else if (!reason && blocked_) {
      blocked_ = false;
      log::Info("RabbitMQ unblocked publishing", {{"connection", name_}});
    }
  };
  auto stop_deadline = std::optional<std::chrono::steady_clock::time_point>();
  std::deque<Pending> batch;  // taken from the queue, not yet published
  try {
    for (;;) {
      // Queued before Publish saw the alarm: failed, not sent to a blocked broker.
      if (blocked_) FailQueued("RabbitMQ is blocked by a resource alarm (" + BlockedReason() + ")");
      {
        std::lock_guard lock(mutex_);
        while (!queue_.empty() && outstanding.size() + batch.size() <
                                      static_cast<std::size_t>(settings_.confirm_window)) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      bool published = !batch.empty();
      while (!batch.empty()) {
        const OutgoingMessage& m = batch.front().message;
        // Mandatory: a message no queue takes is returned, not silently dropped and acked.
        std::uint64_t tag =
            connection.Publish(m.exchange, m.routing_key, m.body, m.message_id, m.headers,
                               m.integer_headers, std::nullopt, /*mandatory=*/true);
        outstanding.emplace(tag, std::move(batch.front()));
        batch.pop_front();
      }
      if (stopping_) {
        bool queue_empty;
        {
          std::lock_guard lock(mutex_);
          queue_empty = queue_.empty();
        }
        if (!stop_deadline) stop_deadline = std::chrono::steady_clock::now() + kStopGrace;
        if ((outstanding.empty() && queue_empty) ||
            std::chrono::steady_clock::now() > *stop_deadline) {
          break;
        }
      }
      bool readable = connection.HasBufferedInput();
      if (!readable && !published) {
        Wakeup::Ready ready = wakeup_.Wait(connection.SocketFd(), kIdlePoll);
        readable = ready.socket;
        // Idle: one short read lets rabbitmq-c send its heartbeat.
        if (!ready.socket && !ready.woken) {
          if (auto c = connection.NextConfirm(std::chrono::milliseconds(1))) {
            settle(*c);
          }
        }
      }
      if (readable) {
        while (auto c = connection.NextConfirm(std::chrono::milliseconds(0))) {
          settle(*c);
        }
      }
      follow_blocked();
    }
  } catch (const std::exception& e) {
    connected_ = false;  // new publishes fail at once from here on
    log::Warn("publisher lost its RabbitMQ connection",
              {{"error", e.what()}, {"unconfirmed", outstanding.size()}});
    // The queued ones too, now: the next connect attempt may take the connect timeout
    // (a broker that accepts but does not answer) before it could fail them.
    FailQueued(std::string("the connection to RabbitMQ was lost before it was published: ") +
               e.what());
  }
  // Every waiter hears at once, not at its confirm timeout: the unconfirmed ones and the
  // rest of a batch cut short by the failure.
  for (auto& [tag, p] : outstanding) {
    p.done("the connection to RabbitMQ was lost before the broker confirmed the message");
  }
  for (Pending& p : batch) p.done("the connection to RabbitMQ was lost before it was published");
}

}  // namespace flowbench::async
