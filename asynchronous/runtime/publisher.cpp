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
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Pending{std::move(message), std::move(done)});
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
      connection = std::make_unique<AmqpConnection>(url_, kConnectTimeout, name_);
      DeclareContractTopology(*connection);
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
    connected_ = true;
    log::Info("publisher connected to RabbitMQ", {{"connection", name_}});
    Serve(*connection);
    connected_ = false;
  }
  FailQueued("the service is shutting down");
}

// Publishes within the window and settles confirms until the connection fails or Stop().
void Publisher::Serve(AmqpConnection& connection) {
  std::map<std::uint64_t, Pending> outstanding;  // by delivery tag
  auto settle = [&](std::uint64_t tag, bool multiple, bool ack) {
    auto end = multiple ? outstanding.upper_bound(tag) : outstanding.find(tag);
    auto begin = multiple ? outstanding.begin() : end;
    if (!multiple) {
      if (end == outstanding.end()) return;
      ++end;
    }
    for (auto it = begin; it != end; ++it) {
      if (ack) {
        metrics_.CountPublished(it->second.message.exchange, it->second.message.routing_key);
        it->second.done(std::nullopt);
      } else {
        it->second.done("the broker nacked it");
      }
    }
    outstanding.erase(begin, end);
  };
  auto stop_deadline = std::optional<std::chrono::steady_clock::time_point>();
  try {
    for (;;) {
      std::vector<Pending> batch;
      {
        std::lock_guard lock(mutex_);
        while (!queue_.empty() && outstanding.size() + batch.size() <
                                      static_cast<std::size_t>(settings_.confirm_window)) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      for (Pending& p : batch) {
        const OutgoingMessage& m = p.message;
        std::uint64_t tag = connection.Publish(m.exchange, m.routing_key, m.body, m.message_id,
                                               m.headers, m.integer_headers);
        outstanding.emplace(tag, std::move(p));
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
      if (!readable && batch.empty()) {
        Wakeup::Ready ready = wakeup_.Wait(connection.SocketFd(), kIdlePoll);
        readable = ready.socket;
        // Idle: one short read lets rabbitmq-c send its heartbeat.
        if (!ready.socket && !ready.woken) {
          if (auto c = connection.NextConfirm(std::chrono::milliseconds(1))) {
            settle(c->delivery_tag, c->multiple, c->ack);
          }
        }
      }
      if (readable) {
        while (auto c = connection.NextConfirm(std::chrono::milliseconds(0))) {
          settle(c->delivery_tag, c->multiple, c->ack);
        }
      }
    }
  } catch (const std::exception& e) {
    log::Warn("publisher lost its RabbitMQ connection",
              {{"error", e.what()}, {"unconfirmed", outstanding.size()}});
  }
  for (auto& [tag, p] : outstanding) {
    p.done("the connection to RabbitMQ was lost before the broker confirmed the message");
  }
}

}  // namespace flowbench::async
