// The AMQP connection against a real RabbitMQ: durable queue, persistent publish with
// confirm, consume with manual ack, passive declares of missing queues.
#include "common/amqp/connection.hpp"

#include <gtest/gtest.h>

#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Url() { return testing::EmbeddedInfra::State().amqp_url; }

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

TEST(AmqpConnection, UnreachableBrokerAndBadUrlAreClearErrors) {
  EXPECT_THROW(AmqpConnection("amqp://guest:guest@127.0.0.1:1/%2f", seconds(1)), AmqpError);
  EXPECT_THROW(AmqpConnection("http://nope", seconds(1)), AmqpError);
}

}  // namespace
}  // namespace flowbench
