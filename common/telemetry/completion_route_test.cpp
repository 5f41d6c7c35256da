// The shared parts of GET /completions: request ids cleaned (cut, or ignored when they hold
// control or non-ASCII bytes), the query's cursor and limit checked (400 on anything but a
// non-negative integer, the limit capped), and the answer's clock reading.
#include "common/telemetry/completion_route.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "common/domain/errors.hpp"

namespace flowbench {
namespace {

TEST(CleanRequestId, KeepsPrintableIdsAndCutsLongOnes) {
  EXPECT_EQ(CleanRequestId("run7-s1-000042"), "run7-s1-000042");
  EXPECT_EQ(CleanRequestId(std::string(100, 'a')).size(), CompletionLog::kMaxRequestIdLength);
  EXPECT_EQ(CleanRequestId(""), "");
}

TEST(CleanRequestId, TreatsIdsWithControlOrNonAsciiBytesAsAbsent) {
  EXPECT_EQ(CleanRequestId("abc\ndef"), "");
  EXPECT_EQ(CleanRequestId(std::string("abc\0def", 7)), "");
  EXPECT_EQ(CleanRequestId("abc\x7f"), "");
  EXPECT_EQ(CleanRequestId("caf\xc3\xa9"), "");
  EXPECT_EQ(CleanRequestId(std::string(100, 'a') + "\t"), "");  // also past the cut
}

TEST(ParseCompletionQuery, DefaultsToTheStartAndAFullPage) {
  CompletionQuery query = ParseCompletionQuery(std::nullopt, std::nullopt);
  EXPECT_EQ(query.after, 0u);
  EXPECT_EQ(query.limit, kMaxCompletionPage);
}

TEST(ParseCompletionQuery, ReadsTheCursorAndCapsTheLimit) {
  CompletionQuery query = ParseCompletionQuery("17", "99999999");
  EXPECT_EQ(query.after, 17u);
  EXPECT_EQ(query.limit, kMaxCompletionPage);
  EXPECT_EQ(ParseCompletionQuery("0", "5").limit, 5u);
}

TEST(ParseCompletionQuery, RefusesAnythingButANonNegativeIntegerWith400) {
  for (std::string_view bad : {"", "-1", "abc", "1.5", "12x", " 1", "99999999999999999999999"}) {
    try {
      ParseCompletionQuery(bad, std::nullopt);
      ADD_FAILURE() << "accepted after=" << bad;
    } catch (const ClientError& e) {
      EXPECT_EQ(e.status(), 400);
      EXPECT_EQ(e.error(), "bad_request");
    }
    EXPECT_THROW(ParseCompletionQuery(std::nullopt, bad), ClientError) << bad;
  }
}

TEST(CompletionsBody, IsThePageWithTheServersClock) {
  CompletionLog log(4);
  log.Record("r1", "scenario2", WorkOutcome::kDone, 5);
  auto before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  boost::json::object body = CompletionsBody(log, {0, 10});
  EXPECT_GE(body.at("now_unix_ns").as_int64(), before);
  CompletionPage page = CompletionPageFromJson(body);
  ASSERT_EQ(page.records.size(), 1u);
  EXPECT_EQ(page.records[0].request_id, "r1");
  EXPECT_EQ(page.next_cursor, 1u);
}

}  // namespace
}  // namespace flowbench
