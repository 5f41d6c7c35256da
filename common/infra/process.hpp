// Starting and stopping the server processes that flowbench runs itself (PostgreSQL,
// RabbitMQ, epmd, the services), on Boost.Process. A server is started in its own session,
// so it outlives the command that started it and a Ctrl-C in that terminal does not reach it;
// it is stopped later by PID, read back from a state file.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace flowbench::infra {

using Environment = std::map<std::string, std::string>;  // added to (or replacing) ours

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs a command to completion (killed after `timeout`). argv[0] is a path or a name on PATH.
CommandResult RunCommand(const std::vector<std::string>& argv, const Environment& env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(120));

// Starts a long-running server detached from us, stdout and stderr appended to `log_file`
// (created if needed; what an earlier process wrote there is kept).
pid_t SpawnDaemon(const std::vector<std::string>& argv, const Environment& env,
                  const std::filesystem::path& log_file);

// Alive and not a zombie (a dead child of ours that nobody reaped yet counts as gone).
bool IsAlive(pid_t pid);

// SIGTERM, then SIGKILL after `grace`; true when the process is gone.
bool Terminate(pid_t pid, std::chrono::milliseconds grace);

// Waits until `pid` has exited, at most `timeout`; true when it has.
bool WaitForExit(pid_t pid, std::chrono::milliseconds timeout);

// The last `lines` lines of a log file, for error messages.
std::string Tail(const std::filesystem::path& file, int lines = 20);

// Writes `text` to `file` readable and writable by its owner alone (0600), also when the file
// was there before with wider permissions: for the files that hold a password.
void WritePrivateFile(const std::filesystem::path& file, const std::string& text);

// When we are root, the prefix that runs a command as `user` (runuser), else empty.
std::vector<std::string> AsUser(const std::string& user);
bool RunningAsRoot();

}  // namespace flowbench::infra
