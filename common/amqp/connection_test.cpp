// The AMQP connection against a real RabbitMQ: durable queue, persistent publish with
// confirm, consume with manual ack, passive declares of missing queues; a broker alarm read
// as blocked and unblocked; a publish to a broker that stopped reading fails at the send
// timeout instead of hanging.
#include "common/amqp/connection.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <future>

#include "common/infra/embedded_rabbitmq.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Url() { return testing::EmbeddedInfra::State().amqp_url; }
const infra::RabbitInstance& Rabbit() { return *testing::EmbeddedInfra::State().rabbitmq; }

// A memory alarm on the broker (every publishing connection is blocked), lifted at the end of
// the scope whatever happened in it.
class MemoryAlarm {
 public:
  MemoryAlarm() { infra::RabbitCtl(Rabbit(), {"set_vm_memory_high_watermark", "0"}); }
  ~MemoryAlarm() { Lift(); }
  MemoryAlarm(const MemoryAlarm&) = delete;
  MemoryAlarm& operator=(const MemoryAlarm&) = delete;
  void Lift() {
    if (on_) infra::RabbitCtl(Rabbit(), {"set_vm_memory_high_watermark", "0.4"});
    on_ = false;
  }

 private:
  bool on_ = true;
};

// The broker's VM stopped (SIGSTOP): its sockets accept but nothing reads them. Resumed at the
// end of the scope.
class FrozenBroker {
 public:
  FrozenBroker() : beam_(infra::RabbitBeamPid(Rabbit())) {
    if (beam_ <= 0) throw std::runtime_error("the broker has no pid file");
    ::kill(beam_, SIGSTOP);
  }
  ~FrozenBroker() { ::kill(beam_, SIGCONT); }
  FrozenBroker(const FrozenBroker&) = delete;
  FrozenBroker& operator=(const FrozenBroker&) = delete;

 private:
  pid_t beam_;
};

template <typename Condition>
bool ReadConfirmsUntil(AmqpConnection& c, Condition done, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) c.NextConfirm(milliseconds(100));
  return done();
}

TEST(AmqpConnection, PublishWithConfirmThenConsumeAndAck) {
  AmqpConnection publisher(Url(), seconds(5), "test-publisher");
  publisher.DeclareQueue("test_roundtrip");
  publisher.EnableConfirms();
  std::uint64_t tag = publisher.Publish("", "test_roundtrip", R"({"hello":1})", "msg-1",
                                        {{"traceparent", "00-abc"}}, {{"x-attempt", 2}});
  EXPECT_EQ(tag, 1u);
  std::optional<Confirm> confirm = publisher.NextConfirm(seconds(5));
  ASSERT_TRUE(confirm);
  EXPECT_TRUE(confirm->ack);
  EXPECT_EQ(confirm->delivery_tag, 1u);
  EXPECT_EQ(publisher.QueueDepth("test_roundtrip"), 1u);

  // Publish and consume on separate connections (confirms and deliveries do not mix).
  AmqpConnection consumer(Url(), seconds(5), "test-consumer");
  consumer.Consume("test_roundtrip", 10);
  std::optional<Delivery> d = consumer.NextDelivery(seconds(5));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->body, R"({"hello":1})");
  EXPECT_EQ(d->message_id, "msg-1");
  EXPECT_EQ(d->headers["traceparent"], "00-abc");
  EXPECT_EQ(d->integer_headers["x-attempt"], 2);
  EXPECT_FALSE(d->redelivered);
  consumer.Ack(d->delivery_tag);
  EXPECT_FALSE(consumer.NextDelivery(milliseconds(200)));
  EXPECT_EQ(publisher.QueueDepth("test_roundtrip"), 0u);
}

TEST(AmqpConnection, UnackedMessageIsRedeliveredAfterTheConsumerGoes) {
  AmqpConnection publisher(Url(), seconds(5));
  publisher.DeclareQueue("test_redelivery");
  publisher.EnableConfirms();
  publisher.Publish("", "test_redelivery", "{}", "msg-2");
  ASSERT_TRUE(publisher.NextConfirm(seconds(5))->ack);
  {
    AmqpConnection consumer(Url(), seconds(5));
    consumer.Consume("test_redelivery", 1);
    ASSERT_TRUE(consumer.NextDelivery(seconds(5)));
  }  // closed without ack
  AmqpConnection consumer(Url(), seconds(5));
  consumer.Consume("test_redelivery", 1);
  std::optional<Delivery> again = consumer.NextDelivery(seconds(5));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->redelivered);
  EXPECT_EQ(again->message_id, "msg-2");
  consumer.Ack(again->delivery_tag);
}

