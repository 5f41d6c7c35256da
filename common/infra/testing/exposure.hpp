// Hostile clients at the connection level (issue 13), shared by the sync and the async
// exposure tests so that both HTTP fronts are held to the same checks: slowloris
// (slowhttptest), a connection flood past the cap, a process out of file descriptors, a
// request trickled in a byte at a time. Every client here targets 127.0.0.1 only, and every
// attack is bounded in connections and seconds.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace flowbench::testing {

// One service process started alone (the user service needs only PostgreSQL) on a free
// port, against the test program's embedded infrastructure; stopped when destroyed.
class LoneService {
 public:
  // binary: "sync-user" or "async-user" in FLOWBENCH_BIN_DIR; args: more flags;
  // max_open_files > 0: the process runs under that RLIMIT_NOFILE (prlimit).
  LoneService(const std::string& binary, const std::vector<std::string>& args,
              int max_open_files = 0);
  ~LoneService();
  LoneService(const LoneService&) = delete;
  LoneService& operator=(const LoneService&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string LogTail() const;
  // CPU time (user + system) the process has used so far, from /proc/PID/stat.
  std::chrono::duration<double> CpuTime() const;

 private:
  pid_t pid_ = 0;
  int port_ = 0;
  std::filesystem::path log_;
};

// GET /health on a new connection: the status (0: no answer within `timeout`) and how long
// it took.
struct Probe {
  int status = 0;
  std::chrono::duration<double> took{};
};
Probe ProbeHealth(int port, std::chrono::milliseconds timeout = std::chrono::seconds(1));

// Connected TCP sockets to 127.0.0.1:port that send nothing (closed by CloseAll).
std::vector<int> OpenIdleConnections(int port, int count);
void CloseAll(std::vector<int>& sockets);

// Whether the server refused the connection within `timeout`: it closed or reset it, with
// or without an answer first; `answer` gets what it wrote.
bool IsClosedByServer(int socket, std::chrono::milliseconds timeout, std::string* answer = nullptr);

// What slowhttptest sends slowly: a head that never ends (-H, slowloris), or a POST's body
// (-B, 4096 bytes announced).
enum class SlowAttack { kHeaders, kBody };

// Runs slowhttptest against /health with `connections` connections for `seconds`, while
// probing GET /health every half second on a new connection. Returns every probe; `report`
// gets slowhttptest's last status.
std::vector<Probe> ProbeThroughSlowAttack(int port, SlowAttack attack, int connections, int seconds,
                                          std::string* report);

// Sends a request's head one short header line every `interval`, for at most `give_up`:
// how long until the server closed the connection (give_up when it never did).
std::chrono::milliseconds TrickleUntilClosed(int port, std::chrono::milliseconds interval,
                                             std::chrono::milliseconds give_up);

// The checks each build's exposure test runs against its user service (binary: "sync-user",
// "async-user"), with the same clients and the same bounds.
// slowhttptest -H with 200 connections for 15 s: every /health probe meanwhile is answered 200
// within 1 s.
void ExpectHealthAnswersWithinASecondThroughSlowloris(const std::string& binary);
// The same with slowhttptest -B: 200 POST bodies trickled in.
void ExpectHealthAnswersWithinASecondThroughSlowBodies(const std::string& binary);
// --max-connections 20: 5 more connections are closed (after a 503 at most), the 20 go on,
// and /health answers once they all close.
void ExpectConnectionsPastTheCapRefused(const std::string& binary);
// RLIMIT_NOFILE 128 and 200 connections: under 0.5 s of CPU in 2 s, and /health answers once
// they close.
void ExpectAcceptLoopWaitsOutOfFileDescriptors(const std::string& binary);
// --request-deadline-ms 2000: a head trickled in a line every 300 ms is cut off within 4 s.
void ExpectTrickledRequestCutOffAtTheDeadline(const std::string& binary);

}  // namespace flowbench::testing
