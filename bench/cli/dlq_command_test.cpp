// `flowbench dlq list | redrive` as an operator runs them: the real binary against the test
// program's own RabbitMQ, with messages dead-lettered the way the async consumers do it.
#include <gtest/gtest.h>

#include <cstdlib>

#include "common/amqp/connection.hpp"
#include "common/domain/events.hpp"
#include "common/domain/topology.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench {
namespace {

using flowbench::testing::EmbeddedInfra;

[[maybe_unused]] auto* const kInfra = flowbench::testing::RegisterEmbeddedInfra();

infra::CommandResult Flowbench(std::vector<std::string> args) {
  const char* bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
  std::vector<std::string> argv{std::string(bin_dir ? bin_dir : ".") + "/flowbench"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--amqp-url");
  argv.push_back(EmbeddedInfra::State().amqp_url);
  return infra::RunCommand(argv);
}

std::unique_ptr<AmqpConnection> Broker() {
  return std::make_unique<AmqpConnection>(EmbeddedInfra::State().amqp_url, std::chrono::seconds(5),
                                          "dlq-test");
}

// `count` registrations dead-lettered after their last attempt, as a consumer leaves them.
std::vector<std::string> DeadLetterRegistrations(int count) {
  const std::string queue(topology::kUserRegisteredQueue);
  auto broker = Broker();
  broker->DeclareQueue(queue);
  broker->DeclareQueue(topology::DeadLetterQueue(queue));
  broker->PurgeQueue(queue);
  broker->PurgeQueue(topology::DeadLetterQueue(queue));
  broker->EnableConfirms();
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    Envelope envelope{"dead-registration-" + std::to_string(i), "user_registered",
                      std::chrono::system_clock::now(), TraceContext::NewRoot().trace_id,
                      ToJson(UserRegistered{100 + i, "dead@example.com"})};
    broker->Publish("", topology::DeadLetterQueue(queue), EncodeEnvelope(envelope),
                    envelope.message_id,
                    {{"x-flowbench-error", "database error"}, {"x-flowbench-queue", queue}},
                    {{"x-flowbench-attempt", 3}});
    ids.push_back(envelope.message_id);
  }
  for (int confirmed = 0; confirmed < count;) {
    std::optional<Confirm> c = broker->NextConfirm(std::chrono::seconds(5));
    if (!c || !c->ack) throw std::runtime_error("dead-lettered copy not confirmed");
    confirmed = static_cast<int>(c->delivery_tag);
  }
  return ids;
}

TEST(DlqCommand, ListShowsEachDeadLetterQueueWithItsDepthAndFirstMessage) {
  std::vector<std::string> ids = DeadLetterRegistrations(3);
  infra::CommandResult list = Flowbench({"dlq", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  std::size_t line = list.output.find("user_registered_queue.dlq ");
  ASSERT_NE(line, std::string::npos) << list.output;
  std::string row = list.output.substr(line, list.output.find('\n', line) - line);
  EXPECT_NE(row.find(" 3  user_registered " + ids[0] + " (database error)"), std::string::npos)
      << row;
  // Every consumed queue has its line, declared or not.
  for (const topology::QueueBinding& binding : topology::kQueues) {
    EXPECT_NE(list.output.find(topology::DeadLetterQueue(binding.queue)), std::string::npos)
        << binding.queue;
  }
  // Peeking took nothing away.
  EXPECT_EQ(Broker()->QueueDepth(topology::DeadLetterQueue(topology::kUserRegisteredQueue)), 3u);
}

TEST(DlqCommand, RedriveMovesEveryMessageBackToItsQueueWithFreshAttempts) {
  const std::string queue(topology::kUserRegisteredQueue);
  std::vector<std::string> ids = DeadLetterRegistrations(3);
  infra::CommandResult redrive = Flowbench({"dlq", "redrive", queue});
  ASSERT_EQ(redrive.exit_code, 0) << redrive.output;
  EXPECT_NE(redrive.output.find("moved 3 messages from user_registered_queue.dlq back to "
                                "user_registered_queue"),
            std::string::npos)
      << redrive.output;
  auto broker = Broker();
  EXPECT_EQ(broker->QueueDepth(topology::DeadLetterQueue(queue)), 0u);
  EXPECT_EQ(broker->QueueDepth(queue), 3u);
  for (const std::string& id : ids) {
    std::optional<Delivery> back = broker->Get(queue);
    ASSERT_TRUE(back) << id;
    EXPECT_EQ(back->message_id, id);
    EXPECT_EQ(DecodeEnvelope(back->body).message_id, id);
    EXPECT_EQ(back->integer_headers["x-flowbench-attempt"], 0);
    broker->Ack(back->delivery_tag);
  }
}

TEST(DlqCommand, RedriveMovesAtMostMax) {
  const std::string queue(topology::kUserRegisteredQueue);
  DeadLetterRegistrations(3);
  infra::CommandResult redrive = Flowbench({"dlq", "redrive", queue + ".dlq", "--max", "1"});
  ASSERT_EQ(redrive.exit_code, 0) << redrive.output;
  EXPECT_EQ(Broker()->QueueDepth(topology::DeadLetterQueue(queue)), 2u);
  EXPECT_EQ(Broker()->QueueDepth(queue), 1u);
}

TEST(DlqCommand, RedriveOfAnUnknownQueueIsAClearError) {
  infra::CommandResult redrive = Flowbench({"dlq", "redrive", "no_such_queue"});
  EXPECT_EQ(redrive.exit_code, 1) << redrive.output;
  EXPECT_NE(redrive.output.find("no consumed queue 'no_such_queue'"), std::string::npos)
      << redrive.output;
  EXPECT_NE(redrive.output.find("user_registered_queue"), std::string::npos) << redrive.output;
}

}  // namespace
}  // namespace flowbench
