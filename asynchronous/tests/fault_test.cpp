// The async build under faults, each with exact counts: a message that does not decode is
// dead-lettered at once, a handler's own error is retried with growing delays then
// dead-lettered; registrations consumed while PostgreSQL is stopped for 10 s are all emailed
// once it is back, none dead-lettered; a registration, a payment_initiated and a
// report_requested delivered twice email, call the gateway and hash once; a failed order is
// never confirmed; a duplicated order_created reserves stock once; with a
// payment failure rate of 0.5 duplicated orders get one payment decision each and never both
// saga outcomes; 200 concurrent orders leave `reserved` where it started; registrations,
// orders and payments taken while the broker nacks their events are answered 202 and
// completed once it recovers (the outbox), also by the next process of a stopped service; an
// event whose queue was deleted is returned (mandatory), kept, and sent once the queue is back;
// messages about rows that do not exist are refused, not retried; with the email service stopped 50
// registrations wait in the queue and are each sent exactly once after it restarts; a broker
// restart during a click burst loses no click that was answered 200, and the requests during the
// outage get 503; after a broker crash and restart every service serves again within seconds; a
// request's work given up on (dead-lettered) or refused (withdrawn) ends in one completion record
// with that outcome, and a redelivered duplicate records nothing more.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "asynchronous/tests/async_system.hpp"
#include "common/amqp/connection.hpp"
#include "common/db/database.hpp"
#include "common/domain/events.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/domain/topology.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench::async::testing {
namespace {

using flowbench::testing::EmbeddedInfra;
using std::chrono::milliseconds;
namespace json = boost::json;

[[maybe_unused]] auto* const kInfra = flowbench::testing::RegisterEmbeddedInfra();

class AsyncFaults : public AsyncSystemSuite {
 protected:
  // flowbench_messages_consumed_total of one queue: one outcome, or all of them.
  static double Consumed(std::string_view service, const std::string& queue,
                         const std::string& outcome) {
    return System().Metric(service, "flowbench_messages_consumed_total",
                           {{"queue", queue}, {"outcome", outcome}});
  }
  static double AllConsumed(std::string_view service, const std::string& queue) {
    return System().Metric(service, "flowbench_messages_consumed_total", {{"queue", queue}});
  }
};

std::unique_ptr<AmqpConnection> Broker() {
  return std::make_unique<AmqpConnection>(EmbeddedInfra::State().amqp_url, std::chrono::seconds(5),
                                          "fault-test");
}

// Publishes the envelopes to `queue` and waits until the broker confirmed every one.
void PublishConfirmed(const std::string& queue, const std::vector<Envelope>& envelopes) {
  auto broker = Broker();
  broker->EnableConfirms();
  for (const Envelope& e : envelopes) {
    broker->Publish("", queue, EncodeEnvelope(e), e.message_id);
  }
  std::set<std::uint64_t> confirmed;  // delivery tags 1..n
  while (confirmed.size() < envelopes.size()) {
    std::optional<Confirm> c = broker->NextConfirm(std::chrono::seconds(5));
    ASSERT_TRUE(c) << confirmed.size() << " of " << envelopes.size() << " confirmed";
    ASSERT_TRUE(c->ack) << "the broker nacked delivery tag " << c->delivery_tag;
    for (std::uint64_t tag = c->multiple ? 1 : c->delivery_tag; tag <= c->delivery_tag; ++tag) {
      confirmed.insert(tag);
    }
  }
}

TEST_F(AsyncFaults, UndecodableMessageIsDeadLetteredAtOnceWithoutRetries) {
  const std::string queue(topology::kUserRegisteredQueue);
  const double retried_before = Consumed("email", queue, "retried");
  const double dead_before = Consumed("email", queue, "dead_lettered");
  auto broker = Broker();
  broker->PurgeQueue(topology::DeadLetterQueue(queue));
  broker->Publish("", queue, "this is not an envelope", "poison-1");

  ASSERT_TRUE(PollUntil([&] { return QueueDepth(topology::DeadLetterQueue(queue)) == 1u; },
                        std::chrono::seconds(15)))
      << "DLQ depth " << QueueDepth(topology::DeadLetterQueue(queue)).value_or(0);
  EXPECT_TRUE(
      PollUntil([&] { return Consumed("email", queue, "dead_lettered") == dead_before + 1; }));
  EXPECT_EQ(Consumed("email", queue, "retried"), retried_before) << "it will never decode";

  broker->Consume(topology::DeadLetterQueue(queue), 1);
  std::optional<Delivery> dead = broker->NextDelivery(std::chrono::seconds(5));
  ASSERT_TRUE(dead);
  EXPECT_EQ(dead->body, "this is not an envelope");
  EXPECT_EQ(dead->message_id, "poison-1");
  EXPECT_EQ(dead->integer_headers["x-flowbench-attempt"], 0);
  EXPECT_FALSE(dead->headers["x-flowbench-error"].empty());
  broker->Ack(dead->delivery_tag);
}

TEST_F(AsyncFaults, AHandlersOwnErrorIsRetriedWithGrowingDelaysThenDeadLettered) {
  // A report job that does not exist: the worker's own, deterministic error.
  const std::string queue(topology::kReportJobsQueue);
  const double retried_before = Consumed("report", queue, "retried");
  const double dead_before = Consumed("report", queue, "dead_lettered");
  auto broker = Broker();
  broker->PurgeQueue(topology::DeadLetterQueue(queue));
  Envelope envelope{"no-such-job-message", "report_requested", std::chrono::system_clock::now(),
                    TraceContext::NewRoot().trace_id,
                    ToJson(ReportRequested{"no-such-job", "sales"})};
  auto started = std::chrono::steady_clock::now();
  PublishConfirmed(queue, {envelope});

  ASSERT_TRUE(PollUntil([&] { return QueueDepth(topology::DeadLetterQueue(queue)) == 1u; },
                        std::chrono::seconds(15)))
      << "DLQ depth " << QueueDepth(topology::DeadLetterQueue(queue)).value_or(0);
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(100 + 200 + 400))
      << "the retries did not wait their delays";
  EXPECT_TRUE(
      PollUntil([&] { return Consumed("report", queue, "dead_lettered") == dead_before + 1; }));
  EXPECT_EQ(Consumed("report", queue, "retried"), retried_before + 3);
  broker->PurgeQueue(topology::DeadLetterQueue(queue));
}

