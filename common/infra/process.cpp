#include "common/infra/process.hpp"

#define BOOST_PROCESS_USE_STD_FS
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

namespace flowbench::infra {
namespace bp = boost::process;
namespace {

bp::environment MergedEnvironment(const Environment& extra) {
  bp::environment env = boost::this_process::environment();
  for (const auto& [key, value] : extra) env[key] = value;
  return env;
}

std::filesystem::path Resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  std::filesystem::path found = bp::search_path(program);
  if (found.empty()) throw std::runtime_error("program not found on PATH: " + program);
  return found;
}

// Runs in the child between fork and exec: a new session, so the server does not share our
// terminal's process group (a Ctrl-C after `infra up` must not stop PostgreSQL).
struct NewSession : bp::extend::handler {
  template <typename Executor>
  void on_exec_setup(Executor&) const {
    ::setsid();
  }
};

}  // namespace

bool RunningAsRoot() { return ::geteuid() == 0; }

std::vector<std::string> AsUser(const std::string& user) {
  if (!RunningAsRoot()) return {};
  return {"runuser", "-u", user, "--"};
}

CommandResult RunCommand(const std::vector<std::string>& argv, const Environment& env,
                         std::chrono::seconds timeout) {
  if (argv.empty()) throw std::invalid_argument("RunCommand: empty command");
  // Output goes to a temporary file, not a pipe: a server forked meanwhile by another thread
  // would inherit the pipe's write end and we would never see end-of-file.
  std::string output_file = (std::filesystem::temp_directory_path() / "flowbench-cmd-XXXXXX");
  int fd = ::mkstemp(output_file.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed for command output");
  ::close(fd);
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  bp::child child(Resolve(argv[0]), bp::args(args), MergedEnvironment(env),
                  (bp::std_out & bp::std_err) > output_file, bp::std_in < bp::null);
  // Poll rather than child.wait_for(): that one waits for SIGCHLD, which another thread of
  // ours may receive instead, and then it sleeps out the whole timeout.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (child.running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      child.terminate();
      std::filesystem::remove(output_file);
      throw std::runtime_error("command timed out after " + std::to_string(timeout.count()) +
                               " s: " + argv[0]);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CommandResult result;
  result.exit_code = child.exit_code();
  std::ifstream in(output_file);
  result.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::filesystem::remove(output_file);
  return result;
}

pid_t SpawnDaemon(const std::vector<std::string>& argv, const Environment& env,
                  const std::filesystem::path& log_file) {
  if (argv.empty()) throw std::invalid_argument("SpawnDaemon: empty command");
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  // One descriptor for stdout and stderr, in append mode ("a"; "e": close-on-exec, so that a
  // process spawned meanwhile by another thread does not inherit it): every write lands at
  // the end of the file. A respawned server continues its log instead of overwriting it from
  // the start, and its stdout and stderr lines never overwrite each other.
  std::unique_ptr<FILE, int (*)(FILE*)> log(std::fopen(log_file.c_str(), "ae"), std::fclose);
  if (!log) {
    throw std::runtime_error("cannot open the log " + log_file.string() + ": " +
                             std::strerror(errno));
  }
  bp::child child(Resolve(argv[0]), bp::args(args), MergedEnvironment(env),
                  (bp::std_out & bp::std_err) > log.get(), bp::std_in < bp::null, NewSession{});
  pid_t pid = child.id();
  child.detach();
  return pid;
}

bool IsAlive(pid_t pid) {
  if (pid <= 0) return false;
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid) return false;  // our child, now reaped
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string ignored, state;
  // "/proc/PID/stat": pid (comm) state ...; comm has no spaces for the programs we run.
  if (!(stat >> ignored >> ignored >> state)) return false;
  return state != "Z" && state != "X";
}

bool WaitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (IsAlive(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

bool Terminate(pid_t pid, std::chrono::milliseconds grace) {
  if (!IsAlive(pid)) return true;
  ::kill(pid, SIGTERM);
  if (WaitForExit(pid, grace)) return true;
  ::kill(pid, SIGKILL);
  return WaitForExit(pid, std::chrono::seconds(5));
}

std::string Tail(const std::filesystem::path& file, int lines) {
  std::ifstream in(file);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string text;
  for (const std::string& l : last) text += "    " + l + "\n";
  return text.empty() ? "    (no output in " + file.string() + ")\n" : text;
}

void WritePrivateFile(const std::filesystem::path& file, const std::string& text) {
  // Created 0600 (never world-readable, not even for a moment), and chmod-ed in case it
  // existed before with wider permissions.
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;
  for (std::size_t written = 0; ok && written < text.size();) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  int saved = errno;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(saved));
}

}  // namespace flowbench::infra
