// W3C traceparent: formatting, parsing, and every header the spec says to ignore.
#include "common/telemetry/trace.hpp"

#include <gtest/gtest.h>

namespace flowbench {
namespace {

constexpr const char* kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(Traceparent, ParsesTheSpecExample) {
  std::optional<TraceContext> t = ParseTraceparent(kValid);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(t->parent_id, "00f067aa0ba902b7");
  EXPECT_EQ(t->flags, 1);
  EXPECT_EQ(t->ToTraceparent(), kValid);
}

TEST(Traceparent, RejectsWhatTheSpecSaysToIgnore) {
  for (const char* bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",       // no flags
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero parent id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // extra on v00
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // separator
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",    // not hex
       }) {
    EXPECT_FALSE(ParseTraceparent(bad)) << bad;
  }
}

TEST(Traceparent, AcceptsAFutureVersionWithMoreFields) {
  EXPECT_TRUE(ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"));
}

TEST(Traceparent, NewRootAndChildRoundTrip) {
  TraceContext root = TraceContext::NewRoot();
  TraceContext child = root.NewChild();
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_NE(child.parent_id, root.parent_id);
  std::optional<TraceContext> parsed = ParseTraceparent(child.ToTraceparent());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->trace_id, root.trace_id);
  EXPECT_EQ(parsed->parent_id, child.parent_id);
}

TEST(Traceparent, ContinueOrStartKeepsAValidTraceAndStartsOneOtherwise) {
  EXPECT_EQ(ContinueOrStartTrace(kValid).trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  TraceContext fresh = ContinueOrStartTrace("garbage");
  EXPECT_EQ(fresh.trace_id.size(), 32u);
  EXPECT_NE(fresh.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(fresh.flags, 0) << "a request nobody traced starts an unsampled trace";
  EXPECT_EQ(ContinueOrStartTrace(kValid).flags, 1) << "the caller's sampled flag is kept";
}

}  // namespace
}  // namespace flowbench
