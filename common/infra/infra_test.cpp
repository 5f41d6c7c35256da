// `flowbench infra`: the embedded PostgreSQL and RabbitMQ start, answer, are reused, are
// seen crashed, and stop leaving no process and no port behind. Real servers throughout.
#include "common/infra/infra.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <pqxx/pqxx>

#include "common/amqp/connection.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench::infra {
namespace {

namespace fs = std::filesystem;

struct OurProcesses {
  std::vector<pid_t> pids;
  std::vector<int> ports;
};

OurProcesses Processes(const InfraState& s) {
  pid_t beam = 0;
  std::ifstream(s.rabbitmq->dir / "rabbit.pid") >> beam;
  return {{s.postgres->pid, s.rabbitmq->pid, s.rabbitmq->epmd_pid, beam},
          {s.postgres->port, s.rabbitmq->amqp_port, s.rabbitmq->management_port,
           s.rabbitmq->epmd_port, s.rabbitmq->dist_port}};
}

void ExpectNothingLeft(const OurProcesses& ours) {
  for (pid_t pid : ours.pids) EXPECT_FALSE(IsAlive(pid)) << "process " << pid << " still runs";
  for (int port : ours.ports) EXPECT_FALSE(IsPortOpen(port)) << "port " << port << " still open";
}

TEST(Infra, UpStartsBothServersStatusSeesThemAndDownStopsEverything) {
  fs::path dir = testing::MakeTempDir("flowbench-infra");
  InfraOptions options;
  options.state_dir = dir;

  UpResult up = InfraUp(options);
  EXPECT_FALSE(up.reused);
  ASSERT_TRUE(up.state.postgres && up.state.rabbitmq);
  OurProcesses ours = Processes(up.state);

  // Both answer: a query, and an AMQP login.
  pqxx::connection pg(up.state.pg_url);
  EXPECT_EQ(pqxx::nontransaction(pg).exec1("SELECT current_database()")[0].as<std::string>(),
            "flowbench");
  EXPECT_NO_THROW(AmqpConnection(up.state.amqp_url, std::chrono::seconds(5)));
  EXPECT_TRUE(IsPortOpen(up.state.rabbitmq->management_port));

  std::vector<ComponentStatus> status = InfraStatus(dir);
  ASSERT_EQ(status.size(), 2u);
  for (const ComponentStatus& c : status) {
    EXPECT_TRUE(c.healthy) << c.name << ": " << c.detail;
    EXPECT_TRUE(c.managed);
  }

  // A second up in the same directory reuses what runs.
  UpResult again = InfraUp(options);
  EXPECT_TRUE(again.reused);
  EXPECT_EQ(again.state.postgres->pid, up.state.postgres->pid);
  EXPECT_EQ(again.state.rabbitmq->pid, up.state.rabbitmq->pid);

  InfraDown(dir);
  ExpectNothingLeft(ours);
  EXPECT_FALSE(fs::exists(StateFile(dir)));
  EXPECT_TRUE(InfraStatus(dir).empty());
  InfraDown(dir);  // nothing to stop is not an error
  fs::remove_all(dir);
}

fs::perms PermissionsOf(const fs::path& file) {
  return fs::status(file).permissions() & fs::perms::all;
}

// Any local user could connect to a server that trusts every local connection: the embedded
// PostgreSQL asks for a generated password, which only its owner can read.
TEST(Infra, EmbeddedPostgresRefusesAConnectionWithoutItsPassword) {
  fs::path dir = testing::MakeTempDir("flowbench-infra");
  InfraOptions options;
  options.state_dir = dir;
  UpResult up = InfraUp(options);
  ASSERT_TRUE(up.state.postgres);
  const PostgresInstance& pg = *up.state.postgres;
  std::string base = "postgresql://postgres@127.0.0.1:" + std::to_string(pg.port) + "/flowbench";

  EXPECT_THROW(pqxx::connection(base + "?passfile=/nonexistent"), pqxx::broken_connection);
  EXPECT_THROW(pqxx::connection("postgresql://postgres:wrong@127.0.0.1:" + std::to_string(pg.port) +
                                "/flowbench?passfile=/nonexistent"),
               pqxx::broken_connection);
  // The URL the services get works, and carries no password itself.
  EXPECT_NO_THROW(pqxx::connection{up.state.pg_url});
  EXPECT_EQ(up.state.pg_url.find(pg.password), std::string::npos) << up.state.pg_url;
  ASSERT_FALSE(pg.password.empty());
  EXPECT_NO_THROW(pqxx::connection("postgresql://postgres:" + pg.password + "@127.0.0.1:" +
                                   std::to_string(pg.port) + "/flowbench?passfile=/nonexistent"));

  // The files that hold a password are the owner's alone.
  EXPECT_EQ(PermissionsOf(StateFile(dir)), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(PermissionsOf(pg.dir / "pgpass"), fs::perms::owner_read | fs::perms::owner_write);

  InfraDown(dir);
  fs::remove_all(dir);
}

// RabbitMQ's guest/guest is known to every local user: the embedded node has one user with a
// generated password instead.
TEST(Infra, EmbeddedRabbitmqRefusesGuestAndAcceptsItsGeneratedPassword) {
  fs::path dir = testing::MakeTempDir("flowbench-infra");
  InfraOptions options;
  options.state_dir = dir;
  UpResult up = InfraUp(options);
  ASSERT_TRUE(up.state.rabbitmq);
  const RabbitInstance& mq = *up.state.rabbitmq;
  std::string host = "@127.0.0.1:" + std::to_string(mq.amqp_port) + "/%2f";

  EXPECT_THROW(AmqpConnection("amqp://guest:guest" + host, std::chrono::seconds(5)), AmqpError);
  EXPECT_THROW(AmqpConnection("amqp://" + mq.user + ":wrong" + host, std::chrono::seconds(5)),
               AmqpError);
  ASSERT_EQ(mq.password.size(), 32u);
  EXPECT_NO_THROW(
      AmqpConnection("amqp://" + mq.user + ":" + mq.password + host, std::chrono::seconds(5)));
  EXPECT_EQ(PermissionsOf(mq.dir / "rabbitmq.conf"),
            fs::perms::owner_read | fs::perms::owner_write);

  InfraDown(dir);
  fs::remove_all(dir);
}

TEST(Infra, StatusDetectsACrashedServerAndUpRestartsOnlyIt) {
  fs::path dir = testing::MakeTempDir("flowbench-infra");
  InfraOptions options;
  options.state_dir = dir;
  UpResult up = InfraUp(options);
  OurProcesses first = Processes(up.state);

  ::kill(up.state.postgres->pid, SIGKILL);
  ASSERT_TRUE(WaitForExit(up.state.postgres->pid, std::chrono::seconds(10)));
  std::vector<ComponentStatus> status = InfraStatus(dir);
  ASSERT_EQ(status.size(), 2u);
  EXPECT_FALSE(status[0].healthy);
  EXPECT_NE(status[0].detail.find("crashed"), std::string::npos) << status[0].detail;
  EXPECT_TRUE(status[1].healthy) << status[1].detail;

  // Only what died is started again, where the services look for it; the rest is left alone.
  UpResult replaced = InfraUp(options);
  EXPECT_FALSE(replaced.reused);
  EXPECT_NE(replaced.state.postgres->pid, up.state.postgres->pid);
  EXPECT_EQ(replaced.state.postgres->port, up.state.postgres->port);
  EXPECT_EQ(replaced.state.rabbitmq->pid, up.state.rabbitmq->pid);
  EXPECT_FALSE(IsAlive(first.pids[0]));
  for (const ComponentStatus& c : InfraStatus(dir)) EXPECT_TRUE(c.healthy) << c.detail;

  OurProcesses second = Processes(replaced.state);
  InfraDown(dir);
  ExpectNothingLeft(second);
  fs::remove_all(dir);
}

// What a SIGKILL of the broker leaves: the script, the Erlang VM under it (rabbit.pid), both.
void KillRabbit(const RabbitInstance& r) {
  pid_t beam = 0;
  std::ifstream(r.dir / "rabbit.pid") >> beam;
  ::kill(r.pid, SIGKILL);
  if (beam > 0) ::kill(beam, SIGKILL);
  ASSERT_TRUE(WaitForExit(r.pid, std::chrono::seconds(10)));
  if (beam > 0) {
    ASSERT_TRUE(WaitForExit(beam, std::chrono::seconds(10)));
  }
}

// A durable queue with one persistent, confirmed message; a table with one row.
void LeaveData(const InfraState& s) {
  AmqpConnection amqp(s.amqp_url, std::chrono::seconds(5));
  amqp.DeclareQueue("crash_restart_probe");
  amqp.EnableConfirms();
  amqp.Publish("", "crash_restart_probe", "kept", "m-1");
  std::optional<Confirm> confirm = amqp.NextConfirm(std::chrono::seconds(10));
  ASSERT_TRUE(confirm && confirm->ack);
  pqxx::connection pg(s.pg_url);
  pqxx::nontransaction tx(pg);
  tx.exec0("CREATE TABLE crash_restart_probe (v text)");
  tx.exec0("INSERT INTO crash_restart_probe VALUES ('kept')");
}

void ExpectDataKept(const InfraState& s) {
  AmqpConnection amqp(s.amqp_url, std::chrono::seconds(5));
  EXPECT_EQ(amqp.QueueDepth("crash_restart_probe"), std::optional<std::uint32_t>(1));
  pqxx::connection pg(s.pg_url);
  EXPECT_EQ(
      pqxx::nontransaction(pg).exec1("SELECT v FROM crash_restart_probe")[0].as<std::string>(),
      "kept");
}

TEST(Infra, UpAfterABrokerCrashRestartsOnlyTheBrokerOnItsPortWithItsMessages) {
  fs::path dir = testing::MakeTempDir("flowbench-infra");
  InfraOptions options;
  options.state_dir = dir;
  UpResult up = InfraUp(options);
  LeaveData(up.state);

  KillRabbit(*up.state.rabbitmq);
  UpResult recovered = InfraUp(options);
  EXPECT_FALSE(recovered.reused);
  // PostgreSQL was healthy: untouched.
  EXPECT_EQ(recovered.state.postgres->pid, up.state.postgres->pid);
  EXPECT_EQ(recovered.state.postgres->port, up.state.postgres->port);
  EXPECT_EQ(recovered.state.pg_url, up.state.pg_url);
  // RabbitMQ is back where the services look for it, with its durable messages.
  EXPECT_NE(recovered.state.rabbitmq->pid, up.state.rabbitmq->pid);
  EXPECT_EQ(recovered.state.rabbitmq->amqp_port, up.state.rabbitmq->amqp_port);
  EXPECT_EQ(recovered.state.amqp_url, up.state.amqp_url);
  EXPECT_EQ(LoadInfraState(dir)->rabbitmq->pid, recovered.state.rabbitmq->pid);
  ExpectDataKept(recovered.state);
  for (const ComponentStatus& c : InfraStatus(dir)) EXPECT_TRUE(c.healthy) << c.detail;

  OurProcesses last = Processes(recovered.state);
  InfraDown(dir);
  ExpectNothingLeft(last);
  fs::remove_all(dir);
}

TEST(Infra, RestartOfOneComponentKeepsItsPortAndDataAndLeavesTheOtherAlone) {
  fs::path dir = testing::MakeTempDir("flowbench-infra");
  InfraOptions options;
  options.state_dir = dir;
  UpResult up = InfraUp(options);
  LeaveData(up.state);

  // Alive: stopped, then started again.
  InfraState pg_restarted = RestartComponent(dir, Component::kPostgres);
  EXPECT_NE(pg_restarted.postgres->pid, up.state.postgres->pid);
  EXPECT_EQ(pg_restarted.postgres->port, up.state.postgres->port);
  EXPECT_EQ(pg_restarted.rabbitmq->pid, up.state.rabbitmq->pid);

  // Dead (a crash): started again.
  ::kill(pg_restarted.postgres->pid, SIGKILL);
  ASSERT_TRUE(WaitForExit(pg_restarted.postgres->pid, std::chrono::seconds(10)));
  InfraState pg_again = RestartComponent(dir, Component::kPostgres);
  EXPECT_EQ(pg_again.postgres->port, up.state.postgres->port);

  InfraState mq_restarted = RestartComponent(dir, Component::kRabbitmq);
  EXPECT_NE(mq_restarted.rabbitmq->pid, up.state.rabbitmq->pid);
  EXPECT_EQ(mq_restarted.rabbitmq->amqp_port, up.state.rabbitmq->amqp_port);
  EXPECT_EQ(mq_restarted.postgres->pid, pg_again.postgres->pid);
  ExpectDataKept(mq_restarted);
  for (const ComponentStatus& c : InfraStatus(dir)) EXPECT_TRUE(c.healthy) << c.detail;

  OurProcesses last = Processes(mq_restarted);
  InfraDown(dir);
  ExpectNothingLeft(last);
  fs::remove_all(dir);
}

TEST(Infra, ExternalUrlThatDoesNotAnswerIsAClearError) {
  fs::path dir = testing::MakeTempDir("flowbench-infra");
  InfraOptions options;
  options.state_dir = dir;
  options.pg_url = "postgresql://postgres@127.0.0.1:" + std::to_string(FindFreePort()) + "/x";
  options.amqp_url = "amqp://guest:guest@127.0.0.1:" + std::to_string(FindFreePort()) + "/%2f";
  try {
    InfraUp(options);
    ADD_FAILURE() << "InfraUp accepted servers that do not answer";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--pg-url does not answer"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(StateFile(dir)));
  fs::remove_all(dir);
}

TEST(Infra, ResolveUrlsPrefersFlagsAndOtherwiseNamesTheNextStep) {
  InfraOptions options;
  options.state_dir = "/nonexistent/flowbench-state";
  try {
    ResolvePgUrl(options);
    ADD_FAILURE() << "no error without a state file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("flowbench infra up"), std::string::npos);
  }
  options.pg_url = "postgresql://db.example/x";
  EXPECT_EQ(ResolvePgUrl(options), "postgresql://db.example/x");
}

}  // namespace
}  // namespace flowbench::infra
