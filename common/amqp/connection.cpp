#include "common/amqp/connection.hpp"

#include <amqp_tcp_socket.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/domain/secrets.hpp"

namespace flowbench {
namespace {

amqp_bytes_t Bytes(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string ToString(amqp_bytes_t b) { return std::string(static_cast<char*>(b.bytes), b.len); }

timeval ToTimeval(std::chrono::milliseconds timeout) {
  return timeval{static_cast<time_t>(timeout.count() / 1000),
                 static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
}

std::string DescribeReply(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "missing RPC reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        auto* m = static_cast<amqp_connection_close_t*>(reply.reply.decoded);
        return "connection closed by broker: " + std::to_string(m->reply_code) + " " +
               ToString(m->reply_text);
      }
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        auto* m = static_cast<amqp_channel_close_t*>(reply.reply.decoded);
        return "channel closed by broker: " + std::to_string(m->reply_code) + " " +
               ToString(m->reply_text);
      }
      return "unexpected server method " + std::to_string(reply.reply.id);
  }
  return "unknown reply";
}

// Builds an AMQP field table whose entries point into `strings`, which must outlive it.
struct HeaderTable {
  std::vector<amqp_table_entry_t> entries;
  amqp_table_t table{0, nullptr};

  HeaderTable(const std::map<std::string, std::string>& text,
              const std::map<std::string, std::int64_t>& integers) {
    for (const auto& [key, value] : text) {
      amqp_table_entry_t e{};
      e.key = Bytes(key);
      e.value.kind = AMQP_FIELD_KIND_UTF8;
      e.value.value.bytes = Bytes(value);
      entries.push_back(e);
    }
    for (const auto& [key, value] : integers) {
      amqp_table_entry_t e{};
      e.key = Bytes(key);
      e.value.kind = AMQP_FIELD_KIND_I64;
      e.value.value.i64 = value;
      entries.push_back(e);
    }
    table = amqp_table_t{static_cast<int>(entries.size()), entries.data()};
  }
};

// The body, message id and headers of a message into `d`.
void ReadMessage(const amqp_message_t& message, Delivery& d) {
  d.body = ToString(message.body);
  const amqp_basic_properties_t& p = message.properties;
  if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) d.message_id = ToString(p.message_id);
  if (p._flags & AMQP_BASIC_HEADERS_FLAG) {
    for (int i = 0; i < p.headers.num_entries; ++i) {
      const amqp_table_entry_t& e = p.headers.entries[i];
      switch (e.value.kind) {
        case AMQP_FIELD_KIND_UTF8:
        case AMQP_FIELD_KIND_BYTES:
          d.headers[ToString(e.key)] = ToString(e.value.value.bytes);
          break;
        case AMQP_FIELD_KIND_I64:
          d.integer_headers[ToString(e.key)] = e.value.value.i64;
          break;
        case AMQP_FIELD_KIND_I32:
          d.integer_headers[ToString(e.key)] = e.value.value.i32;
          break;
        default:
          break;  // x-death and other broker tables: not used by flowbench
      }
    }
  }
}

}  // namespace

// Gives a send a deadline: the owner thread marks when a send starts and ends; a thread of
// our own shuts the socket down when one has run for longer than the limit (the broker
// stopped reading), so rabbitmq-c's wait for the socket to take more ends in an error.
// Costs the sender two atomic stores; the watchdog wakes a few times per limit.
class SendWatchdog {
 public:
  SendWatchdog(int fd, std::chrono::milliseconds limit)
      : fd_(fd), limit_(limit), thread_([this] { Run(); }) {}
  ~SendWatchdog() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();  // before the socket is closed: never a shutdown of a reused fd
  }
  SendWatchdog(const SendWatchdog&) = delete;
  SendWatchdog& operator=(const SendWatchdog&) = delete;

  // Marks one send for as long as it lives.
  class Sending {
   public:
    explicit Sending(SendWatchdog* watchdog) : watchdog_(watchdog) {
      if (watchdog_ != nullptr) watchdog_->started_ns_ = Now();
    }
    ~Sending() {
      if (watchdog_ != nullptr) watchdog_->started_ns_ = 0;
    }
    Sending(const Sending&) = delete;
    Sending& operator=(const Sending&) = delete;

   private:
    SendWatchdog* watchdog_;
  };

  bool Tripped() const { return tripped_; }
  std::chrono::milliseconds Limit() const { return limit_; }

 private:
  static std::int64_t Now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  void Run() {
    std::unique_lock lock(mutex_);
    auto tick = std::max(limit_ / 4, std::chrono::milliseconds(10));
    while (!stop_) {
      wake_.wait_for(lock, tick);
      std::int64_t started = started_ns_;
      if (started != 0 && !tripped_ && Now() - started > std::chrono::nanoseconds(limit_).count()) {
        tripped_ = true;
        ::shutdown(fd_, SHUT_RDWR);
      }
    }
  }

  int fd_;
  std::chrono::milliseconds limit_;
  std::atomic<std::int64_t> started_ns_{0};
  std::atomic<bool> tripped_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

