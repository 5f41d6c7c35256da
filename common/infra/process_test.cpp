// SpawnDaemon's log file: appended to, never overwritten from its start, with stdout and
// stderr in one stream (a respawned service continues its log).
#include "common/infra/process.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace flowbench::infra {
namespace {

namespace fs = std::filesystem;

class SpawnDaemonLog : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("flowbench-process-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs a shell snippet as a daemon writing to `log` and waits until it has exited.
  void SpawnAndWait(const std::string& script, const fs::path& log) {
    pid_t pid = SpawnDaemon({"/bin/sh", "-c", script}, {}, log);
    ASSERT_TRUE(WaitForExit(pid, std::chrono::seconds(10))) << script;
  }

  static std::string Read(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST_F(SpawnDaemonLog, ASecondProcessAppendsAfterWhatTheFirstWrote) {
  fs::path log = dir_ / "service.log";
  SpawnAndWait("echo 'first process: a line longer than the next one'", log);
  SpawnAndWait("echo 'second process'", log);
  EXPECT_EQ(Read(log), "first process: a line longer than the next one\nsecond process\n");
}

TEST_F(SpawnDaemonLog, StdoutAndStderrShareTheLogWithoutOverwritingEachOther) {
  fs::path log = dir_ / "service.log";
  SpawnAndWait("echo out-1; echo err-1 >&2; echo out-2; echo err-2 >&2", log);
  EXPECT_EQ(Read(log), "out-1\nerr-1\nout-2\nerr-2\n");
}

TEST_F(SpawnDaemonLog, CreatesAMissingLog) {
  fs::path log = dir_ / "new.log";
  SpawnAndWait("echo hello", log);
  EXPECT_EQ(Read(log), "hello\n");
}

TEST_F(SpawnDaemonLog, AnUnwritableLogIsAClearError) {
  try {
    SpawnDaemon({"/bin/true"}, {}, dir_ / "no-such-dir" / "x.log");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open the log"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no-such-dir"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace flowbench::infra
