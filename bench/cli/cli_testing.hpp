// Running the real `flowbench` binary from the CLI's integration tests: to completion, or
// in the background like a terminal's foreground job (its own process group, so that a
// Ctrl-C can be sent the way a terminal sends it), and finding processes left behind.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/infra/process.hpp"

namespace flowbench::cli::testing {

inline std::string FlowbenchBinary() {
  const char* bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
  return std::string(bin_dir ? bin_dir : ".") + "/flowbench";
}

inline infra::CommandResult Flowbench(std::vector<std::string> args, std::chrono::seconds timeout) {
  std::vector<std::string> argv{FlowbenchBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return infra::RunCommand(argv, {}, timeout);
}

inline std::string ReadFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// How a child ended: its exit code, or the signal that killed it (a shell shows both as
// 128 + N; a test must tell them apart).
struct ExitStatus {
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string Describe() const {
    return exit_code ? "exit code " + std::to_string(*exit_code)
                     : "killed by signal " + std::to_string(signal.value_or(0));
  }
};

class BackgroundFlowbench {
 public:
  BackgroundFlowbench(std::vector<std::string> args, std::filesystem::path output)
      : output_(std::move(output)) {
    std::vector<std::string> argv{FlowbenchBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_argv;
    for (std::string& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {  // only async-signal-safe calls until exec
      ::setpgid(0, 0);
      int fd = ::open(output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::execv(c_argv[0], c_argv.data());
      ::_exit(127);
    }
    ::setpgid(pid_, pid_);  // also here: no race with a signal sent right after the fork
  }
  BackgroundFlowbench(const BackgroundFlowbench&) = delete;
  BackgroundFlowbench& operator=(const BackgroundFlowbench&) = delete;
  ~BackgroundFlowbench() {
    if (!status_) {
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  std::string Output() const { return ReadFile(output_); }

  // True once `text` appears in the output; false at the deadline or when it exited first.
  bool WaitForOutput(const std::string& text, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Output().find(text) != std::string::npos) return true;
      if (Poll()) return Output().find(text) != std::string::npos;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // What a terminal does on Ctrl-C: SIGINT to the whole foreground process group.
  void PressCtrlC() { ::kill(-pid_, SIGINT); }

  std::optional<ExitStatus> WaitForExit(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!Poll()) {
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return status_;
  }

 private:
  bool Poll() {
    if (status_) return true;
    int raw = 0;
    if (::waitpid(pid_, &raw, WNOHANG) != pid_) return false;
    ExitStatus s;
    if (WIFEXITED(raw)) s.exit_code = WEXITSTATUS(raw);
    if (WIFSIGNALED(raw)) s.signal = WTERMSIG(raw);
    status_ = s;
    return true;
  }

  std::filesystem::path output_;
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

// Every process (but this one) whose command line contains `needle`, as "PID: command line".
inline std::vector<std::string> ProcessesMentioning(const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::stoi(pid) == ::getpid()) continue;
    std::string cmdline = ReadFile(entry.path() / "cmdline");
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    if (cmdline.find(needle) != std::string::npos) found.push_back(pid + ": " + cmdline);
  }
  return found;
}

// The short delays the `flowbench run` tests pass: each scenario's work, made quick, so that a
// run of a few seconds still carries every scenario through to its end.
inline const std::vector<std::string> kQuickWorkload = {
    "--email-delay-ms",          "20", "--payment-gateway-delay-ms",    "40",
    "--search-reindex-delay-ms", "5",  "--cache-invalidation-delay-ms", "5",
    "--analytics-log-delay-ms",  "5",  "--report-cpu-time-ms",          "50",
    "--saga-payment-delay-ms",   "20"};

inline std::vector<std::string> Concat(std::vector<std::string> a,
                                       const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace flowbench::cli::testing
