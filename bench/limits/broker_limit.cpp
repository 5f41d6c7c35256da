// The broker limit: what RabbitMQ does for the async build's click path with nothing of the
// build on top. One connection publishes persistent messages to a durable queue of its own,
// keeping up to the build's confirm window unconfirmed; another consumes them with the
// build's prefetch and acks each one. Plain blocking code on two threads, one connection
// each (a rabbitmq-c connection is never shared between threads).
#include <amqp_tcp_socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <future>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "bench/limits/physical_limits.hpp"
#include "bench/limits/probe_support.hpp"
#include "common/amqp/connection.hpp"
#include "common/domain/secrets.hpp"
#include "common/domain/topology.hpp"

namespace flowbench::limits {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kBrokerTimeout{5000};  // connect, login, RPCs
constexpr milliseconds kPoll{100};            // a blocked wait wakes this often to check stop
// After the window: the confirms and deliveries still due get this long at most.
constexpr std::chrono::seconds kDrainLimit{30};
// A click event's size, as the async build publishes it (an envelope around a few fields).
const std::string kBody =
    R"({"type":"ClickRecorded","message_id":"limits-probe-0000000000","occurred_at":)"
    R"("2024-01-01T00:00:00.000000Z","payload":{"user_id":42,"page":"/products/1",)"
    R"("clicked_at":"2024-01-01T00:00:00.000000Z"}})";

// queue.delete, which AmqpConnection does not wrap: its own short-lived connection.
void DeleteQueue(const std::string& url, const std::string& queue) {
  std::string buffer = url;  // amqp_parse_url writes into it
  amqp_connection_info info{};
  amqp_default_connection_info(&info);
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
    throw AmqpError("not an AMQP URL: " + RedactSecrets(url));
  }
  std::unique_ptr<amqp_connection_state_t_, int (*)(amqp_connection_state_t)> connection(
      amqp_new_connection(), amqp_destroy_connection);
  amqp_socket_t* socket = amqp_tcp_socket_new(connection.get());
  timeval timeout{kBrokerTimeout.count() / 1000, 0};
  if (socket == nullptr ||
      amqp_socket_open_noblock(socket, info.host, info.port, &timeout) != AMQP_STATUS_OK) {
    throw AmqpError("deleting queue " + queue + ": cannot connect to RabbitMQ");
  }
  amqp_set_rpc_timeout(connection.get(), &timeout);
  auto ok = [](const amqp_rpc_reply_t& reply) { return reply.reply_type == AMQP_RESPONSE_NORMAL; };
  if (!ok(amqp_login(connection.get(), info.vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, info.user,
                     info.password))) {
    throw AmqpError("deleting queue " + queue + ": RabbitMQ login failed");
  }
  amqp_channel_open(connection.get(), 1);
  if (!ok(amqp_get_rpc_reply(connection.get()))) {
    throw AmqpError("deleting queue " + queue + ": channel.open failed");
  }
  amqp_queue_delete(connection.get(), 1, amqp_cstring_bytes(queue.c_str()), 0, 0);
  if (!ok(amqp_get_rpc_reply(connection.get()))) {
    throw AmqpError("queue.delete " + queue + " failed");
  }
  amqp_channel_close(connection.get(), 1, AMQP_REPLY_SUCCESS);
  amqp_connection_close(connection.get(), AMQP_REPLY_SUCCESS);
}

// The probe's queue is deleted however the probe ends.
class ProbeQueue {
 public:
  ProbeQueue(std::string url, std::string name) : url_(std::move(url)), name_(std::move(name)) {}
  ~ProbeQueue() {
    try {
      DeleteQueue(url_, name_);
    } catch (const std::exception& e) {
      // A destructor cannot throw (the probe's own error may be on its way): say it instead.
      std::fprintf(stderr, "flowbench limits: the probe queue %s was left behind: %s\n",
                   name_.c_str(), e.what());
    }
  }
  ProbeQueue(const ProbeQueue&) = delete;
  ProbeQueue& operator=(const ProbeQueue&) = delete;
  const std::string& Name() const { return name_; }

 private:
  std::string url_, name_;
};

struct Counts {
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> confirmed{0};  // acked by the broker
  std::atomic<std::uint64_t> nacked{0};
  std::atomic<std::uint64_t> consumed{0};  // delivered and acked by the consumer
  std::atomic<std::uint64_t> consumed_in_window{0};
  std::atomic<bool> publishing_done{false};
  std::atomic<bool> stop{false};  // the other side failed
  // The end of the measured window (steady clock ticks), set once the consumer is ready.
  std::atomic<Clock::rep> window_end{Clock::time_point::max().time_since_epoch().count()};
  bool InWindow(Clock::time_point t) const { return t.time_since_epoch().count() < window_end; }
};

// Tags published and not confirmed yet; a confirm settles one tag or (multiple) all up to it.
std::uint64_t Settle(std::set<std::uint64_t>& outstanding, const Confirm& confirm) {
  if (!confirm.multiple) return outstanding.erase(confirm.delivery_tag);
  auto end = outstanding.upper_bound(confirm.delivery_tag);
  auto settled = static_cast<std::uint64_t>(std::distance(outstanding.begin(), end));
  outstanding.erase(outstanding.begin(), end);
  return settled;
}