TEST_F(AsyncFaults, DuplicateOrderCreatedReservesStockOnce) {
  std::int64_t reserved_before = Scalar("SELECT reserved FROM inventory WHERE product_id = 3");
  std::int64_t order_id = Scalar(
      "INSERT INTO orders (product_id, quantity, status) VALUES (3, 5, 'pending') "
      "RETURNING id");
  double duplicates_before = System().Metric(
      "inventory", "flowbench_messages_consumed_total",
      {{"queue", std::string(topology::kOrderCreatedQueue)}, {"outcome", "duplicate"}});
  Envelope envelope{"duplicate-order-" + std::to_string(order_id), "order_created",
                    std::chrono::system_clock::now(), TraceContext::NewRoot().trace_id,
                    ToJson(OrderCreated{{order_id, 3, 5}})};
  auto broker = Broker();
  broker->EnableConfirms();
  for (int copy = 0; copy < 2; ++copy) {
    broker->Publish("", std::string(topology::kOrderCreatedQueue), EncodeEnvelope(envelope),
                    envelope.message_id);
  }
  ASSERT_TRUE(broker->NextConfirm(std::chrono::seconds(5)));

  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT count(*) FROM orders WHERE status = 'failed' AND id = " +
                  std::to_string(order_id)) == 1;
  })) << "the saga did not end for order "
      << order_id;
  EXPECT_TRUE(PollUntil([&] {
    return System().Metric("inventory", "flowbench_messages_consumed_total",
                           {{"queue", std::string(topology::kOrderCreatedQueue)},
                            {"outcome", "duplicate"}}) == duplicates_before + 1;
  }));
  EXPECT_EQ(Scalar("SELECT count(*) FROM processed_messages WHERE consumer = 'inventory_reserve' "
                   "AND message_id = '" +
                   envelope.message_id + "'"),
            1);
  // Reserved once and released once: back where it started (twice would leave +5).
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT reserved FROM inventory WHERE product_id = 3") == reserved_before;
  })) << "reserved "
      << Scalar("SELECT reserved FROM inventory WHERE product_id = 3");
  std::this_thread::sleep_for(milliseconds(300));  // a late second reservation would show now
  EXPECT_EQ(Scalar("SELECT reserved FROM inventory WHERE product_id = 3"), reserved_before);
}

std::string IdList(const std::vector<std::int64_t>& ids) {
  std::string list;
  for (std::int64_t id : ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
  return "(" + list + ")";
}

TEST_F(AsyncFaults, DuplicatedOrdersGetOnePaymentDecisionEachAndNeverBothOutcomes) {
  // A coin flip per authorisation: without a recorded decision, the two copies of an order's
  // stock_reserved would disagree for about half of the orders.
  RestartedWith coin_flip(System(), "payment", {"--payment-failure-rate", "0.5"});
  constexpr int kOrders = 20;
  const std::int64_t reserved_before =
      Scalar("SELECT reserved FROM inventory WHERE product_id = 1");
  const double results_before =
      System().Metric(
          "order", "flowbench_messages_consumed_total",
          {{"queue", std::string(topology::kOrderPaymentSucceededQueue)}, {"outcome", "ok"}}) +
      System().Metric(
          "order", "flowbench_messages_consumed_total",
          {{"queue", std::string(topology::kOrderPaymentFailedQueue)}, {"outcome", "ok"}});
  std::vector<std::int64_t> ids;
  std::vector<Envelope> copies;
  for (int i = 0; i < kOrders; ++i) {
    const std::int64_t quantity = 1 + i % 3;
    std::int64_t id = Scalar("INSERT INTO orders (product_id, quantity, status) VALUES (1, " +
                             std::to_string(quantity) + ", 'pending') RETURNING id");
    ids.push_back(id);
    Envelope envelope{"coin-flip-order-" + std::to_string(id), "order_created",
                      std::chrono::system_clock::now(), TraceContext::NewRoot().trace_id,
                      ToJson(OrderCreated{{id, 1, quantity}})};
    copies.push_back(envelope);  // each one twice, back to back: often handled concurrently
    copies.push_back(envelope);
  }
  PublishConfirmed(std::string(topology::kOrderCreatedQueue), copies);
  const std::string orders = IdList(ids);

  ASSERT_TRUE(PollUntil(
      [&] {
        return Scalar("SELECT count(*) FROM orders WHERE status = 'pending' AND id IN " + orders) ==
               0;
      },
      std::chrono::seconds(30)))
      << Scalar(
             "SELECT count(*) FROM orders WHERE status = 'pending' "
             "AND id IN " +
             orders)
      << " orders still pending";
  EXPECT_EQ(Scalar("SELECT count(*) FROM payment_decisions WHERE order_id IN " + orders), kOrders);
  // Each order's result message was handled by exactly one of the two order consumers...
  EXPECT_EQ(Scalar("SELECT count(*) FROM processed_messages c JOIN processed_messages f "
                   "USING (message_id) WHERE c.consumer = 'order_confirm' "
                   "AND f.consumer = 'order_fail'"),
            0)
      << "a payment result was both confirmed and compensated";
  EXPECT_EQ(Scalar("SELECT count(*) FROM processed_messages WHERE consumer IN ('order_confirm', "
                   "'order_fail') AND message_id LIKE 'coin-flip-order-%'"),
            kOrders);
  // ... and the order ended as its recorded decision says.
  EXPECT_EQ(Scalar("SELECT count(*) FROM orders o JOIN payment_decisions d ON d.order_id = o.id "
                   "WHERE o.id IN " +
                   orders +
                   " AND o.status = CASE WHEN d.authorised "
                   "THEN 'confirmed' ELSE 'failed' END"),
            kOrders);
  const std::int64_t confirmed =
      Scalar("SELECT count(*) FROM orders WHERE status = 'confirmed' AND id IN " + orders);
  // Both outcomes occur (all 20 alike has probability 2 / 2^20): the flag took effect.
  EXPECT_GT(confirmed, 0);
  EXPECT_LT(confirmed, kOrders);
  // The stock of confirmed orders stays reserved; failed orders released theirs, once.
  const std::int64_t expected =
      reserved_before +
      Scalar("SELECT coalesce(sum(quantity), 0) FROM orders WHERE status = 'confirmed' AND id IN " +
             orders);
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT reserved FROM inventory WHERE product_id = 1") == expected;
  })) << "reserved "
      << Scalar("SELECT reserved FROM inventory WHERE product_id = 1") << ", expected " << expected;
  // Every stock_reserved arrived twice: one decision, one republished decision.
  EXPECT_TRUE(PollUntil([&] {
    return System().Metric("payment", "flowbench_messages_consumed_total",
                           {{"queue", std::string(topology::kStockReservedQueue)},
                            {"outcome", "duplicate"}}) == kOrders;
  })) << System().Metric("payment", "flowbench_messages_consumed_total",
                         {{"queue", std::string(topology::kStockReservedQueue)},
                          {"outcome", "duplicate"}});
  EXPECT_EQ(
      System().Metric("payment", "flowbench_messages_consumed_total",
                      {{"queue", std::string(topology::kStockReservedQueue)}, {"outcome", "ok"}}),
      kOrders);
  EXPECT_TRUE(PollUntil([&] {
    return System().Metric(
               "order", "flowbench_messages_consumed_total",
               {{"queue", std::string(topology::kOrderPaymentSucceededQueue)}, {"outcome", "ok"}}) +
               System().Metric("order", "flowbench_messages_consumed_total",
                               {{"queue", std::string(topology::kOrderPaymentFailedQueue)},
                                {"outcome", "ok"}}) ==
           results_before + kOrders;
  }));
  std::this_thread::sleep_for(milliseconds(300));  // a late second outcome would show now
  EXPECT_EQ(Scalar("SELECT reserved FROM inventory WHERE product_id = 1"), expected);
  EXPECT_EQ(Scalar("SELECT count(*) FROM orders o JOIN payment_decisions d ON d.order_id = o.id "
                   "WHERE o.id IN " +
                   orders +
                   " AND o.status = CASE WHEN d.authorised "
                   "THEN 'confirmed' ELSE 'failed' END"),
            kOrders);
}