TEST(AmqpConnection, AMultipleAckAcksEveryDeliveryUpToItsTagAndNoLater) {
  AmqpConnection publisher(Url(), seconds(5));
  publisher.DeclareQueue("test_multiple_ack");
  publisher.EnableConfirms();
  for (int i = 1; i <= 3; ++i) {
    publisher.Publish("", "test_multiple_ack", "{}", "msg-" + std::to_string(i));
    ASSERT_TRUE(publisher.NextConfirm(seconds(5))->ack);
  }
  {
    AmqpConnection consumer(Url(), seconds(5));
    consumer.Consume("test_multiple_ack", 10);
    std::vector<std::uint64_t> tags;
    for (int i = 0; i < 3; ++i) {
      std::optional<Delivery> d = consumer.NextDelivery(seconds(5));
      ASSERT_TRUE(d);
      tags.push_back(d->delivery_tag);
    }
    consumer.Ack(tags[1], /*multiple=*/true);  // the first two
    EXPECT_FALSE(consumer.NextDelivery(milliseconds(200)));
  }  // closed with the third unacked: it alone comes back
  AmqpConnection consumer(Url(), seconds(5));
  consumer.Consume("test_multiple_ack", 10);
  std::optional<Delivery> again = consumer.NextDelivery(seconds(5));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->message_id, "msg-3");
  EXPECT_TRUE(again->redelivered);
  consumer.Ack(again->delivery_tag);
  EXPECT_FALSE(consumer.NextDelivery(milliseconds(300)));
}

TEST(AmqpConnection, MissingQueueHasNoDepthAndTheConnectionStaysUsable) {
  AmqpConnection c(Url(), seconds(5));
  EXPECT_FALSE(c.QueueDepth("no_such_queue"));
  c.DeclareQueue("after_404");
  EXPECT_EQ(c.QueueDepth("after_404"), 0u);
}

TEST(AmqpConnection, AMandatoryPublishNoQueueTakesIsReturnedBeforeItsAck) {
  AmqpConnection c(Url(), seconds(5));
  c.DeclareQueue("test_routed");
  c.EnableConfirms();
  c.Publish("", "test_no_such_queue", "{}", "lost-1", {}, {}, std::nullopt, /*mandatory=*/true);
  c.Publish("", "test_routed", "{}", "kept-2", {}, {}, std::nullopt, /*mandatory=*/true);
  std::vector<Returned> returned;
  std::uint64_t confirmed_up_to = 0;
  while (confirmed_up_to < 2) {
    std::optional<Confirm> confirm = c.NextConfirm(seconds(5));
    ASSERT_TRUE(confirm) << "confirmed up to " << confirmed_up_to;
    EXPECT_TRUE(confirm->ack);  // the broker acks what it returned: the return tells
    for (Returned& r : c.TakeReturned()) returned.push_back(std::move(r));
    if (confirm->delivery_tag >= 1 && returned.empty()) ADD_FAILURE() << "ack before return";
    confirmed_up_to = std::max(confirmed_up_to, confirm->delivery_tag);
  }
  ASSERT_EQ(returned.size(), 1u);
  EXPECT_EQ(returned[0].message_id, "lost-1");
  EXPECT_NE(returned[0].reason.find("NO_ROUTE"), std::string::npos) << returned[0].reason;
  EXPECT_EQ(c.QueueDepth("test_routed"), 1u);
  c.PurgeQueue("test_routed");
}

TEST(AmqpConnection, FanoutExchangeCopiesToEveryBoundQueue) {
  AmqpConnection c(Url(), seconds(5));
  c.DeclareExchange("test_fanout", "fanout");
  for (const char* q : {"fan_a", "fan_b", "fan_c"}) {
    c.DeclareQueue(q);
    c.BindQueue(q, "test_fanout");
  }
  c.EnableConfirms();
  c.Publish("test_fanout", "", "{}", "msg-3");
  ASSERT_TRUE(c.NextConfirm(seconds(5))->ack);
  for (const char* q : {"fan_a", "fan_b", "fan_c"}) EXPECT_EQ(c.QueueDepth(q), 1u) << q;
}