std::vector<std::string> SplitAmqpUrls(const std::string& urls) {
  std::vector<std::string> list;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = urls.find(',', start);
    std::string url = urls.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!url.empty()) list.push_back(std::move(url));
    if (comma == std::string::npos) return list;
    start = comma + 1;
  }
}

AmqpConnection::AmqpConnection(const std::string& url, std::chrono::milliseconds timeout,
                               const std::string& connection_name,
                               const ConnectionOptions& options) {
  std::vector<std::string> nodes = SplitAmqpUrls(url);
  if (nodes.empty()) throw AmqpError("no AMQP URL given");
  std::string failures;
  for (std::size_t attempt = 0; attempt < nodes.size(); ++attempt) {
    std::size_t node = (options.first_node + attempt) % nodes.size();
    try {
      Open(nodes[node], timeout, connection_name, options);
      node_index_ = node;
      return;
    } catch (const AmqpError& e) {
      if (connection_ != nullptr) {  // failed after the login (channel.open)
        amqp_destroy_connection(connection_);
        connection_ = nullptr;
      }
      if (nodes.size() == 1) throw;
      failures += std::string(failures.empty() ? "" : "; ") + "node " + std::to_string(node + 1) +
                  ": " + e.what();
    }
  }
  throw AmqpError("no node of the RabbitMQ cluster accepted a connection (" + failures + ")");
}

void AmqpConnection::Open(const std::string& url, std::chrono::milliseconds timeout,
                          const std::string& connection_name, const ConnectionOptions& options) {
  channel_ = 1;
  std::vector<char> buffer(url.begin(), url.end());
  buffer.push_back('\0');
  amqp_connection_info info{};
  amqp_default_connection_info(&info);
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
    // Quoted without its password: the consumer and the publisher log this on every retry.
    throw AmqpError("not an AMQP URL (amqp://user:password@host:port/vhost): " +
                    RedactSecrets(url));
  }
  connection_ = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(connection_);
  if (socket == nullptr) {
    amqp_destroy_connection(connection_);
    connection_ = nullptr;
    throw AmqpError("cannot create a TCP socket for AMQP");
  }
  timeval tv = ToTimeval(timeout);
  int status = amqp_socket_open_noblock(socket, info.host, info.port, &tv);
  if (status != AMQP_STATUS_OK) {
    amqp_destroy_connection(connection_);
    connection_ = nullptr;
    throw AmqpError("cannot connect to RabbitMQ at " + std::string(info.host) + ":" +
                    std::to_string(info.port) + ": " + amqp_error_string2(status));
  }
  // The login handshake is bounded too: a port that accepts but never speaks AMQP fails.
  amqp_set_handshake_timeout(connection_, &tv);
  amqp_set_rpc_timeout(connection_, &tv);

  // Client properties: our name in the management UI, and the capabilities we asked for
  // (rabbitmq-c merges them with its own).
  amqp_table_entry_t blocked_capability{};
  blocked_capability.key = amqp_cstring_bytes("connection.blocked");
  blocked_capability.value.kind = AMQP_FIELD_KIND_BOOLEAN;
  blocked_capability.value.value.boolean = 1;
  std::vector<amqp_table_entry_t> entries(2);
  entries[0].key = amqp_cstring_bytes("connection_name");
  entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
  entries[0].value.value.bytes = Bytes(connection_name);
  entries[1].key = amqp_cstring_bytes("capabilities");
  entries[1].value.kind = AMQP_FIELD_KIND_TABLE;
  entries[1].value.value.table = amqp_table_t{1, &blocked_capability};
  amqp_table_t properties{options.blocked_notifications ? 2 : 1, entries.data()};
  amqp_rpc_reply_t reply =
      amqp_login_with_properties(connection_, info.vhost, 0, 131072, 30, &properties,
                                 AMQP_SASL_METHOD_PLAIN, info.user, info.password);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    std::string why = DescribeReply(reply);
    amqp_destroy_connection(connection_);
    connection_ = nullptr;
    throw AmqpError("RabbitMQ login failed: " + why);
  }
  amqp_channel_open(connection_, channel_);
  CheckReply("channel.open");
  if (options.send_timeout.count() > 0) {
    watchdog_ = std::make_unique<SendWatchdog>(amqp_get_sockfd(connection_), options.send_timeout);
  }
}

