// Recorder and ErrorCounts: typed errors, merging per-worker recorders, JSON round trip.
#include "bench/stats/recorder.hpp"

#include <gtest/gtest.h>

#include "bench/stats/stats_json.hpp"

namespace flowbench::stats {
namespace {

TEST(Recorder, MergesWorkersAsIfOne) {
  Recorder a, b;
  a.RecordStarted();
  a.RecordResponse(2'000'000, 1'000'000);
  b.RecordStarted();
  b.RecordStarted();
  b.RecordResponse(3'000'000, 3'000'000);
  b.RecordError(ErrorKind::kStatus);
  b.RecordFailure(ErrorKind::kTimeout, 10'000'000, 9'000'000);
  b.RecordDropped();
  a.Merge(b);
  EXPECT_EQ(a.Started(), 3u);
  EXPECT_EQ(a.Completed(), 3u);  // two answers, one timeout
  EXPECT_EQ(a.Answered(), 2u);
  EXPECT_EQ(a.NoAnswer(), 1u);
  EXPECT_EQ(a.Dropped(), 1u);
  EXPECT_EQ(a.Errors().Total(), 2u);
  EXPECT_EQ(a.Errors().Of(ErrorKind::kStatus), 1u);
  EXPECT_EQ(a.Corrected().Max(), 10'000'000);  // the timeout is in the latency too
  EXPECT_EQ(a.Uncorrected().Min(), 1'000'000);
}

// A failure without an answer is a latency sample (as in k6), counted once as completed and
// once as an error; a wrong answer is one sample and one error; neither is counted twice.
TEST(Recorder, FailuresWithoutAnAnswerEnterTheLatencyOnce) {
  Recorder r;
  r.RecordResponse(1'000'000, 1'000'000);
  r.RecordError(ErrorKind::kStatus);
  r.RecordFailure(ErrorKind::kConnect, 2'000'000, 500'000);
  r.RecordFailure(ErrorKind::kTimeout, 5'000'000'000, 4'000'000'000);
  EXPECT_EQ(r.Completed(), 3u);
  EXPECT_EQ(r.NoAnswer(), 2u);
  EXPECT_EQ(r.Answered(), 1u);
  EXPECT_EQ(r.Errors().Total(), 3u);
  EXPECT_EQ(r.Corrected().Count(), 3u);
  EXPECT_EQ(r.Uncorrected().Count(), 3u);
  EXPECT_NEAR(static_cast<double>(r.Corrected().Max()), 5e9, 5e9 / 256);
  EXPECT_NEAR(static_cast<double>(r.Uncorrected().Min()), 5e5, 5e5 / 256);
}

TEST(ErrorKind, NamesRoundTrip) {
  for (ErrorKind kind :
       {ErrorKind::kConnect, ErrorKind::kTimeout, ErrorKind::kStatus, ErrorKind::kCheck}) {
    EXPECT_EQ(ParseErrorKind(ErrorKindName(kind)), kind);
  }
  EXPECT_FALSE(ParseErrorKind("oops"));
}

TEST(Recorder, JsonRoundTrip) {
  Recorder r;
  r.RecordStarted();
  r.RecordResponse(5'000'000, 4'000'000);
  r.RecordError(ErrorKind::kCheck);
  r.RecordDropped();
  boost::json::object json = RecorderToJson(r);
  EXPECT_EQ(json["latency"].as_object()["p50_ms"].as_double(), r.Corrected().Percentile(50) / 1e6);
  EXPECT_EQ(json["errors"].as_object()["check"].as_uint64(), 1u);
  Recorder back = RecorderFromJson(json);
  EXPECT_EQ(back.Started(), 1u);
  EXPECT_EQ(back.Dropped(), 1u);
  EXPECT_EQ(back.Errors(), r.Errors());
  EXPECT_EQ(back.Uncorrected().Max(), 4'000'000);
  json["errors"].as_object()["gremlins"] = 1;
  EXPECT_THROW(RecorderFromJson(json), std::invalid_argument);
}

}  // namespace
}  // namespace flowbench::stats