TEST(AmqpConnection, ABrokerAlarmIsReadAsBlockedAndItsEndAsUnblocked) {
  ConnectionOptions options;
  options.blocked_notifications = true;
  AmqpConnection c(Url(), seconds(5), "test-blocked", options);
  c.DeclareQueue("test_blocked");
  c.EnableConfirms();
  EXPECT_FALSE(c.Blocked());
  {
    MemoryAlarm alarm;
    // The broker tells a connection once it publishes; one publish is enough.
    c.Publish("", "test_blocked", "{}", "blocked-1");
    ASSERT_TRUE(ReadConfirmsUntil(
        c, [&] { return c.Blocked().has_value(); }, seconds(10)))
        << "no connection.blocked within 10 s of a memory alarm";
    EXPECT_NE(c.Blocked()->find("memory"), std::string::npos) << *c.Blocked();
    alarm.Lift();
    EXPECT_TRUE(ReadConfirmsUntil(
        c, [&] { return !c.Blocked().has_value(); }, seconds(10)))
        << "still blocked 10 s after the alarm was lifted";
  }
  c.PurgeQueue("test_blocked");
}

TEST(AmqpConnection, APublishToABrokerThatStoppedReadingFailsAtTheSendTimeout) {
  ConnectionOptions options;
  options.send_timeout = milliseconds(500);
  AmqpConnection c(Url(), seconds(5), "test-send-timeout", options);
  c.DeclareQueue("test_send_timeout");
  // More than the socket buffers on both sides hold, so the send has to wait for the broker.
  const std::string body(32 << 20, 'x');
  std::future<std::string> outcome;
  {
    FrozenBroker frozen;
    auto started = std::chrono::steady_clock::now();
    outcome = std::async(std::launch::async, [&] {
      try {
        c.Publish("", "test_send_timeout", body, "big-1");
        return std::string("published");
      } catch (const AmqpError& e) {
        return std::string(e.what());
      }
    });
    ASSERT_EQ(outcome.wait_for(seconds(5)), std::future_status::ready)
        << "the publish still hangs 5 s after the broker stopped reading";
    EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(3));
  }  // the broker resumes (and a hanging publish finishes) before `outcome` is read
  std::string result = outcome.get();
  EXPECT_NE(result.find("basic.publish failed"), std::string::npos) << result;
  EXPECT_THROW(c.Publish("", "test_send_timeout", "{}", "after-1"), AmqpError);
}

TEST(AmqpConnection, UnreachableBrokerAndBadUrlAreClearErrors) {
  EXPECT_THROW(AmqpConnection("amqp://guest:guest@127.0.0.1:1/%2f", seconds(1)), AmqpError);
  EXPECT_THROW(AmqpConnection("http://nope", seconds(1)), AmqpError);
}

// A cluster's nodes as one comma-separated URL: a node that is down is skipped, and a client
// whose node died starts at the next one.
TEST(AmqpConnection, AListOfUrlsConnectsToTheFirstNodeThatAnswersFromTheOneAskedFor) {
  const std::string dead = "amqp://guest:guest@127.0.0.1:1/%2f";
  EXPECT_EQ(SplitAmqpUrls(dead + "," + Url() + ","), (std::vector<std::string>{dead, Url()}));
  EXPECT_EQ(AmqpConnection(dead + "," + Url(), seconds(1)).NodeIndex(), 1u);
  ConnectionOptions from_second;
  from_second.first_node = 1;
  EXPECT_EQ(AmqpConnection(Url() + "," + dead, seconds(1), "test", from_second).NodeIndex(), 0u);
  try {
    AmqpConnection(dead + "," + dead, seconds(1));
    ADD_FAILURE() << "connected to no broker";
  } catch (const AmqpError& e) {
    EXPECT_NE(std::string(e.what()).find("node 2:"), std::string::npos) << e.what();
  }
}

// The consumer and the publisher log this error on every reconnect attempt.
TEST(AmqpConnection, AnUnparsableUrlIsQuotedWithoutItsPassword) {
  try {
    AmqpConnection("amqp://flowbench:hunter2@127.0.0.1:notaport/%2f", seconds(1));
    ADD_FAILURE() << "an unparsable URL was accepted";
  } catch (const AmqpError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
    EXPECT_NE(what.find("amqp://flowbench:***@127.0.0.1:notaport/%2f"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace flowbench
