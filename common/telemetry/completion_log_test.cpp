// The completion log: records read back in order from a cursor, an overflow reported as
// missed records (never silent), ids without a driver not recorded, long ids cut, a page
// through JSON and back, malformed pages refused with a clear message, concurrent writers.
#include "common/telemetry/completion_log.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace flowbench {
namespace {

TEST(CompletionLog, PagesRecordsInOrderFromACursor) {
  CompletionLog log(8);
  log.Record("r1", "scenario1", WorkOutcome::kDone, 100);
  log.Record("r2", "scenario5", WorkOutcome::kCompensated, 200);
  log.Record("r3", "scenario1", WorkOutcome::kDegraded, 300);

  CompletionPage first = log.After(0, 2);
  ASSERT_EQ(first.records.size(), 2u);
  EXPECT_EQ(first.records[0].request_id, "r1");
  EXPECT_EQ(first.records[1].outcome, WorkOutcome::kCompensated);
  EXPECT_EQ(first.next_cursor, 2u);
  EXPECT_EQ(first.missed, 0u);

  CompletionPage rest = log.After(first.next_cursor);
  ASSERT_EQ(rest.records.size(), 1u);
  EXPECT_EQ(rest.records[0].request_id, "r3");
  EXPECT_EQ(rest.records[0].end_unix_ns, 300);
  EXPECT_EQ(rest.next_cursor, 3u);
  EXPECT_TRUE(log.After(3).records.empty());
}

TEST(CompletionLog, AJournaledLogStartedAgainContinuesWithItsRecordsNumbersAndEpoch) {
  std::string dir_template =
      (std::filesystem::temp_directory_path() / "completion-journal-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
  std::filesystem::path dir = dir_template;
  std::filesystem::path journal = dir / "async-email.completions";
  std::uint64_t epoch = 0;
  {
    CompletionLog before(8, journal);
    epoch = before.epoch();
    before.Record("run-s1-1", "scenario1", WorkOutcome::kDone, 100);
    before.Record("run s1 2", "scenario1", WorkOutcome::kDeadLettered, 200);  // spaces in an id
  }  // the process dies; the journal stays
  // A record torn by the death mid-write: no newline, dropped.
  std::ofstream(journal, std::ios::app) << "300 done scenario1 run-s1-";

  CompletionLog after(8, journal);
  EXPECT_EQ(after.epoch(), epoch);  // the driver's cursor stays valid
  after.Record("run-s1-3", "scenario1", WorkOutcome::kDone, 400);
  CompletionPage page = after.After(1);
  ASSERT_EQ(page.records.size(), 2u);
  EXPECT_EQ(page.records[0].request_id, "run s1 2");
  EXPECT_EQ(page.records[0].outcome, WorkOutcome::kDeadLettered);
  EXPECT_EQ(page.records[0].end_unix_ns, 200);
  EXPECT_EQ(page.records[1].request_id, "run-s1-3");
  EXPECT_EQ(page.next_cursor, 3u);
  EXPECT_EQ(CompletionLog(8, journal).After(0).records.size(), 3u);

  std::ofstream(dir / "other") << "not a journal\n";
  EXPECT_THROW(CompletionLog(8, dir / "other"), std::runtime_error);
  std::filesystem::remove_all(dir);
}

TEST(CompletionLog, ReportsRecordsOverwrittenBeforeTheyWereRead) {
  CompletionLog log(4);
  for (int i = 0; i < 10; ++i) log.Record("r" + std::to_string(i), "scenario6", WorkOutcome::kDone);
  CompletionPage page = log.After(0);
  EXPECT_EQ(page.missed, 6u);
  ASSERT_EQ(page.records.size(), 4u);
  EXPECT_EQ(page.records.front().request_id, "r6");
  EXPECT_EQ(page.next_cursor, 10u);
}

TEST(CompletionLog, IgnoresRequestsWithoutAnIdAndCutsLongOnes) {
  CompletionLog log(4);
  log.Record("", "scenario1", WorkOutcome::kDone);
  log.Record(std::string(500, 'x'), "scenario1", WorkOutcome::kDone);
  CompletionPage page = log.After(0);
  ASSERT_EQ(page.records.size(), 1u);
  EXPECT_EQ(page.records[0].request_id.size(), CompletionLog::kMaxRequestIdLength);
}

TEST(CompletionLog, ACursorFromAnotherProcessStartsAfresh) {
  CompletionLog log(4);
  log.Record("r1", "scenario1", WorkOutcome::kDone);
  CompletionPage page = log.After(1000);
  EXPECT_TRUE(page.records.empty());
  EXPECT_EQ(page.next_cursor, 1u);
  EXPECT_NE(CompletionLog(4).epoch(), log.epoch());
}

TEST(CompletionLog, KeepsEveryRecordOfConcurrentWriters) {
  CompletionLog log(40'000);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&log, t] {
      for (int i = 0; i < 10'000; ++i) {
        log.Record(std::to_string(t) + "-" + std::to_string(i), "scenario6", WorkOutcome::kDone);
      }
    });
  }
  for (std::thread& w : writers) w.join();
  CompletionPage page = log.After(0, 100'000);
  EXPECT_EQ(page.records.size(), 40'000u);
  EXPECT_EQ(page.missed, 0u);
}

TEST(CompletionPage, RoundTripsThroughJson) {
  CompletionLog log(4);
  log.Record("a", "scenario2", WorkOutcome::kDeadLettered, 42);
  log.Record("b", "scenario1", WorkOutcome::kWithdrawn, 43);
  CompletionPage page = log.After(0);
  CompletionPage back =
      CompletionPageFromJson(boost::json::parse(boost::json::serialize(ToJson(page))));
  EXPECT_EQ(back.epoch, page.epoch);
  EXPECT_EQ(back.next_cursor, 2u);
  ASSERT_EQ(back.records.size(), 2u);
  EXPECT_EQ(back.records[0].outcome, WorkOutcome::kDeadLettered);
  EXPECT_EQ(back.records[1].request_id, "b");
  EXPECT_EQ(back.records[1].end_unix_ns, 43);
}

TEST(CompletionPage, ReadFromTextAsFromJson) {
  CompletionLog log(4);
  log.Record("a-request-id-longer-than-sso", "scenario2", WorkOutcome::kDeadLettered, 42);
  log.Record("b", "scenario1", WorkOutcome::kWithdrawn, -43);
  CompletionPage page = log.After(0);
  boost::json::object json = ToJson(page);
  json["ignored"] = boost::json::parse(R"({"records": [1, {"x": [2]}], "epoch": "no"})");
  json["records"].as_array()[0].as_object()["extra"] = boost::json::array{1, 2};
  CompletionPage back = CompletionPageFromText(boost::json::serialize(json));
  EXPECT_EQ(back.epoch, page.epoch);
  EXPECT_EQ(back.next_cursor, 2u);
  EXPECT_EQ(back.missed, 0u);
  ASSERT_EQ(back.records.size(), 2u);
  EXPECT_EQ(back.records[0].request_id, "a-request-id-longer-than-sso");
  EXPECT_EQ(back.records[0].scenario, "scenario2");
  EXPECT_EQ(back.records[0].outcome, WorkOutcome::kDeadLettered);
  EXPECT_EQ(back.records[0].end_unix_ns, 42);
  EXPECT_EQ(back.records[1].request_id, "b");
  EXPECT_EQ(back.records[1].outcome, WorkOutcome::kWithdrawn);
  EXPECT_EQ(back.records[1].end_unix_ns, -43);
}

// Both readers refuse the same pages with the same words.
class MalformedPage : public testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(FromJsonAndFromText, MalformedPage, testing::Bool());

TEST_P(MalformedPage, IsRefusedWithWhatIsWrong) {
  const bool from_text = GetParam();
  auto error_of = [from_text](std::string_view text) -> std::string {
    try {
      if (from_text) {
        CompletionPageFromText(text);
      } else {
        CompletionPageFromJson(boost::json::parse(text));
      }
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "(no error)";
  };
  const std::string head = R"({"epoch":1,"next_cursor":0,"missed":0,"records":)";
  EXPECT_EQ(error_of("{}"), "completions: no \"epoch\"");
  EXPECT_EQ(error_of(R"({"epoch":1,"next_cursor":0,"missed":0,"records":{}})"),
            "completions: \"records\" is not a list");
  EXPECT_EQ(error_of(head + "[1]}"), "completions: a record is not an object");
  EXPECT_EQ(error_of(head + R"([{"request_id":"a","scenario":"s","end_unix_ns":1}]})"),
            "completions: no \"outcome\"");
  EXPECT_EQ(error_of(head + R"([{"scenario":"s","outcome":"done","end_unix_ns":1}]})"),
            "completions: no \"request_id\"");
  EXPECT_EQ(error_of(head + R"([{"request_id":"a","scenario":"s","outcome":"done"}]})"),
            "completions: no \"end_unix_ns\"");
  EXPECT_EQ(
      error_of(head + R"([{"request_id":7,"scenario":"s","outcome":"done","end_unix_ns":1}]})"),
      "completions: a record's fields have the wrong types");
  EXPECT_EQ(
      error_of(head + R"([{"request_id":"a","scenario":"s","outcome":"done","end_unix_ns":"1"}]})"),
      "completions: a record's fields have the wrong types");
  EXPECT_EQ(error_of(head + R"([{"request_id":"a","scenario":"s","outcome":3,"end_unix_ns":1}]})"),
            "completions: unknown outcome");
  EXPECT_EQ(error_of("[]"), "completions: not a JSON object");
  EXPECT_EQ(error_of(R"({"epoch":1,"next_cursor":0,"missed":0})"), "completions: no \"records\"");
  EXPECT_EQ(error_of(R"({"epoch":1,"next_cursor":-1,"missed":0,"records":[]})"),
            "completions: \"next_cursor\" is not a count");
  EXPECT_EQ(error_of(R"({"epoch":1,"next_cursor":0,"missed":0,"records":[{"request_id":"a",)"
                     R"("scenario":"scenario1","outcome":"great","end_unix_ns":1}]})"),
            "completions: unknown outcome");
}

TEST(WorkOutcome, EveryNameParsesBack) {
  for (WorkOutcome o :
       {WorkOutcome::kDone, WorkOutcome::kDegraded, WorkOutcome::kCompensated, WorkOutcome::kFailed,
        WorkOutcome::kDeadLettered, WorkOutcome::kWithdrawn}) {
    EXPECT_EQ(ParseOutcome(OutcomeName(o)), o);
  }
  EXPECT_FALSE(ParseOutcome("lost"));  // the driver's verdict, never a service's
}

}  // namespace
}  // namespace flowbench
