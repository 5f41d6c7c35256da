#include "common/infra/testing/exposure.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/infra/ports.hpp"
#include "common/infra/process.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

int ConnectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval two_seconds{2, 0};  // bounds connect() too, on Linux
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &two_seconds, sizeof two_seconds);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The peer closed (0) or reset the connection; false while it is open or has sent data.
bool PeerGone(int fd, std::string* answer) {
  char chunk[4096];
  for (;;) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    if (answer != nullptr) answer->append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace

LoneService::LoneService(const std::string& binary, const std::vector<std::string>& args,
                         int max_open_files) {
  // The compiled httplib sends without MSG_NOSIGNAL: a probe writing to a connection the
  // service just closed (refused, out of descriptors) would kill the test program silently.
  std::signal(SIGPIPE, SIG_IGN);
  const char* bin_dir = std::getenv("FLOWBENCH_BIN_DIR");
  if (bin_dir == nullptr) throw std::runtime_error("run through ctest (FLOWBENCH_BIN_DIR)");
  int port_base = infra::FindFreePortBase(10);
  port_ = port_base + 1;  // the user service is the first in contract order
  std::vector<std::string> argv;
  if (max_open_files > 0) {
    std::string limit = std::to_string(max_open_files);
    argv = {"prlimit", "--nofile=" + limit + ":" + limit, "--"};
  }
  const infra::InfraState& infra = EmbeddedInfra::State();
  argv.insert(argv.end(), {(std::filesystem::path(bin_dir) / binary).string(), "--port-base",
                           std::to_string(port_base), "--pg-url", infra.pg_url});
  if (!infra.amqp_url.empty()) argv.insert(argv.end(), {"--amqp-url", infra.amqp_url});
  argv.insert(argv.end(), args.begin(), args.end());
  log_ = MakeTempDir("flowbench-exposure") / (binary + ".log");
  pid_ = infra::SpawnDaemon(argv, {}, log_);
  auto deadline = Clock::now() + 30s;
  while (ProbeHealth(port_).status != 200) {
    if (!infra::IsAlive(pid_) || Clock::now() > deadline) {
      std::string tail = LogTail();
      infra::Terminate(pid_, 5s);
      throw std::runtime_error(binary + " did not become healthy:\n" + tail);
    }
    std::this_thread::sleep_for(100ms);
  }
}

LoneService::~LoneService() { infra::Terminate(pid_, 10s); }

std::string LoneService::LogTail() const { return infra::Tail(log_, 30); }

std::chrono::duration<double> LoneService::CpuTime() const {
  std::ifstream file("/proc/" + std::to_string(pid_) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::size_t after_name = stat.rfind(')');
  if (after_name == std::string::npos) throw std::runtime_error("no /proc stat for the service");
  // Fields after "(comm)": state is field 3, utime 14 and stime 15 (proc(5)).
  std::istringstream fields(stat.substr(after_name + 2));
  std::string field;
  double ticks = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number >= 14) ticks += std::stod(field);
  }
  return std::chrono::duration<double>(ticks / static_cast<double>(::sysconf(_SC_CLK_TCK)));
}

Probe ProbeHealth(int port, std::chrono::milliseconds timeout) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  auto started = Clock::now();
  httplib::Result result = client.Get("/health");
  Probe probe;
  probe.took = Clock::now() - started;
  if (result) probe.status = result->status;
  return probe;
}

std::vector<int> OpenIdleConnections(int port, int count) {
  std::vector<int> sockets;
  for (int i = 0; i < count; ++i) {
    int fd = ConnectTo(port);
    if (fd >= 0) sockets.push_back(fd);
  }
  return sockets;
}

void CloseAll(std::vector<int>& sockets) {
  for (int fd : sockets) ::close(fd);
  sockets.clear();
}

bool IsClosedByServer(int socket, std::chrono::milliseconds timeout, std::string* answer) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    pollfd waiting{socket, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (::poll(&waiting, 1, static_cast<int>(std::max<long>(left.count(), 1))) > 0 &&
        PeerGone(socket, answer)) {
      return true;
    }
  }
  return false;
}

std::vector<Probe> ProbeThroughSlowAttack(int port, SlowAttack attack, int connections, int seconds,
                                          std::string* report) {
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/health";
  // -H: unfinished headers (slowloris); -B: a POST body, 4096 bytes announced. A follow-up
  // of at most 24 bytes (-x) every 5 s (-i), 100 new connections a second (-r), for -l s.
  std::vector<std::string> argv = {"slowhttptest"};
  if (attack == SlowAttack::kHeaders) {
    argv.emplace_back("-H");
  } else {
    argv.insert(argv.end(), {"-B", "-t", "POST", "-s", "4096"});
  }
  argv.insert(argv.end(), {"-c", std::to_string(connections), "-i", "5", "-r", "100", "-x", "24",
                           "-p", "3", "-l", std::to_string(seconds), "-u", url});
  auto running = std::async(std::launch::async, [argv, seconds] {
    return infra::RunCommand(argv, {}, std::chrono::seconds(seconds + 30));
  });
  // Every connection is open after connections / 100 s; probe from then until the end.
  auto started = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(connections * 10 + 1000));
  std::vector<Probe> probes;
  while (Clock::now() - started < std::chrono::seconds(seconds - 1)) {
    probes.push_back(ProbeHealth(port));
    std::this_thread::sleep_for(500ms);
  }
  infra::CommandResult result = running.get();
  if (report != nullptr) {  // its last status: how many connections it held open
    std::size_t last = result.output.rfind("slow HTTP test status");
    *report = "slowhttptest exit " + std::to_string(result.exit_code) + ", " +
              (last == std::string::npos ? result.output : result.output.substr(last));
  }
  return probes;
}

