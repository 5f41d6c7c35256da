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
  b.RecordError(ErrorKind::kTimeout);
  b.RecordDropped();
  a.Merge(b);
  EXPECT_EQ(a.Started(), 3u);
  EXPECT_EQ(a.Completed(), 3u);  // two answers, one timeout
  EXPECT_EQ(a.Dropped(), 1u);
  EXPECT_EQ(a.Errors().Total(), 2u);
  EXPECT_EQ(a.Errors().Of(ErrorKind::kStatus), 1u);
  EXPECT_EQ(a.Corrected().Max(), 3'000'000);
  EXPECT_EQ(a.Uncorrected().Min(), 1'000'000);
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