AmqpConnection::~AmqpConnection() {
  if (connection_ == nullptr) return;
  watchdog_.reset();
  // Best effort: the peer may already be gone, and a destructor must not throw.
  amqp_channel_close(connection_, channel_, AMQP_REPLY_SUCCESS);
  amqp_connection_close(connection_, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(connection_);
}

void AmqpConnection::CheckReply(const char* what) {
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(connection_);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    throw AmqpError(std::string(what) + " failed: " + DescribeReply(reply));
  }
}

void AmqpConnection::Check(int status, const char* what) {
  if (status == AMQP_STATUS_OK) return;
  if (watchdog_ && watchdog_->Tripped()) {
    throw AmqpError(std::string(what) + " failed: RabbitMQ took nothing more for " +
                    std::to_string(watchdog_->Limit().count()) +
                    " ms (the broker stopped reading); the connection was cut (" +
                    amqp_error_string2(status) + ")");
  }
  throw AmqpError(std::string(what) + " failed: " + amqp_error_string2(status));
}

void AmqpConnection::DeclareExchange(const std::string& name, const std::string& type) {
  amqp_exchange_declare(connection_, channel_, Bytes(name), Bytes(type), 0, /*durable=*/1, 0, 0,
                        amqp_empty_table);
  CheckReply(("exchange.declare " + name).c_str());
}

std::uint32_t AmqpConnection::DeclareQueue(const std::string& name, const QueueOptions& options) {
  std::map<std::string, std::string> text;
  std::map<std::string, std::int64_t> integers;
  if (!options.dead_letter_exchange.empty() || !options.dead_letter_routing_key.empty()) {
    text["x-dead-letter-exchange"] = options.dead_letter_exchange;
  }
  if (!options.dead_letter_routing_key.empty()) {
    text["x-dead-letter-routing-key"] = options.dead_letter_routing_key;
  }
  if (options.message_ttl_ms) integers["x-message-ttl"] = *options.message_ttl_ms;
  if (!options.queue_type.empty()) text["x-queue-type"] = options.queue_type;
  HeaderTable arguments(text, integers);
  amqp_queue_declare_ok_t* ok = amqp_queue_declare(connection_, channel_, Bytes(name), 0,
                                                   options.durable ? 1 : 0, 0, 0, arguments.table);
  CheckReply(("queue.declare " + name).c_str());
  return ok->message_count;
}

void AmqpConnection::BindQueue(const std::string& queue, const std::string& exchange,
                               const std::string& routing_key) {
  amqp_queue_bind(connection_, channel_, Bytes(queue), Bytes(exchange), Bytes(routing_key),
                  amqp_empty_table);
  CheckReply(("queue.bind " + queue + " to " + exchange).c_str());
}

std::optional<std::uint32_t> AmqpConnection::QueueDepth(const std::string& name) {
  amqp_queue_declare_ok_t* ok = amqp_queue_declare(connection_, channel_, Bytes(name),
                                                   /*passive=*/1, 0, 0, 0, amqp_empty_table);
  amqp_rpc_reply_t reply = amqp_get_rpc_reply(connection_);
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return ok->message_count;
  if (reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION &&
      reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD &&
      static_cast<amqp_channel_close_t*>(reply.reply.decoded)->reply_code == AMQP_NOT_FOUND) {
    // The broker closed the channel over the 404: confirm that, then open a fresh one.
    amqp_channel_close_ok_t close_ok{};
    Check(amqp_send_method(connection_, channel_, AMQP_CHANNEL_CLOSE_OK_METHOD, &close_ok),
          "channel.close-ok");
    ++channel_;
    amqp_channel_open(connection_, channel_);
    CheckReply("channel.open");
    return std::nullopt;
  }
  throw AmqpError("queue.declare (passive) " + name + " failed: " + DescribeReply(reply));
}