TEST_F(AsyncFaults, TwoHundredConcurrentOrdersLeaveReservedWhereItStarted) {
  std::int64_t reserved_before = Scalar("SELECT reserved FROM inventory WHERE product_id = 2");
  std::int64_t orders_before = Scalar("SELECT count(*) FROM orders");
  std::vector<std::future<std::vector<int>>> clients;
  for (int c = 0; c < 20; ++c) {
    clients.push_back(std::async(std::launch::async, [] {
      std::vector<int> statuses;
      for (int i = 0; i < 10; ++i) {
        statuses.push_back(
            Post(Port("order"), "/create_order", R"({"product_id": 2, "quantity": 1})").status);
      }
      return statuses;
    }));
  }
  int accepted = 0;
  for (auto& c : clients) {
    for (int status : c.get()) accepted += status == 202 ? 1 : 0;
  }
  EXPECT_EQ(accepted, 200);
  EXPECT_EQ(Scalar("SELECT count(*) FROM orders"), orders_before + 200);
  EXPECT_TRUE(
      PollUntil([&] { return Scalar("SELECT count(*) FROM orders WHERE status = 'pending'") == 0; },
                std::chrono::seconds(60)))
      << Scalar("SELECT count(*) FROM orders WHERE status = 'pending'") << " orders still pending";
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT reserved FROM inventory WHERE product_id = 2") == reserved_before;
  })) << "reserved "
      << Scalar("SELECT reserved FROM inventory WHERE product_id = 2");
}

// RabbitMQ nacks every publish to a queue whose policy says max-length 0, reject-publish:
// a real broker refusal, with the consumers still attached.
QueuePolicy RejectingPublishes(const std::string& queue) {
  return QueuePolicy(queue, {{"max-length", 0}, {"overflow", "reject-publish"}});
}

// The transactional outbox (CONTRACT §4.5): a row and its event are committed together, so
// a broker that refuses events does not refuse requests. Everything taken while it nacks is
// answered 202 and delivered once it takes events again; nothing is withdrawn or lost.
TEST_F(AsyncFaults, RequestsTakenWhileTheBrokerNacksAreAnsweredAndCompletedAfterItRecovers) {
  constexpr int kEach = 5;
  const std::int64_t withdrawn_before =
      Consumed("email", std::string(topology::kUserRegisteredQueue), "withdrawn") +
      Consumed("payment", std::string(topology::kPaymentInitiatedQueue), "withdrawn");
  std::vector<std::int64_t> users, orders;
  std::vector<std::string> payments;
  {
    QueuePolicy no_users = RejectingPublishes(std::string(topology::kUserRegisteredQueue));
    QueuePolicy no_orders = RejectingPublishes(std::string(topology::kOrderCreatedQueue));
    QueuePolicy no_payments = RejectingPublishes(std::string(topology::kPaymentInitiatedQueue));
    for (int i = 0; i < kEach; ++i) {
      JsonAnswer user = Post(Port("user"), "/register",
                             R"({"email": "nacked)" + std::to_string(i) + R"(@example.com"})");
      ASSERT_EQ(user.status, 202) << user;
      users.push_back(user.body.at("id").as_int64());
      JsonAnswer order =
          Post(Port("order"), "/create_order", R"({"product_id": 3, "quantity": 1})");
      ASSERT_EQ(order.status, 202) << order;
      orders.push_back(order.body.at("id").as_int64());
      JsonAnswer payment =
          Post(Port("payment"), "/process_payment", R"({"amount": 42.5, "currency": "EUR"})");
      ASSERT_EQ(payment.status, 202) << payment;
      payments.push_back(json::value_to<std::string>(payment.body.at("payment_id")));
    }
    // Taken, not yet delivered: the broker still refuses them, the relay keeps them.
    EXPECT_EQ(QueueDepth(std::string(topology::kUserRegisteredQueue)), 0u);
    EXPECT_EQ(
        Scalar("SELECT count(*) FROM orders WHERE status = 'pending' AND id IN " + IdList(orders)),
        kEach);
    EXPECT_GE(Scalar("SELECT count(*) FROM outbox"), 3 * kEach);
  }
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT count(*) FROM users WHERE welcome_email_sent AND id IN " +
                  IdList(users)) == kEach;
  })) << "welcome emails not sent";
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT count(*) FROM orders WHERE status <> 'pending' AND id IN " +
                  IdList(orders)) == kEach;
  })) << "sagas not finished";
  std::string payment_list;
  for (const std::string& p : payments)
    payment_list += (payment_list.empty() ? "'" : ", '") + p + "'";
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT count(*) FROM payments WHERE status = 'succeeded' AND payment_id IN (" +
                  payment_list + ")") == kEach;
  })) << "payments not settled";
  EXPECT_TRUE(PollUntil([&] { return Scalar("SELECT count(*) FROM outbox") == 0; }));
  EXPECT_EQ(Consumed("email", std::string(topology::kUserRegisteredQueue), "withdrawn") +
                Consumed("payment", std::string(topology::kPaymentInitiatedQueue), "withdrawn"),
            withdrawn_before);
}

