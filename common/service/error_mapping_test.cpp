#include "common/service/error_mapping.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "common/domain/errors.hpp"

namespace flowbench {
namespace {

template <typename Error>
ErrorReply Map(Error error) {
  return ToErrorReply(std::make_exception_ptr(std::move(error)));
}

TEST(ErrorMapping, MapsDomainErrorsToTheirStatusAndTheRestTo500) {
  auto reply = [](auto error) { return ToErrorReply(std::make_exception_ptr(error)); };
  ErrorReply conflict = reply(Conflict("taken"));
  EXPECT_EQ(conflict.reply.status, 409);
  EXPECT_EQ(conflict.reply.body.at("error"), "conflict");
  EXPECT_EQ(conflict.reply.body.at("detail"), "taken");
  EXPECT_FALSE(conflict.server_fault);
  ErrorReply unavailable = reply(ServiceUnavailable("payment down"));
  EXPECT_EQ(unavailable.reply.status, 503);
  EXPECT_EQ(unavailable.reply.body.at("error"), "service_unavailable");
  EXPECT_FALSE(unavailable.server_fault);
  ErrorReply bug = reply(std::logic_error("broken invariant"));
  EXPECT_EQ(bug.reply.status, 500);
  EXPECT_EQ(bug.reply.body.at("error"), "internal_error");
  EXPECT_TRUE(bug.server_fault);
}

TEST(ErrorMapping, ClientErrorsKeepTheirStatusAndCode) {
  ErrorReply e = Map(NotFound("user 7 does not exist"));
  EXPECT_EQ(e.reply.status, 404);
  EXPECT_EQ(e.reply.body.at("error"), "not_found");
  EXPECT_EQ(e.reply.body.at("detail"), "user 7 does not exist");
  EXPECT_FALSE(e.server_fault);
}

TEST(ErrorMapping, AnUnavailableDependencyIs503) {
  ErrorReply e = Map(ServiceUnavailable("RabbitMQ is unavailable"));
  EXPECT_EQ(e.reply.status, 503);
  EXPECT_EQ(e.reply.body.at("error"), "service_unavailable");
  EXPECT_FALSE(e.server_fault);
}

TEST(ErrorMapping, ALostDatabaseIs503NotAServerFault) {
  ErrorReply e = Map(pqxx::broken_connection("server closed the connection unexpectedly"));
  EXPECT_EQ(e.reply.status, 503);
  EXPECT_EQ(e.reply.body.at("error"), "service_unavailable");
  EXPECT_EQ(e.reply.body.at("detail"), "database unreachable");
  EXPECT_FALSE(e.server_fault);
}

TEST(ErrorMapping, AStatementTimeoutIs503) {
  ErrorReply e =
      Map(pqxx::sql_error("canceling statement due to statement timeout", "SELECT 1", "57014"));
  EXPECT_EQ(e.reply.status, 503);
  EXPECT_EQ(e.reply.body.at("error"), "service_unavailable");
}

TEST(ErrorMapping, ADatabaseThatCannotServeNowIs503WithoutTheDriverText) {
  // Connection failure, shutdown in progress, too many connections: the database cannot serve
  // now, which is not the request's fault nor a bug.
  for (const char* state : {"08006", "57P01", "57P03", "53300"}) {
    ErrorReply e = Map(pqxx::sql_error(
        "FATAL:  terminating connection due to administrator command", "SELECT 1", state));
    EXPECT_EQ(e.reply.status, 503) << state;
    EXPECT_EQ(e.reply.body.at("error"), "service_unavailable") << state;
    EXPECT_EQ(e.reply.body.at("detail"), "database unavailable") << state;
    EXPECT_FALSE(e.server_fault) << state;
    EXPECT_NE(e.cause.find("terminating connection"), std::string::npos) << state;  // for logs
  }
}

TEST(ErrorMapping, AConnectionLostWhileCommittingIs503SayingTheOutcomeIsUnknown) {
  ErrorReply e = Map(pqxx::in_doubt_error("connection lost during commit"));
  EXPECT_EQ(e.reply.status, 503);
  EXPECT_EQ(e.reply.body.at("error"), "service_unavailable");
  EXPECT_NE(boost::json::value_to<std::string>(e.reply.body.at("detail")).find("unknown"),
            std::string::npos);
  EXPECT_FALSE(e.server_fault);
}

TEST(ErrorMapping, TheDriverTextOfALostDatabaseStaysInTheLogs) {
  ErrorReply e = Map(pqxx::broken_connection("server closed the connection unexpectedly"));
  EXPECT_EQ(e.reply.body.at("detail"), "database unreachable");
  EXPECT_EQ(e.cause, "server closed the connection unexpectedly");
}

TEST(ErrorMapping, AnythingElseIsA500ServerFault) {
  ErrorReply e = Map(std::logic_error("a bug"));
  EXPECT_EQ(e.reply.status, 500);
  EXPECT_EQ(e.reply.body.at("error"), "internal_error");
  EXPECT_TRUE(e.server_fault);
}

TEST(ErrorMapping, A500NeverCarriesWhatWasThrownOnlyTheLogDoes) {
  // An SQL error the rules do not know (a constraint, say) is a server fault: its text names
  // tables, columns and values, for the log and never for a client.
  ErrorReply e =
      Map(pqxx::sql_error("ERROR:  new row for relation \"payments\" violates check constraint",
                          "INSERT ...", "23514"));
  EXPECT_EQ(e.reply.status, 500);
  std::string body = boost::json::serialize(e.reply.body);
  EXPECT_EQ(body.find("payments"), std::string::npos) << body;
  EXPECT_EQ(body.find("constraint"), std::string::npos) << body;
  EXPECT_NE(e.cause.find("violates check constraint"), std::string::npos) << e.cause;
  EXPECT_EQ(boost::json::serialize(Map(std::logic_error("a bug")).reply.body).find("a bug"),
            std::string::npos);
}

}  // namespace
}  // namespace flowbench
