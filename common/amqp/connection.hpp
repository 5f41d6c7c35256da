// One blocking AMQP 0-9-1 connection with one channel, over rabbitmq-c. Not thread-safe (no
// rabbitmq-c connection is): the async build owns each one on its own thread; the driver,
// `infra status` and tests use it directly. Every failure throws AmqpError with the
// broker's or the library's own words.
#pragma once

#include <amqp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace flowbench {

class AmqpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Delivery {
  std::uint64_t delivery_tag = 0;
  bool redelivered = false;
  std::string exchange;
  std::string routing_key;
  std::string body;
  std::string message_id;
  std::map<std::string, std::string> headers;  // string-valued headers (traceparent, ...)
  std::map<std::string, std::int64_t> integer_headers;
};

struct Confirm {
  std::uint64_t delivery_tag = 0;
  bool multiple = false;  // confirms every tag up to delivery_tag
  bool ack = true;        // false: the broker nacked (the message is not safe)
};

// A mandatory publish the broker could route to no queue, sent back with basic.return
// (before the basic.ack of the same publish: a return followed by an ack is not a success).
struct Returned {
  std::string message_id;
  std::string reason;  // "312 NO_ROUTE to exchange '' routing key 'q'"
};

struct QueueOptions {
  bool durable = true;
  // x-queue-type: "quorum" (replicated on a cluster's nodes: a confirm means a majority of
  // them has the message) or "classic"; empty: the broker's default (classic), no argument.
  std::string queue_type;
  std::string dead_letter_exchange;  // x-dead-letter-exchange, when not empty
  std::string dead_letter_routing_key;
  std::optional<std::int64_t> message_ttl_ms;  // x-message-ttl
};

struct ConnectionOptions {
  // Advertise the `connection.blocked` capability: the broker then tells this connection when
  // a resource alarm (memory, disk) stops it reading our publishes, and when that ends;
  // NextConfirm reads both (Blocked()). Without it a blocked broker just stops confirming.
  bool blocked_notifications = false;
  // A send (publish, ack, reject) still not done after this long means the broker stopped
  // reading (blocked, hung): the socket is shut down, so that call and every later one fail
  // with an AmqpError instead of hanging the owner thread. rabbitmq-c gives these sends no
  // deadline of their own (RPCs have the connect timeout). Zero: no deadline.
  std::chrono::milliseconds send_timeout{0};
  // With a list of URLs (the nodes of a cluster): the one tried first, the others following in
  // order and round. A client whose node died starts at the next one (NodeIndex() + 1).
  std::size_t first_node = 0;
};

// "amqp://a:5672/%2f,amqp://b:5673/%2f": the nodes of one cluster, in order. A single URL is a
// list of one. Empty entries are skipped.
std::vector<std::string> SplitAmqpUrls(const std::string& urls);

class SendWatchdog;

class AmqpConnection {
 public:
  // url: amqp://user:password@host:port/vhost, or a comma-separated list of them (a cluster's
  // nodes): the first that accepts a login is used, from options.first_node on. The timeout
  // bounds each node's TCP connect and login.
  AmqpConnection(const std::string& url, std::chrono::milliseconds timeout,
                 const std::string& connection_name = "flowbench",
                 const ConnectionOptions& options = {});
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  // Topology (idempotent; a mismatch with an existing declaration is an AmqpError).
  void DeclareExchange(const std::string& name, const std::string& type);
  // Returns the number of ready messages in the queue.
  std::uint32_t DeclareQueue(const std::string& name, const QueueOptions& options = {});
  void BindQueue(const std::string& queue, const std::string& exchange,
                 const std::string& routing_key = "");
  // Passive declare: the queue's ready-message count, or nullopt when it does not exist
  // (the channel is reopened after the broker's 404).
  std::optional<std::uint32_t> QueueDepth(const std::string& name);
  void PurgeQueue(const std::string& name);

  // Publishing. After EnableConfirms() every publish gets a delivery tag (1, 2, ...) that the
  // broker acks or nacks; read those with NextConfirm. A `mandatory` publish that no queue
  // takes comes back as a basic.return, which NextConfirm keeps for TakeReturned(); its ack
  // follows.
  void EnableConfirms();
  std::uint64_t Publish(const std::string& exchange, const std::string& routing_key,
                        const std::string& body, const std::string& message_id,
                        const std::map<std::string, std::string>& headers = {},
                        const std::map<std::string, std::int64_t>& integer_headers = {},
                        std::optional<std::int64_t> expiration_ms = std::nullopt,
                        bool mandatory = false);
  std::optional<Confirm> NextConfirm(std::chrono::milliseconds timeout);
  // The publishes returned since the last call, in the order the broker sent them back.
  std::vector<Returned> TakeReturned();
  // While the broker blocks this connection (connection.blocked, read by NextConfirm; needs
  // ConnectionOptions::blocked_notifications): its reason ("low on memory"); else nullopt.
  const std::optional<std::string>& Blocked() const { return blocked_; }

  // Consuming, with manual acknowledgement and at most `prefetch` unacked deliveries.
  void Consume(const std::string& queue, std::uint16_t prefetch);
  std::optional<Delivery> NextDelivery(std::chrono::milliseconds timeout);
  // basic.get: the first ready message of `queue`, unacked until Ack or Reject (tools that
  // move or peek at messages: the DLQ commands); nullopt when the queue is empty.
  std::optional<Delivery> Get(const std::string& queue);
  // `multiple`: every unacked delivery of the channel up to and including `delivery_tag`.
  void Ack(std::uint64_t delivery_tag, bool multiple = false);
  void Reject(std::uint64_t delivery_tag, bool requeue);

  // For an owner thread that waits on this connection and its own wake-up at once (poll):
  // the socket, and whether the library already holds input that poll would not report.
  int SocketFd() const;
  bool HasBufferedInput() const;

  // Which URL of the list this connection went to (0 for a single URL).
  std::size_t NodeIndex() const { return node_index_; }

 private:
  void Open(const std::string& url, std::chrono::milliseconds timeout,
            const std::string& connection_name, const ConnectionOptions& options);
  void CheckReply(const char* what);
  void Check(int status, const char* what);

  amqp_connection_state_t connection_ = nullptr;
  amqp_channel_t channel_ = 1;
  std::size_t node_index_ = 0;
  std::uint64_t next_publish_tag_ = 1;
  std::vector<Returned> returned_;
  std::optional<std::string> blocked_;
  std::unique_ptr<SendWatchdog> watchdog_;
};

}  // namespace flowbench