// A service stopped while its events wait in the outbox leaves them there; the next process
// of that service sends them.
TEST_F(AsyncFaults, UnsentOutboxRowsOfAStoppedServiceAreSentByTheNextProcess) {
  const std::string queue(topology::kUserRegisteredQueue);
  std::int64_t id = 0;
  {
    QueuePolicy refusing = RejectingPublishes(queue);
    JsonAnswer user = Post(Port("user"), "/register", R"({"email": "left-behind@example.com"})");
    ASSERT_EQ(user.status, 202) << user;
    id = user.body.at("id").as_int64();
    System().StopService("user");
  }
  EXPECT_EQ(
      Scalar("SELECT count(*) FROM users WHERE welcome_email_sent AND id = " + std::to_string(id)),
      0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM outbox"), 1) << "the event was not kept";
  System().StartService("user");
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT count(*) FROM users WHERE welcome_email_sent AND id = " +
                  std::to_string(id)) == 1;
  })) << "the next process did not send the event left behind";
  EXPECT_TRUE(PollUntil([&] { return Scalar("SELECT count(*) FROM outbox") == 0; }));
}

// An event no queue takes (its queue was deleted) is returned by the broker, not confirmed:
// publishes are mandatory, so the outbox keeps it until the queue is back, and then sends it.
TEST_F(AsyncFaults, AnEventNoQueueTakesStaysInTheOutboxUntilItsQueueIsBack) {
  const std::string queue(topology::kUserRegisteredQueue);
  System().StopService("email");  // its consumer would declare the queue again at once
  DeleteQueue(queue);
  JsonAnswer user = Post(Port("user"), "/register", R"({"email": "unroutable@example.com"})");
  ASSERT_EQ(user.status, 202) << user;
  const std::string id = std::to_string(user.body.at("id").as_int64());
  auto kept = [] {
    return Scalar("SELECT count(*) FROM outbox WHERE body LIKE '%unroutable@example.com%'");
  };
  std::this_thread::sleep_for(milliseconds(1500));  // several relay attempts
  EXPECT_EQ(kept(), 1) << "an unroutable event counted as confirmed: lost";
  System().StartService("email");  // declares the queue again
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT count(*) FROM users WHERE welcome_email_sent AND id = " + id) == 1;
  })) << "the event kept in the outbox was not sent once its queue was back";
  EXPECT_TRUE(PollUntil([&] { return kept() == 0; }));
}

// A lost confirm leaves the outcome open: the broker may hold an event whose row was withdrawn.
// Such a message is refused (acked, counted as withdrawn), never retried or dead-lettered.
TEST_F(AsyncFaults, MessagesAboutWithdrawnRowsAreRefusedNotRetried) {
  struct Case {
    std::string_view service;
    std::string queue;
    Envelope envelope;
  };
  auto now = std::chrono::system_clock::now();
  std::string trace = TraceContext::NewRoot().trace_id;
  std::vector<Case> cases{
      {"email",
       std::string(topology::kUserRegisteredQueue),
       {"withdrawn-user", "user_registered", now, trace,
        ToJson(UserRegistered{987654321, "withdrawn@example.com"})}},
      {"payment",
       std::string(topology::kPaymentInitiatedQueue),
       {"withdrawn-payment", "payment_initiated", now, trace,
        ToJson(PaymentInitiated{"no-such-payment", 10.0, "USD"})}},
      {"payment",
       std::string(topology::kPaymentCompletedQueue),
       {"withdrawn-settlement", "payment_completed", now, trace,
        ToJson(PaymentCompleted{"no-such-payment", "succeeded", "txn_withdrawn"})}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.queue);
    const double withdrawn_before = Consumed(c.service, c.queue, "withdrawn");
    const double failed_before =
        Consumed(c.service, c.queue, "retried") + Consumed(c.service, c.queue, "dead_lettered");
    PublishConfirmed(c.queue, {c.envelope});
    EXPECT_TRUE(PollUntil([&] {
      return Consumed(c.service, c.queue, "withdrawn") == withdrawn_before + 1;
    })) << Consumed(c.service, c.queue, "withdrawn") - withdrawn_before
        << " withdrawn";
    EXPECT_EQ(
        Consumed(c.service, c.queue, "retried") + Consumed(c.service, c.queue, "dead_lettered"),
        failed_before);
    EXPECT_EQ(QueueDepth(c.queue), 0u);
    EXPECT_EQ(QueueDepth(topology::DeadLetterQueue(c.queue)).value_or(0), 0u);
  }
  std::this_thread::sleep_for(milliseconds(300));  // a gateway step (100 ms) would be over now
  EXPECT_EQ(Scalar("SELECT count(*) FROM payments WHERE payment_id = 'no-such-payment'"), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM processed_messages WHERE message_id = "
                   "'withdrawn-payment/payment_completed'"),
            0)
      << "the worker went on to the gateway for a withdrawn payment";
}