void Publish(const std::string& url, const std::string& queue, int window,
             Clock::time_point window_end, Counts& counts) {
  AmqpConnection publisher(url, kBrokerTimeout, "flowbench-limits-publisher");
  publisher.EnableConfirms();
  std::set<std::uint64_t> outstanding;
  auto settle = [&](const Confirm& confirm) {
    std::uint64_t settled = Settle(outstanding, confirm);
    (confirm.ack ? counts.confirmed : counts.nacked).fetch_add(settled);
  };
  std::uint64_t next_id = 0;
  while (Clock::now() < window_end && !counts.stop) {
    if (outstanding.size() < static_cast<std::size_t>(window)) {
      outstanding.insert(
          publisher.Publish("", queue, kBody, "limits-" + std::to_string(++next_id)));
      counts.published.fetch_add(1);
      continue;
    }
    if (std::optional<Confirm> confirm = publisher.NextConfirm(kPoll)) settle(*confirm);
  }
  const Clock::time_point drain_end = Clock::now() + kDrainLimit;
  while (!outstanding.empty() && Clock::now() < drain_end && !counts.stop) {
    if (std::optional<Confirm> confirm = publisher.NextConfirm(kPoll)) settle(*confirm);
  }
}

void Consume(const std::string& url, const std::string& queue, int prefetch,
             std::promise<void>& consuming, Counts& counts) {
  AmqpConnection consumer(url, kBrokerTimeout, "flowbench-limits-consumer");
  consumer.Consume(queue, static_cast<std::uint16_t>(prefetch));
  consuming.set_value();  // the window starts now
  std::optional<Clock::time_point> drain_end;
  for (;;) {
    if (counts.stop) return;
    if (counts.publishing_done) {
      if (counts.consumed >= counts.published) return;
      if (!drain_end) drain_end = Clock::now() + kDrainLimit;
      if (Clock::now() >= *drain_end) return;
    }
    std::optional<Delivery> delivery = consumer.NextDelivery(kPoll);
    if (!delivery) continue;
    consumer.Ack(delivery->delivery_tag);
    counts.consumed.fetch_add(1);
    if (counts.InWindow(Clock::now())) counts.consumed_in_window.fetch_add(1);
  }
}

int OrDefault(int value, int fallback) { return value > 0 ? value : fallback; }

}  // namespace

sweep::PhysicalLimit MeasureBrokerLimit(const LimitProbeOptions& options) {
  if (options.amqp_url.empty()) throw std::invalid_argument("the broker probe needs amqp_url");
  if (options.duration <= milliseconds::zero()) {
    throw std::invalid_argument("the probe's duration must be positive");
  }
  const int window = OrDefault(options.confirm_window, topology::kDefaultConfirmWindow);
  const int prefetch = OrDefault(options.prefetch, topology::kDefaultPrefetch);
  if (prefetch > 65535) throw std::invalid_argument("prefetch must be at most 65535");

  ProbeQueue queue(options.amqp_url, UniqueProbeName("flowbench_limits_broker"));
  {
    AmqpConnection setup(options.amqp_url, kBrokerTimeout, "flowbench-limits-setup");
    QueueOptions durable;
    durable.durable = true;
    setup.DeclareQueue(queue.Name(), durable);
  }

  Counts counts;
  std::promise<void> consuming;
  std::exception_ptr consumer_error;
  std::thread consumer([&] {
    try {
      Consume(options.amqp_url, queue.Name(), prefetch, consuming, counts);
    } catch (...) {
      consumer_error = std::current_exception();
      counts.stop = true;
      try {
        consuming.set_exception(consumer_error);
      } catch (const std::future_error&) {
        // Already consuming when it failed: the error is rethrown after the join.
      }
    }
  });
  std::exception_ptr publisher_error;
  Clock::time_point window_end{};
  try {
    consuming.get_future().get();
    window_end = Clock::now() + options.duration;
    counts.window_end = window_end.time_since_epoch().count();
    Publish(options.amqp_url, queue.Name(), window, window_end, counts);
  } catch (...) {
    publisher_error = std::current_exception();
    counts.stop = true;
  }
  counts.publishing_done = true;
  consumer.join();
  if (consumer_error) std::rethrow_exception(consumer_error);
  if (publisher_error) std::rethrow_exception(publisher_error);

  const double window_s = Seconds(options.duration);
  const std::uint64_t published = counts.published, confirmed = counts.confirmed,
                      consumed = counts.consumed;
  sweep::PhysicalLimit limit;
  limit.name = "broker";
  limit.rps = static_cast<double>(counts.consumed_in_window) / window_s;
  limit.method = "rabbitmq-c: persistent publishes (" + std::to_string(kBody.size()) +
                 " bytes) to a private durable queue with publisher confirms, up to " +
                 std::to_string(window) +
                 " unconfirmed (the async build's confirm window), while a "
                 "second connection consumes with prefetch " +
                 std::to_string(prefetch) + " and acks each; " +
                 std::to_string(options.duration.count()) +
                 " ms; rate = messages consumed in the window / window";
  limit.details = {
      {"confirm_window", window},
      {"prefetch", prefetch},
      {"body_bytes", kBody.size()},
      {"window_s", window_s},
      {"published", published},
      {"confirmed", confirmed},
      {"nacked", counts.nacked.load()},
      {"consumed", consumed},
      {"consumed_in_window", counts.consumed_in_window.load()},
      {"published_per_s", static_cast<double>(published) / window_s},
      // The confirms and deliveries still due when the window closed took this long.
      {"drain_s", Seconds(Clock::now() - window_end)},
      {"queue", queue.Name()},
  };
  if (confirmed != published || consumed != published) {
    limit.details["problem"] = "not every message was confirmed and consumed within " +
                               std::to_string(kDrainLimit.count()) + " s after the window";
  }
  return limit;
}

}  // namespace flowbench::limits