std::chrono::milliseconds TrickleUntilClosed(int port, std::chrono::milliseconds interval,
                                             std::chrono::milliseconds give_up) {
  auto started = Clock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  };
  int fd = ConnectTo(port);
  if (fd < 0) return std::chrono::milliseconds(0);
  std::string head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  bool closed = ::send(fd, head.data(), head.size(), MSG_NOSIGNAL) < 0;
  while (!closed && elapsed() < give_up) {
    if (IsClosedByServer(fd, interval)) break;
    const char line[] = "X-Slow: 1\r\n";
    closed = ::send(fd, line, sizeof line - 1, MSG_NOSIGNAL) < 0;
  }
  ::close(fd);
  return std::min(elapsed(), give_up);
}

// --- The checks ---------------------------------------------------------------------------

// Slowloris (issue 13): slow clients must not starve everyone else of the service.
namespace {

void ExpectHealthAnswersWithinASecondThrough(const std::string& binary, SlowAttack attack) {
  LoneService service(binary, {});
  std::string report;
  std::vector<Probe> probes = ProbeThroughSlowAttack(service.port(), attack, 200, 15, &report);
  // Half a second apart, each at most a second: 7 at least in the 11 s probed.
  ASSERT_GE(probes.size(), 7U) << report;
  int slow = 0;
  for (const Probe& probe : probes) {
    if (probe.status != 200 || probe.took >= 1s) ++slow;
    EXPECT_EQ(probe.status, 200) << "after " << probe.took.count() << " s";
    EXPECT_LT(probe.took, 1s);
  }
  EXPECT_EQ(slow, 0) << "of " << probes.size() << " probes\n"
                     << report << "\n"
                     << service.LogTail();
}

}  // namespace

void ExpectHealthAnswersWithinASecondThroughSlowloris(const std::string& binary) {
  ExpectHealthAnswersWithinASecondThrough(binary, SlowAttack::kHeaders);
}

void ExpectHealthAnswersWithinASecondThroughSlowBodies(const std::string& binary) {
  ExpectHealthAnswersWithinASecondThrough(binary, SlowAttack::kBody);
}

// Past --max-connections a new connection is refused at once (closed, after a short 503 when
// it can be written), the ones already open go on, and the service answers again once they
// close.
void ExpectConnectionsPastTheCapRefused(const std::string& binary) {
  LoneService service(binary, {"--max-connections", "20"});
  std::vector<int> held = OpenIdleConnections(service.port(), 20);
  ASSERT_EQ(held.size(), 20U);
  std::this_thread::sleep_for(300ms);  // accepted by now
  std::vector<int> extra = OpenIdleConnections(service.port(), 5);
  for (int fd : extra) {
    std::string answer;
    EXPECT_TRUE(IsClosedByServer(fd, 2s, &answer)) << "a connection past the cap stayed open";
    if (!answer.empty()) {
      EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0U) << answer;
    }
  }
  EXPECT_FALSE(IsClosedByServer(held.front(), 100ms)) << "a connection within the cap was closed";
  CloseAll(extra);
  CloseAll(held);
  auto deadline = Clock::now() + 3s;
  while (ProbeHealth(service.port()).status != 200) {
    ASSERT_LT(Clock::now(), deadline) << "no answer after the connections closed\n"
                                      << service.LogTail();
    std::this_thread::sleep_for(50ms);
  }
}

// Out of file descriptors (EMFILE), the accept loop waits instead of retrying at full speed,
// and the service answers again once the connections close.
void ExpectAcceptLoopWaitsOutOfFileDescriptors(const std::string& binary) {
  LoneService service(binary, {}, 128);
  std::vector<int> flood = OpenIdleConnections(service.port(), 200);
  ASSERT_GE(flood.size(), 150U);
  std::this_thread::sleep_for(1s);  // every descriptor it has is taken by now
  auto cpu_before = service.CpuTime();
  std::this_thread::sleep_for(2s);
  auto cpu_used = service.CpuTime() - cpu_before;
  // A loop retrying accept() without a pause burns a whole core: ~2 s of CPU in 2 s.
  EXPECT_LT(cpu_used.count(), 0.5) << "CPU seconds in 2 s out of descriptors\n"
                                   << service.LogTail();
  CloseAll(flood);
  auto deadline = Clock::now() + 15s;
  while (ProbeHealth(service.port()).status != 200) {
    ASSERT_LT(Clock::now(), deadline) << "no answer after the flood closed\n" << service.LogTail();
    std::this_thread::sleep_for(100ms);
  }
}

// A request's head and body must arrive within --request-deadline-ms in all, however often
// its bytes trickle in (a per-read timeout never fires on a client that sends a byte in time).
void ExpectTrickledRequestCutOffAtTheDeadline(const std::string& binary) {
  LoneService service(binary, {"--request-deadline-ms", "2000"});
  auto took = TrickleUntilClosed(service.port(), 300ms, 8s);
  EXPECT_GE(took, 1500ms);
  EXPECT_LT(took, 4s) << "the trickling client was not cut off";
  EXPECT_EQ(ProbeHealth(service.port()).status, 200);
}

}  // namespace flowbench::testing