TEST_F(AsyncFaults, RegistrationsWaitForAStoppedEmailServiceAndAreSentOnce) {
  System().StopService("email");
  const std::string queue(topology::kUserRegisteredQueue);
  std::int64_t sent_before = Scalar("SELECT count(*) FROM users WHERE welcome_email_sent");
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 50; ++i) {
    JsonAnswer a = Post(Port("user"), "/register",
                        R"({"email": "waiting)" + std::to_string(i) + R"(@example.com"})");
    ASSERT_EQ(a.status, 202) << a;
    ids.push_back(a.body.at("id").as_int64());
  }
  // The relay publishes each registration's event just after its answer (the outbox).
  EXPECT_TRUE(PollUntil([&] { return QueueDepth(queue) == 50u; })) << QueueDepth(queue).value_or(0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE welcome_email_sent"), sent_before);

  System().StartService("email");
  EXPECT_TRUE(PollUntil([&] {
    return Scalar(
               "SELECT count(*) FROM users WHERE welcome_email_sent AND email LIKE "
               "'waiting%'") == 50;
  })) << Scalar("SELECT count(*) FROM users WHERE welcome_email_sent AND email LIKE 'waiting%'");
  EXPECT_TRUE(PollUntil([&] { return QueueDepth(queue) == 0u; }));
  // Sent once each: one processed record per message, fifty handled, no duplicate.
  EXPECT_EQ(Scalar("SELECT count(*) FROM processed_messages WHERE consumer = 'email'"),
            sent_before + 50);
  EXPECT_TRUE(PollUntil([&] {
    return System().Metric("email", "flowbench_messages_consumed_total",
                           {{"queue", queue}, {"outcome", "ok"}}) == 50;
  }));
  EXPECT_EQ(System().Metric("email", "flowbench_messages_consumed_total",
                            {{"queue", queue}, {"outcome", "duplicate"}}),
            0);
}

TEST_F(AsyncFaults, BrokerRestartDuringAClickBurstLosesNoAcceptedClick) {
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  struct Sent {
    int id;
    int status;
  };
  auto burst = [&] {
    std::vector<Sent> sent;
    httplib::Client client("127.0.0.1", Port("analytics"));
    client.set_tcp_nodelay(true);
    client.set_keep_alive(true);
    client.set_read_timeout(std::chrono::seconds(15));
    while (!stop) {
      int id = next++;
      auto r = client.Post("/track_click",
                           R"({"user_id": 7, "page": "/burst/)" + std::to_string(id) + R"("})",
                           "application/json");
      sent.push_back({id, r ? r->status : 0});
      if (!r || r->status != 200) std::this_thread::sleep_for(milliseconds(5));  // no hot loop
    }
    return sent;
  };
  std::vector<std::future<std::vector<Sent>>> clients;
  for (int c = 0; c < 4; ++c) clients.push_back(std::async(std::launch::async, burst));
  // Should the broker not come back (RestartRabbit throws) or an assertion end the test
  // early, the bursts must still stop: the futures' destructors wait for their threads, and
  // the test program would hang until CTest's timeout instead of reporting the failure.
  struct StopOnExit {
    std::atomic<bool>& stop;
    ~StopOnExit() { stop = true; }
  } stop_on_exit{stop};
  std::this_thread::sleep_for(milliseconds(700));

  infra::InfraState state = *infra::LoadInfraState(EmbeddedInfra::StateDir());
  state.rabbitmq = infra::RestartRabbit(*state.rabbitmq);
  {  // so that the fixture's InfraDown stops the new broker process
    std::ofstream out(infra::StateFile(EmbeddedInfra::StateDir()));
    out << boost::json::serialize(infra::ToJson(state)) << "\n";
  }
  // Clicks go on until the service is publishing again.
  EXPECT_TRUE(PollUntil([&] { return Get(Port("analytics"), "/health").status == 200; },
                        std::chrono::seconds(30)));
  std::this_thread::sleep_for(milliseconds(700));
  stop = true;

  std::map<int, int> status_of;
  for (auto& c : clients) {
    for (const Sent& s : c.get()) status_of[s.id] = s.status;
  }
  int ok = 0, unavailable = 0, other = 0;
  for (const auto& [id, status] : status_of) {
    if (status == 200)
      ++ok;
    else if (status == 503)
      ++unavailable;
    else
      ++other;
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(unavailable, 0) << "no request saw the outage";
  EXPECT_EQ(other, 0) << "requests during the outage must get 503, not hang or fail otherwise";

  auto written = [&] {
    std::map<int, std::int64_t> rows;
    DatabaseSettings settings;
    settings.url = EmbeddedInfra::State().pg_url;
    settings.schema = "async";
    auto connection = Connect(settings);
    pqxx::nontransaction tx(*connection);
    for (const pqxx::row& r : tx.exec("SELECT substr(page, 8)::int, count(*) FROM clicks "
                                      "WHERE page LIKE '/burst/%' GROUP BY 1")) {
      rows[r[0].as<int>()] = r[1].as<std::int64_t>();
    }
    return rows;
  };
  std::map<int, std::int64_t> rows;
  EXPECT_TRUE(PollUntil(
      [&] {
        rows = written();
        for (const auto& [id, status] : status_of) {
          if (status == 200 && rows[id] != 1) return false;
        }
        return true;
      },
      std::chrono::seconds(30)));
  int missing = 0, duplicated = 0;
  for (const auto& [id, status] : status_of) {
    if (status == 200 && rows[id] == 0) ++missing;
  }
  for (const auto& [id, count] : rows) duplicated += count > 1 ? 1 : 0;
  EXPECT_EQ(missing, 0) << "clicks answered 200 but not written";
  EXPECT_EQ(duplicated, 0) << "clicks written twice";
  std::printf("broker restart: %d clicks answered 200, %d answered 503\n", ok, unavailable);
}

// A broker crash (SIGKILL) and a restart on its port and data: every service finds it again by
// itself, within a second or so of the broker taking connections, with the back-off the
// services run with by default (the suite's faster one is replaced here). The publisher
// answers clicks again, the consumers take deliveries again, and the relay sends what the
// fronts took during the outage.
TEST_F(AsyncFaults, AfterABrokerCrashAndRestartEveryServiceIsServingAgainWithinSeconds) {
  RestartedWith default_backoff_analytics(System(), "analytics", {"--reconnect-max-delay-ms", ""});
  RestartedWith default_backoff_user(System(), "user", {"--reconnect-max-delay-ms", ""});
  RestartedWith default_backoff_email(System(), "email", {"--reconnect-max-delay-ms", ""});
  const std::vector<std::string> services{"user",  "email",     "payment", "product", "search",
                                          "cache", "analytics", "report",  "order",   "inventory"};
  auto click = [] {
    return Post(Port("analytics"), "/track_click", R"({"user_id": 8, "page": "/after-crash"})");
  };
  ASSERT_EQ(click().status, 200);
  infra::KillComponent(EmbeddedInfra::StateDir(), infra::Component::kRabbitmq);
  EXPECT_TRUE(PollUntil([&] { return click().status == 503; })) << "the crash went unnoticed";
  // Taken during the outage: the outbox keeps its event.
  JsonAnswer user = Post(Port("user"), "/register", R"({"email": "during-crash@example.com"})");
  ASSERT_EQ(user.status, 202) << user;
  const std::int64_t id = user.body.at("id").as_int64();
  std::this_thread::sleep_for(std::chrono::seconds(4));  // the back-off reaches its cap

  // Returns once the restarted broker accepted a login.
  infra::RestartComponent(EmbeddedInfra::StateDir(), infra::Component::kRabbitmq);
  const auto back = std::chrono::steady_clock::now();
  auto since_back = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - back).count();
  };
  constexpr auto kLongWait = std::chrono::seconds(10);
  EXPECT_TRUE(PollUntil([&] { return click().status == 200; }, kLongWait, milliseconds(20)))
      << "clicks still refused " << since_back() << " s after the broker came back: " << click();
  const double clicks_back = since_back();
  for (const std::string& service : services) {
    EXPECT_TRUE(PollUntil([&] { return Get(Port(service), "/health").status == 200; }, kLongWait,
                          milliseconds(20)))
        << service << " not healthy " << since_back()
        << " s after the broker came back: " << Get(Port(service), "/health");
  }
  const double all_healthy = since_back();
  std::printf(
      "broker crash: clicks answered %.2f s and every service healthy %.2f s after the "
      "broker came back\n",
      clicks_back, all_healthy);
  EXPECT_LT(clicks_back, 1.5) << "the publisher waited too long to reconnect";
  EXPECT_LT(all_healthy, 1.5) << "a publisher or consumer waited too long to reconnect";
  EXPECT_TRUE(PollUntil(
      [&] {
        return Scalar("SELECT count(*) FROM users WHERE welcome_email_sent AND id = " +
                      std::to_string(id)) == 1;
      },
      kLongWait))
      << "the registration taken during the outage was not emailed " << since_back()
      << " s after the broker came back";
  JsonAnswer order = Post(Port("order"), "/create_order", R"({"product_id": 1, "quantity": 1})");
  ASSERT_EQ(order.status, 202) << order;
  const std::string order_id = std::to_string(order.body.at("id").as_int64());
  EXPECT_TRUE(PollUntil(
      [&] {
        return Scalar("SELECT count(*) FROM orders WHERE status <> 'pending' AND id = " +
                      order_id) == 1;
      },
      kLongWait))
      << "a saga started after the restart did not finish";
}

