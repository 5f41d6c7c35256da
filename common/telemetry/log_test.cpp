// Structured log lines: one JSON object with the service identity and the trace id.
#include "common/telemetry/log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/telemetry/span.hpp"

namespace flowbench {
namespace {

// An error that quotes a connection URL or a conninfo (a failed reconnect, every backoff)
// must not carry its password into the log.
TEST(Log, LineCarriesNoPasswordFromAnyFieldOrTheMessage) {
  std::string line =
      log::FormatLine(log::Level::kWarn, "cannot reach amqp://flowbench:hunter2@127.0.0.1:5672/%2f",
                      {{"error", "not an AMQP URL: amqp://flowbench:hunter2@127.0.0.1:x/%2f"},
                       {"conninfo", "host=127.0.0.1 password=hunter2 dbname=flowbench"}},
                      {});
  EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
  EXPECT_NE(line.find("amqp://flowbench:***@127.0.0.1:5672/%2f"), std::string::npos) << line;
  EXPECT_NO_THROW(boost::json::parse(line)) << line;
}

TEST(Log, LineIsOneJsonObjectWithIdentityTraceAndFields) {
  log::Configure("async", "email");
  std::string line = log::FormatLine(log::Level::kWarn, "email sent", {{"user_id", 7}},
                                     "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  boost::json::object json = boost::json::parse(line).as_object();
  EXPECT_EQ(json.at("level").as_string(), "warn");
  EXPECT_EQ(json.at("arch").as_string(), "async");
  EXPECT_EQ(json.at("service").as_string(), "email");
  EXPECT_EQ(json.at("trace_id").as_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(json.at("msg").as_string(), "email sent");
  EXPECT_EQ(json.at("user_id").as_int64(), 7);
  EXPECT_EQ(json.at("ts").as_string().size(), 27u);
}

TEST(Log, MessageWithQuotesAndNewlinesStaysOneValidLine) {
  std::string line = log::FormatLine(log::Level::kError, "bad \"body\"\nsecond line", {}, "");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(boost::json::parse(line).at("msg").as_string(), "bad \"body\"\nsecond line");
  EXPECT_FALSE(boost::json::parse(line).as_object().contains("trace_id"));
}

// Runs `write` with stderr redirected to a file and returns what it wrote.
template <typename Write>
std::string CaptureStderr(Write write) {
  std::string path = ::testing::TempDir() + "/flowbench-log-capture";
  std::fflush(stderr);
  int saved = ::dup(STDERR_FILENO);
  std::FILE* file = std::fopen(path.c_str(), "w");
  ::dup2(::fileno(file), STDERR_FILENO);
  write();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::fclose(file);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Span, SampledTraceWritesOneLineWithTheKindAndTheTraceId) {
  TraceContext sampled = TraceContext::NewRoot(/*sampled=*/true);
  std::string out = CaptureStderr([&] {
    RecordSpan(sampled, span::kCall, "inventory POST /reserve", {{"target", "inventory"}});
  });
  boost::json::object line = boost::json::parse(out).as_object();
  EXPECT_EQ(line.at("span").as_string(), "call");
  EXPECT_EQ(line.at("trace_id").as_string(), sampled.trace_id);
  EXPECT_EQ(line.at("msg").as_string(), "inventory POST /reserve");
  EXPECT_EQ(line.at("target").as_string(), "inventory");
}

TEST(Span, UnsampledTraceWritesNothing) {
  TraceContext unsampled = TraceContext::NewRoot(/*sampled=*/false);
  EXPECT_EQ(CaptureStderr([&] { RecordSpan(unsampled, span::kWrite, "users row"); }), "");
}

}  // namespace
}  // namespace flowbench