void AmqpConnection::PurgeQueue(const std::string& name) {
  amqp_queue_purge(connection_, channel_, Bytes(name));
  CheckReply(("queue.purge " + name).c_str());
}

void AmqpConnection::EnableConfirms() {
  amqp_confirm_select(connection_, channel_);
  CheckReply("confirm.select");
}

std::uint64_t AmqpConnection::Publish(const std::string& exchange, const std::string& routing_key,
                                      const std::string& body, const std::string& message_id,
                                      const std::map<std::string, std::string>& headers,
                                      const std::map<std::string, std::int64_t>& integer_headers,
                                      std::optional<std::int64_t> expiration_ms, bool mandatory) {
  HeaderTable table(headers, integer_headers);
  std::string expiration = expiration_ms ? std::to_string(*expiration_ms) : std::string();
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                 AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_HEADERS_FLAG;
  props.content_type = amqp_cstring_bytes("application/json");
  props.delivery_mode = 2;  // persistent
  props.message_id = Bytes(message_id);
  props.headers = table.table;
  if (expiration_ms) {
    props._flags |= AMQP_BASIC_EXPIRATION_FLAG;
    props.expiration = Bytes(expiration);
  }
  int status;
  {
    SendWatchdog::Sending sending(watchdog_.get());
    status = amqp_basic_publish(connection_, channel_, Bytes(exchange), Bytes(routing_key),
                                mandatory ? 1 : 0, 0, &props, Bytes(body));
  }
  Check(status, "basic.publish");
  return next_publish_tag_++;
}

std::optional<Confirm> AmqpConnection::NextConfirm(std::chrono::milliseconds timeout) {
  timeval tv = ToTimeval(timeout);
  amqp_frame_t frame{};
  int status = amqp_simple_wait_frame_noblock(connection_, &frame, &tv);
  if (status == AMQP_STATUS_TIMEOUT) return std::nullopt;
  Check(status, "waiting for a publisher confirm");
  if (frame.frame_type != AMQP_FRAME_METHOD) {
    throw AmqpError("unexpected frame while waiting for a confirm");
  }
  if (frame.payload.method.id == AMQP_BASIC_RETURN_METHOD) {
    auto* r = static_cast<amqp_basic_return_t*>(frame.payload.method.decoded);
    Returned returned{"", std::to_string(r->reply_code) + " " + ToString(r->reply_text) +
                              " to exchange '" + ToString(r->exchange) + "' routing key '" +
                              ToString(r->routing_key) + "'"};
    amqp_message_t message{};  // the returned message's header and body frames follow
    amqp_rpc_reply_t read = amqp_read_message(connection_, frame.channel, &message, 0);
    if (read.reply_type != AMQP_RESPONSE_NORMAL) {
      throw AmqpError("reading a returned message failed: " + DescribeReply(read));
    }
    if (message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
      returned.message_id = ToString(message.properties.message_id);
    }
    amqp_destroy_message(&message);
    returned_.push_back(std::move(returned));
    // Its ack follows; the caller reads it (and may read the returns first) on the next call.
    return NextConfirm(std::chrono::milliseconds(0));
  }
  // A resource alarm (or its end) on the broker: channel 0, with the capability asked for.
  if (frame.payload.method.id == AMQP_CONNECTION_BLOCKED_METHOD) {
    auto* blocked = static_cast<amqp_connection_blocked_t*>(frame.payload.method.decoded);
    blocked_ = ToString(blocked->reason);
    return NextConfirm(std::chrono::milliseconds(0));
  }
  if (frame.payload.method.id == AMQP_CONNECTION_UNBLOCKED_METHOD) {
    blocked_.reset();
    return NextConfirm(std::chrono::milliseconds(0));
  }
  switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
      auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
      return Confirm{ack->delivery_tag, ack->multiple != 0, true};
    }
    case AMQP_BASIC_NACK_METHOD: {
      auto* nack = static_cast<amqp_basic_nack_t*>(frame.payload.method.decoded);
      return Confirm{nack->delivery_tag, nack->multiple != 0, false};
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
      auto* m = static_cast<amqp_channel_close_t*>(frame.payload.method.decoded);
      throw AmqpError("channel closed by broker: " + std::to_string(m->reply_code) + " " +
                      ToString(m->reply_text));
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
      auto* m = static_cast<amqp_connection_close_t*>(frame.payload.method.decoded);
      throw AmqpError("connection closed by broker: " + std::to_string(m->reply_code) + " " +
                      ToString(m->reply_text));
    }
    default:
      throw AmqpError("unexpected method " + std::to_string(frame.payload.method.id) +
                      " while waiting for a confirm");
  }
}