// --- Completion records of messages given up on, refused, or delivered twice ---------------

// Publishes `body` to `queue` with the request id header and waits for the broker's confirm.
void PublishTagged(const std::string& queue, const std::string& body, const std::string& message_id,
                   const std::string& request_id) {
  auto broker = Broker();
  broker->EnableConfirms();
  broker->Publish("", queue, body, message_id, {{"x-request-id", request_id}});
  std::optional<Confirm> confirm = broker->NextConfirm(std::chrono::seconds(5));
  ASSERT_TRUE(confirm && confirm->ack) << "not confirmed";
}

// The records of `request_id` once at least one is there, and after a pause for any late one.
std::vector<std::pair<std::string, CompletionRecord>> RecordsOf(const AsyncSystem& system,
                                                                const std::string& request_id) {
  std::vector<std::pair<std::string, CompletionRecord>> records;
  PollUntil([&] {
    records = system.Completions(request_id);
    return !records.empty();
  });
  std::this_thread::sleep_for(milliseconds(500));
  return system.Completions(request_id);
}

std::int64_t NowUnixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(AsyncFaults, ADeadLetteredMessageEndsItsRequestsWorkAsDeadLettered) {
  const std::string queue(topology::kPaymentCompletedQueue);
  const std::string id = "dead-" + TraceContext::NewRoot().trace_id.substr(0, 12);
  std::int64_t sent = NowUnixNs();
  PublishTagged(queue, "not an envelope either", "poison-" + id, id);
  auto records = RecordsOf(System(), id);
  ASSERT_EQ(records.size(), 1u) << "one record, after the last retry only";
  EXPECT_EQ(records[0].first, "payment");
  EXPECT_EQ(records[0].second.scenario, scenario::kBackgroundPayment);
  EXPECT_EQ(OutcomeName(records[0].second.outcome), "dead_lettered");
  EXPECT_GT(records[0].second.end_unix_ns, sent);
  EXPECT_TRUE(PollUntil([&] { return QueueDepth(topology::DeadLetterQueue(queue)) >= 1u; }));
  Broker()->PurgeQueue(topology::DeadLetterQueue(queue));
}

TEST_F(AsyncFaults, AMessageAboutAWithdrawnRowEndsItsRequestsWorkAsWithdrawn) {
  const std::string id = "withdrawn-" + TraceContext::NewRoot().trace_id.substr(0, 12);
  Envelope envelope{"m-" + id, "user_registered", std::chrono::system_clock::now(),
                    TraceContext::NewRoot().trace_id,
                    ToJson(UserRegistered{987654000, "gone@example.com"})};
  PublishTagged(std::string(topology::kUserRegisteredQueue), EncodeEnvelope(envelope),
                envelope.message_id, id);
  auto records = RecordsOf(System(), id);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].first, "email");
  EXPECT_EQ(records[0].second.scenario, scenario::kEmailOnRegistration);
  EXPECT_EQ(OutcomeName(records[0].second.outcome), "withdrawn");
}

