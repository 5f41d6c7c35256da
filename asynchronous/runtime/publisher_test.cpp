// The publisher against a real RabbitMQ under two faults, each timed against a confirm
// timeout far longer than the answer may take: while a broker alarm blocks publishing, a
// publish and a batch fail at once (503 for a click, a back-off for the outbox relay) and
// publishing resumes when the alarm is lifted; when the connection is lost (here: the broker
// stops reading and the send deadline cuts the connection), the messages still queued behind
// the window fail at once too, not when the next connect attempt gives up.
#include "asynchronous/runtime/publisher.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "common/amqp/connection.hpp"
#include "common/domain/errors.hpp"
#include "common/infra/embedded_rabbitmq.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/telemetry/metrics.hpp"

namespace flowbench::async {
namespace {

using flowbench::testing::EmbeddedInfra;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

[[maybe_unused]] auto* const kInfra = flowbench::testing::RegisterEmbeddedInfra();

const infra::RabbitInstance& Rabbit() { return *EmbeddedInfra::State().rabbitmq; }

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

class FrozenBroker {  // SIGSTOP: the broker's sockets accept, nothing reads them
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

OutgoingMessage Message(const std::string& id, std::string body = "{}") {
  return OutgoingMessage{"", "publisher_test", std::move(body), id, {}, {}};
}

struct Outcome {
  std::string error;  // empty: confirmed
  Clock::duration took{};
};

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.confirm_timeout = seconds(20);  // any wait this long is a failure of the test
    settings_.confirm_window = 1;
  }
  void StartPublisher() {
    // Publishes are mandatory: the queue must exist, or every one is returned.
    AmqpConnection(EmbeddedInfra::State().amqp_url, seconds(5)).DeclareQueue("publisher_test");
    publisher_ = std::make_unique<Publisher>(io_, EmbeddedInfra::State().amqp_url, "publisher-test",
                                             settings_, metrics_);
    publisher_->Start();
    auto deadline = Clock::now() + seconds(10);
    while (!publisher_->Connected() && Clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    ASSERT_TRUE(publisher_->Connected());
  }

  // Publishes each message (in this order, all at once) and waits for every answer.
  std::vector<Outcome> PublishAll(std::vector<OutgoingMessage> messages) {
    std::vector<Outcome> outcomes(messages.size());
    auto started = Clock::now();
    for (std::size_t i = 0; i < messages.size(); ++i) {
      net::co_spawn(
          io_,
          [this, message = std::move(messages[i])]() mutable -> Task<void> {
            co_await publisher_->Publish(std::move(message), /*wait_for_confirm=*/true);
          },
          [&outcomes, i, started](const std::exception_ptr& error) {
            outcomes[i].took = Clock::now() - started;
            if (!error) return;
            try {
              std::rethrow_exception(error);
            } catch (const ServiceUnavailable& e) {
              outcomes[i].error = e.what();
            } catch (const std::exception& e) {
              outcomes[i].error = std::string("not a ServiceUnavailable: ") + e.what();
            }
          });
    }
    io_.restart();
    io_.run();
    return outcomes;
  }

  std::vector<std::optional<std::string>> PublishBatch(std::vector<OutgoingMessage> messages) {
    std::vector<std::optional<std::string>> results;
    net::co_spawn(
        io_,
        [this, &results, messages = std::move(messages)]() mutable -> Task<void> {
          results = co_await publisher_->PublishBatch(std::move(messages));
        },
        [](const std::exception_ptr& error) {
          if (error) std::rethrow_exception(error);
        });
    io_.restart();
    io_.run();
    return results;
  }

  AsyncRuntimeSettings settings_;
  net::io_context io_;
  Metrics metrics_{"async", "publisher-test"};
  std::unique_ptr<Publisher> publisher_;
};

TEST_F(PublisherTest, WhileABrokerAlarmBlocksPublishingPublishesFailAtOnceAndResumeAfterIt) {
  StartPublisher();
  ASSERT_TRUE(PublishAll({Message("before-alarm")})[0].error.empty());
  {
    MemoryAlarm alarm;
    // The broker tells a connection it is blocked once it publishes: the first publishes
    // after the alarm may still be confirmed, then every one fails, and none waits.
    std::string blocked_error;
    for (int i = 0; i < 20 && blocked_error.empty(); ++i) {
      Outcome o = PublishAll({Message("during-alarm-" + std::to_string(i))})[0];
      ASSERT_LT(o.took, seconds(2))
          << "publish " << i << " waited for the confirm timeout: " << o.error;
      blocked_error = o.error;
      if (blocked_error.empty()) std::this_thread::sleep_for(milliseconds(100));
    }
    ASSERT_FALSE(blocked_error.empty()) << "every publish was confirmed during the alarm";
    EXPECT_NE(blocked_error.find("blocked"), std::string::npos) << blocked_error;

    auto started = Clock::now();
    std::vector<std::optional<std::string>> batch =
        PublishBatch({Message("batch-1"), Message("batch-2"), Message("batch-3")});
    EXPECT_LT(Clock::now() - started, seconds(1));
    ASSERT_EQ(batch.size(), 3u);
    for (const auto& error : batch) {
      ASSERT_TRUE(error) << "a batch message was confirmed during the alarm";
      EXPECT_NE(error->find("blocked"), std::string::npos) << *error;
    }
    alarm.Lift();
  }
  // Publishing resumes once the broker says connection.unblocked.
  auto deadline = Clock::now() + seconds(10);
  std::string last_error = "none tried";
  while (Clock::now() < deadline) {
    last_error = PublishAll({Message("after-alarm")})[0].error;
    if (last_error.empty()) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(last_error.empty()) << "still failing 10 s after the alarm: " << last_error;
  publisher_->Stop();
}

TEST_F(PublisherTest, MessagesQueuedBehindTheWindowFailAsSoonAsTheConnectionIsLost) {
  StartPublisher();
  std::vector<Outcome> outcomes;
  {
    FrozenBroker frozen;
    // The first message is larger than the socket buffers, so its send waits for a broker
    // that does not read until the send deadline cuts the connection; with a window of one,
    // the other five wait in the publisher's queue meanwhile. Reconnecting to the frozen
    // broker would take the connect timeout (3 s): they must not wait for that.
    std::vector<OutgoingMessage> messages;
    messages.push_back(Message("large", std::string(32 << 20, 'x')));
    for (int i = 0; i < 5; ++i) messages.push_back(Message("queued-" + std::to_string(i)));
    outcomes = PublishAll(std::move(messages));
  }
  ASSERT_EQ(outcomes.size(), 6u);
  for (const Outcome& o : outcomes) ASSERT_FALSE(o.error.empty()) << "confirmed by a frozen broker";
  EXPECT_LT(outcomes[0].took, seconds(5)) << outcomes[0].error;
  for (std::size_t i = 1; i < outcomes.size(); ++i) {
    EXPECT_LT(outcomes[i].took, outcomes[0].took + milliseconds(500))
        << "queued message " << i << " failed "
        << std::chrono::duration_cast<milliseconds>(outcomes[i].took - outcomes[0].took).count()
        << " ms after the connection was lost: " << outcomes[i].error;
  }
  publisher_->Stop();
}

}  // namespace
}  // namespace flowbench::async