std::vector<Returned> AmqpConnection::TakeReturned() {
  std::vector<Returned> taken;
  taken.swap(returned_);
  return taken;
}

void AmqpConnection::Consume(const std::string& queue, std::uint16_t prefetch) {
  amqp_basic_qos(connection_, channel_, 0, prefetch, 0);
  CheckReply("basic.qos");
  amqp_basic_consume(connection_, channel_, Bytes(queue), amqp_empty_bytes, 0, /*no_ack=*/0, 0,
                     amqp_empty_table);
  CheckReply(("basic.consume " + queue).c_str());
}

std::optional<Delivery> AmqpConnection::NextDelivery(std::chrono::milliseconds timeout) {
  amqp_maybe_release_buffers(connection_);
  timeval tv = ToTimeval(timeout);
  amqp_envelope_t envelope{};
  amqp_rpc_reply_t reply = amqp_consume_message(connection_, &envelope, &tv, 0);
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
      reply.library_error == AMQP_STATUS_TIMEOUT) {
    return std::nullopt;
  }
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    throw AmqpError("basic.consume: " + DescribeReply(reply));
  }
  Delivery d;
  d.delivery_tag = envelope.delivery_tag;
  d.redelivered = envelope.redelivered != 0;
  d.exchange = ToString(envelope.exchange);
  d.routing_key = ToString(envelope.routing_key);
  ReadMessage(envelope.message, d);
  amqp_destroy_envelope(&envelope);
  return d;
}

std::optional<Delivery> AmqpConnection::Get(const std::string& queue) {
  amqp_maybe_release_buffers(connection_);
  amqp_rpc_reply_t reply =
      amqp_basic_get(connection_, channel_, amqp_cstring_bytes(queue.c_str()), /*no_ack=*/0);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    throw AmqpError("basic.get " + queue + " failed: " + DescribeReply(reply));
  }
  if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return std::nullopt;
  const auto* ok = static_cast<const amqp_basic_get_ok_t*>(reply.reply.decoded);
  Delivery d;  // copied before the next read reuses the frame buffers
  d.delivery_tag = ok->delivery_tag;
  d.redelivered = ok->redelivered != 0;
  d.exchange = ToString(ok->exchange);
  d.routing_key = ToString(ok->routing_key);
  amqp_message_t message{};
  amqp_rpc_reply_t read = amqp_read_message(connection_, channel_, &message, 0);
  if (read.reply_type != AMQP_RESPONSE_NORMAL) {
    throw AmqpError("basic.get " + queue + ": reading the message failed: " + DescribeReply(read));
  }
  ReadMessage(message, d);
  amqp_destroy_message(&message);
  return d;
}

void AmqpConnection::Ack(std::uint64_t delivery_tag, bool multiple) {
  int status;
  {
    SendWatchdog::Sending sending(watchdog_.get());
    status = amqp_basic_ack(connection_, channel_, delivery_tag, multiple ? 1 : 0);
  }
  Check(status, "basic.ack");
}

void AmqpConnection::Reject(std::uint64_t delivery_tag, bool requeue) {
  int status;
  {
    SendWatchdog::Sending sending(watchdog_.get());
    status = amqp_basic_nack(connection_, channel_, delivery_tag, 0, requeue ? 1 : 0);
  }
  Check(status, "basic.nack");
}

int AmqpConnection::SocketFd() const { return amqp_get_sockfd(connection_); }

bool AmqpConnection::HasBufferedInput() const {
  return amqp_frames_enqueued(connection_) != 0 || amqp_data_in_buffer(connection_) != 0;
}

}  // namespace flowbench