TEST_F(AsyncFaults, ARedeliveredDuplicateRecordsNoSecondCompletion) {
  // A real payment, settled once by its own messages (untagged: no record of its own).
  JsonAnswer a = Post(Port("payment"), "/process_payment", R"({"amount": 5.0})");
  ASSERT_EQ(a.status, 202) << a;
  const std::string payment_id = json::value_to<std::string>(a.body.at("payment_id"));
  ASSERT_TRUE(PollUntil([&] {
    return Get(Port("payment"), "/payments/" + payment_id).body.at("status") == "succeeded";
  }));
  // Then one payment_completed delivered twice, as after a lost ack.
  const std::string id = "dup-" + TraceContext::NewRoot().trace_id.substr(0, 12);
  Envelope envelope{"m-" + id, "payment_completed", std::chrono::system_clock::now(),
                    TraceContext::NewRoot().trace_id,
                    ToJson(PaymentCompleted{payment_id, "succeeded", "txn_dup"})};
  const std::string queue(topology::kPaymentCompletedQueue);
  const double duplicates_before = Consumed("payment", queue, "duplicate");
  PublishTagged(queue, EncodeEnvelope(envelope), envelope.message_id, id);
  PublishTagged(queue, EncodeEnvelope(envelope), envelope.message_id, id);
  EXPECT_TRUE(
      PollUntil([&] { return Consumed("payment", queue, "duplicate") == duplicates_before + 1; }));
  auto records = RecordsOf(System(), id);
  ASSERT_EQ(records.size(), 1u) << "the duplicate recorded again";
  EXPECT_EQ(OutcomeName(records[0].second.outcome), "done");
}

// --- Effects done once per message, and order status guarded --------------------------------

// Publishes `envelope` `copies` times back to back (as a redelivery would bring it again, often
// while the first copy is still being handled), with a sampled trace so the handler's waiting
// steps are written to its log.
TraceContext PublishCopies(const std::string& exchange, const std::string& routing_key,
                           const Envelope& envelope, int copies) {
  TraceContext trace = TraceContext::NewRoot();
  trace.flags = 1;
  auto broker = Broker();
  broker->EnableConfirms();
  for (int copy = 0; copy < copies; ++copy) {
    broker->Publish(exchange, routing_key, EncodeEnvelope(envelope), envelope.message_id,
                    {{"traceparent", trace.ToTraceparent()}});
  }
  for (int confirmed = 0; confirmed < copies;) {
    std::optional<Confirm> c = broker->NextConfirm(std::chrono::seconds(5));
    EXPECT_TRUE(c && c->ack) << "not confirmed";
    if (!c) break;
    confirmed = static_cast<int>(c->delivery_tag);
  }
  return trace;
}

// Lines of a service's log (spans included) with `trace_id` whose text contains `what`.
int LogLinesOf(const AsyncSystem& system, std::string_view service, const std::string& trace_id,
               std::string_view what) {
  std::ifstream log(system.LogOf(service));
  int count = 0;
  for (std::string line; std::getline(log, line);) {
    if (line.find(trace_id) != std::string::npos && line.find(what) != std::string::npos) ++count;
  }
  return count;
}

TEST_F(AsyncFaults, ARegistrationDeliveredTwiceSendsOneEmail) {
  const std::int64_t user_id =
      Scalar("INSERT INTO users (email) VALUES ('twice@example.com') RETURNING id");
  Envelope envelope{"twice-user-" + std::to_string(user_id), "user_registered",
                    std::chrono::system_clock::now(), TraceContext::NewRoot().trace_id,
                    ToJson(UserRegistered{user_id, "twice@example.com"})};
  TraceContext trace = PublishCopies("", std::string(topology::kUserRegisteredQueue), envelope, 2);
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT count(*) FROM users WHERE welcome_email_sent AND id = " +
                  std::to_string(user_id)) == 1;
  }));
  std::this_thread::sleep_for(milliseconds(500));  // a second email (50 ms) would be over now
  EXPECT_EQ(LogLinesOf(System(), "email", trace.trace_id, "SMTP send"), 1)
      << "the welcome email was sent more than once";
}

TEST_F(AsyncFaults, APaymentInitiatedDeliveredTwiceCallsTheGatewayOnce) {
  const std::string payment_id = "gateway-twice-" + TraceContext::NewRoot().trace_id.substr(0, 8);
  Scalar("INSERT INTO payments (payment_id, amount, currency, status) VALUES ('" + payment_id +
         "', 5, 'USD', 'processing') RETURNING 1");
  Envelope envelope{"m-" + payment_id, "payment_initiated", std::chrono::system_clock::now(),
                    TraceContext::NewRoot().trace_id,
                    ToJson(PaymentInitiated{payment_id, 5.0, "USD"})};
  TraceContext trace =
      PublishCopies("", std::string(topology::kPaymentInitiatedQueue), envelope, 2);
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT count(*) FROM payments WHERE status = 'succeeded' AND payment_id = '" +
                  payment_id + "'") == 1;
  }));
  std::this_thread::sleep_for(milliseconds(500));  // a second gateway call (100 ms) would show
  EXPECT_EQ(LogLinesOf(System(), "payment", trace.trace_id, "payment gateway"), 1)
      << "the gateway was called more than once for one payment";
  EXPECT_EQ(Scalar("SELECT count(*) FROM processed_messages WHERE message_id = 'm-" + payment_id +
                   "/payment_completed'"),
            1);
}

TEST_F(AsyncFaults, AReportRequestDeliveredTwiceIsHashedOnce) {
  // Two CPU workers, so the two copies are handled at the same time (with one, the second
  // would only start once the first had stored the result).
  RestartedWith two_workers(System(), "report", {"--cpu-pool-size", "2"});
  const std::string job_id = "hash-twice-" + TraceContext::NewRoot().trace_id.substr(0, 8);
  Scalar("INSERT INTO report_jobs (job_id, report_type, status) VALUES ('" + job_id +
         "', 'sales', 'queued') RETURNING 1");
  Envelope envelope{"m-" + job_id, "report_requested", std::chrono::system_clock::now(),
                    TraceContext::NewRoot().trace_id, ToJson(ReportRequested{job_id, "sales"})};
  TraceContext trace = PublishCopies("", std::string(topology::kReportJobsQueue), envelope, 2);
  EXPECT_TRUE(PollUntil([&] {
    return Scalar("SELECT count(*) FROM report_jobs WHERE status = 'completed' AND job_id = '" +
                  job_id + "'") == 1;
  }));
  const std::string queue(topology::kReportJobsQueue);
  EXPECT_TRUE(PollUntil([&] { return Consumed("report", queue, "duplicate") == 1; }))
      << "the second copy was not recognised as a duplicate";
  EXPECT_EQ(LogLinesOf(System(), "report", trace.trace_id, "SHA-256 report"), 1)
      << "the report was hashed more than once";
  EXPECT_EQ(Consumed("report", queue, "retried") + Consumed("report", queue, "dead_lettered"), 0);
}

TEST_F(AsyncFaults, SigtermWithAReportBeingHashedExitsWithinTheDrainTimeoutAndTheJobIsDoneOnce) {
  // Hashing takes longer than the drain may: the delivery is handed back to the broker and
  // the process exits on time (it used to wait for the acknowledgement for ever, until
  // SIGKILL).
  RestartedWith slow(System(), "report",
                     {"--report-cpu-time-ms", "4000", "--drain-timeout-ms", "500"});
  const std::string request_id = "drain-report-" + TraceContext::NewRoot().trace_id.substr(0, 8);
  JsonAnswer accepted = Request(Port("report"), "POST", "/generate_report",
                                R"({"report_type": "sales"})", {{"X-Request-Id", request_id}});
  ASSERT_EQ(accepted.status, 202) << accepted;
  const std::string job_id = json::value_to<std::string>(accepted.body.at("job_id"));
  auto status = [&] {
    JsonAnswer job = Get(Port("report"), "/jobs/" + job_id);
    return job.status == 200 ? json::value_to<std::string>(job.body.at("status")) : "";
  };
  ASSERT_TRUE(PollUntil([&] { return status() == "running"; }));

  milliseconds stopped = System().StopServiceTimed("report", std::chrono::seconds(15));
  EXPECT_LT(stopped, milliseconds(3000)) << "SIGTERM did not end the process in time";
  EXPECT_EQ(Scalar("SELECT count(*) FROM report_jobs WHERE status = 'completed' AND job_id = '" +
                   job_id + "'"),
            0);

  // Started again (quick hashing: its hashing claim lapses after 10 s + 4 x 200 ms): the
  // requeued delivery is done, once.
  System().StartService("report", {"--report-cpu-time-ms", "200"});
  EXPECT_TRUE(PollUntil([&] { return status() == "completed"; }, std::chrono::seconds(40)));
  const std::string queue(topology::kReportJobsQueue);
  EXPECT_EQ(Consumed("report", queue, "ok"), 1);
  EXPECT_EQ(Consumed("report", queue, "duplicate"), 0);
  std::vector<std::pair<std::string, CompletionRecord>> records = System().Completions(request_id);
  ASSERT_EQ(records.size(), 1u) << "the job's work should end exactly once";
  EXPECT_EQ(records[0].second.outcome, WorkOutcome::kDone);
}

TEST_F(AsyncFaults, AFailedOrderNeverBecomesConfirmed) {
  const std::string queue(topology::kOrderPaymentSucceededQueue);
  const std::int64_t order_id = Scalar(
      "INSERT INTO orders (product_id, quantity, status) VALUES (1, 1, 'failed') RETURNING id");
  const double consumed_before = AllConsumed("order", queue);
  Envelope envelope{"late-success-" + std::to_string(order_id), "payment_succeeded",
                    std::chrono::system_clock::now(), TraceContext::NewRoot().trace_id,
                    ToJson(PaymentSucceeded{{order_id, 1, 1}})};
  PublishCopies(std::string(topology::kPaymentSucceeded), "", envelope, 1);
  EXPECT_TRUE(PollUntil([&] { return AllConsumed("order", queue) == consumed_before + 1; }));
  EXPECT_EQ(Scalar("SELECT count(*) FROM orders WHERE status = 'failed' AND id = " +
                   std::to_string(order_id)),
            1)
      << "a failed order was confirmed";
  EXPECT_EQ(Consumed("order", queue, "refused"), 1);
  EXPECT_EQ(QueueDepth(topology::DeadLetterQueue(queue)).value_or(0), 0u);
}

// Last of the suite: after PostgreSQL's restart, each service's idle pooled connections are
// broken and fail once when next used (a front answers 503), which a later test would meet.
TEST_F(AsyncFaults, RegistrationsConsumedDuringADatabaseOutageAreAllEmailedNoneDeadLettered) {
  const std::string queue(topology::kUserRegisteredQueue);
  // The email step waits long enough that the registrations are in the consumer's hands when
  // the database goes away (and meet the outage at the latest when their wait ends).
  RestartedWith slow_email(System(), "email", {"--email-delay-ms", "1500"});
  Broker()->PurgeQueue(topology::DeadLetterQueue(queue));
  constexpr int kUsers = 20;
  for (int i = 0; i < kUsers; ++i) {
    JsonAnswer a = Post(Port("user"), "/register",
                        R"({"email": "outage)" + std::to_string(i) + R"(@example.com"})");
    ASSERT_EQ(a.status, 202) << a;
  }
  {
    PostgresOutage outage;
    std::this_thread::sleep_for(std::chrono::seconds(10));
    EXPECT_GT(Consumed("email", queue, "deferred"), 0) << "no registration met the outage";
  }
  EXPECT_TRUE(PollUntil(
      [&] {
        return Scalar(
                   "SELECT count(*) FROM users WHERE welcome_email_sent AND email LIKE "
                   "'outage%'") == kUsers;
      },
      std::chrono::seconds(60)))
      << Scalar("SELECT count(*) FROM users WHERE welcome_email_sent AND email LIKE 'outage%'")
      << " of " << kUsers << " emailed";
  EXPECT_EQ(QueueDepth(topology::DeadLetterQueue(queue)).value_or(0), 0u);
  EXPECT_EQ(Consumed("email", queue, "dead_lettered"), 0);
  EXPECT_EQ(Consumed("email", queue, "retried"), 0) << "an outage used up attempts";
}

}  // namespace
}  // namespace flowbench::async::testing
