#include "synchronous/runtime/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/telemetry/log.hpp"

namespace flowbench::sync {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Out of descriptors, accept() fails at once for as long as the backlog holds a connection:
// retried at once (or every millisecond, as httplib did), that is a core spinning.
constexpr milliseconds kAcceptPause{100};
// How often a blocked loop looks whether the server is stopping.
constexpr milliseconds kStopCheck{50};
// A head longer than this goes to a worker unfinished; httplib then refuses it.
constexpr std::size_t kMaxHeadBytes = 16 * 1024;
// A body announced up to this long (every body of the contract's routes) is waited for in
// the gate too; a longer one, or a chunked one, is read by the worker under the deadline.
// 1024 connections at most: 80 MiB buffered at worst.
constexpr std::size_t kMaxGateBodyBytes = 64 * 1024;
constexpr std::size_t kMaxGateBytes = kMaxHeadBytes + kMaxGateBodyBytes;

int MillisecondsUntil(Clock::time_point deadline, milliseconds cap) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp(left, milliseconds(0), cap).count());
}

bool IsOutOfResources(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

// One connection past the cap: the 503 is one non-blocking send into an empty socket buffer,
// so refusing never waits on the client and takes no worker.
void Refuse(int fd) {
  const std::string& answer = ConnectionCapAnswer();
  (void)::send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

// The Content-Length of a head (lower-cased), or nullopt when it has none or its body is
// chunked (Transfer-Encoding).
std::optional<std::size_t> ContentLength(const std::string& head) {
  if (head.find("\ntransfer-encoding:") != std::string::npos) return std::nullopt;
  std::size_t at = head.find("\ncontent-length:");
  if (at == std::string::npos) return std::nullopt;
  std::size_t length = 0;
  for (at += 16; at < head.size() && (head[at] == ' ' || head[at] == '\t'); ++at) {
  }
  std::size_t digits = 0;
  for (; at < head.size() && head[at] >= '0' && head[at] <= '9' && digits < 12; ++at, ++digits) {
    length = length * 10 + static_cast<std::size_t>(head[at] - '0');
  }
  if (digits == 0) return std::nullopt;
  return length;
}

// Whether the gate is done with a connection's first request: its head and a short body have
// arrived, or what is still missing is for the worker (a long or chunked body, an over-long
// head: httplib reads or refuses it).
bool ReadyForWorker(const std::string& received) {
  std::size_t blank = received.find("\r\n\r\n");
  std::size_t head_end = blank == std::string::npos ? std::string::npos : blank + 4;
  if (head_end == std::string::npos) {
    blank = received.find("\n\n");
    head_end = blank == std::string::npos ? std::string::npos : blank + 2;
  }
  if (head_end == std::string::npos) return received.size() >= kMaxHeadBytes;
  std::string head = received.substr(0, head_end);
  std::transform(head.begin(), head.end(), head.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::optional<std::size_t> body = ContentLength(head);
  if (!body || *body > kMaxGateBodyBytes) return true;
  return received.size() >= head_end + *body;
}

void IpAndPort(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

// httplib's Stream over one connection, starting with what the gate already read. Reads
// wait at most the read timeout each, and never past the request's deadline.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int fd, std::string received, milliseconds read_timeout,
                   milliseconds write_timeout)
      : fd_(fd),
        buffer_(std::move(received)),
        read_timeout_(read_timeout),
        write_timeout_(write_timeout) {}

  void SetDeadline(Clock::time_point deadline) { deadline_ = deadline; }
  bool HasBuffered() const { return offset_ < buffer_.size(); }

  bool is_readable() const override {
    if (HasBuffered()) return true;
    pollfd waiting{fd_, POLLIN, 0};
    return ::poll(&waiting, 1, MillisecondsUntil(deadline_, read_timeout_)) > 0;
  }
  bool is_writable() const override {
    pollfd waiting{fd_, POLLOUT, 0};
    return ::poll(&waiting, 1, static_cast<int>(write_timeout_.count())) > 0;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (!HasBuffered()) {
      if (!is_readable()) return -1;  // silent for the read timeout, or past the deadline
      buffer_.resize(4096);
      ssize_t n = ::recv(fd_, buffer_.data(), buffer_.size(), 0);
      if (n <= 0) {
        buffer_.clear();
        offset_ = 0;
        return n;
      }
      buffer_.resize(static_cast<std::size_t>(n));
      offset_ = 0;
    }
    std::size_t n = std::min(size, buffer_.size() - offset_);
    std::memcpy(ptr, buffer_.data() + offset_, n);
    offset_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    return ::send(fd_, ptr, size, MSG_NOSIGNAL);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      IpAndPort(address, ip, port);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      IpAndPort(address, ip, port);
    }
  }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  std::string buffer_;
  std::size_t offset_ = 0;
  milliseconds read_timeout_;
  milliseconds write_timeout_;
  Clock::time_point deadline_ = Clock::time_point::max();
};

}  // namespace

// Where connections wait without a worker: accepted ones until their first request's head
// has arrived, keep-alive ones between their requests (a worker serves a request, not a
// connection, so idle connections cost no thread). Level-triggered epoll: every readable
// event is read out into the connection's buffer, so a connection with half a head does not
// wake the thread again until more comes; one handed back with bytes already waiting wakes
// it at once.
class HttpServer::Gate {
 public:
  Gate(HttpServer& server, httplib::ThreadPool& workers)
      : server_(server), workers_(workers), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Gate() {
    StopWatching();
    for (auto& [fd, arriving] : arriving_) server_.Close(fd);
    ::close(epoll_);
  }

  // No connection is handed to a worker any more; the ones waiting (and any handed back
  // from now on) are closed when the gate goes.
  void StopWatching() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // A connection just accepted: its first request's head must arrive within the deadline.
  void Admit(int fd) { Watch(fd, server_.keep_alive_max_count_, false); }

  // A keep-alive connection between requests, `requests_left` more allowed on it: it may
  // idle for the keep-alive timeout; its next request's deadline starts at its first byte.
  void Readmit(int fd, std::size_t requests_left) { Watch(fd, requests_left, true); }

 private:
  struct Arriving {
    std::string received;
    Clock::time_point deadline;
    std::size_t requests_left = 0;
    bool idle = false;  // a keep-alive connection waiting for its next request's first byte
  };

  void Watch(int fd, std::size_t requests_left, bool idle) {
    std::lock_guard lock(mutex_);
    Arriving& arriving = arriving_[fd];
    arriving.requests_left = requests_left;
    arriving.idle = idle;
    arriving.deadline =
        Clock::now() +
        (idle ? std::chrono::duration_cast<Clock::duration>(
                    std::chrono::seconds(server_.keep_alive_timeout_sec_))
              : std::chrono::duration_cast<Clock::duration>(server_.limits_.request_deadline));
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.fd = fd;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) {
      arriving_.erase(fd);
      server_.Close(fd);
    }
  }

  void Run() {
    std::vector<epoll_event> events(256);
    auto next_sweep = Clock::now();
    while (!stopping_) {
      int ready = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                               static_cast<int>(kStopCheck.count()));
      for (int i = 0; i < ready; ++i) Read(events[static_cast<std::size_t>(i)].data.fd);
      if (Clock::now() >= next_sweep) {
        DropLate();
        next_sweep = Clock::now() + kStopCheck;
      }
    }
  }

  void Read(int fd) {
    std::unique_lock lock(mutex_);
    auto it = arriving_.find(fd);
    if (it == arriving_.end()) return;
    std::string& received = it->second.received;
    std::size_t before = received.size();
    char chunk[4096];
    for (;;) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n > 0) {
        received.append(chunk, static_cast<std::size_t>(n));
        if (received.size() >= kMaxGateBytes) break;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0 && errno == EINTR) continue;
      Forget(it);  // closed before its request arrived, or reset
      server_.Close(fd);
      return;
    }
    if (it->second.idle && received.size() > before) {
      // The next request began: from its first byte it has the request deadline.
      it->second.idle = false;
      it->second.deadline = Clock::now() + server_.limits_.request_deadline;
    }
    if (!ReadyForWorker(received) && received.size() < kMaxGateBytes) return;
    Arriving arrived = std::move(it->second);
    Forget(it);
    lock.unlock();
    HttpServer* server = &server_;
    workers_.enqueue([server, fd, arrived = std::move(arrived)]() mutable {
      server->ServeConnection(fd, std::move(arrived.received), arrived.deadline,
                              arrived.requests_left);
    });
  }

  // A connection whose head did not arrive within the deadline (or that idled past the
  // keep-alive timeout) is closed without an answer.
  void DropLate() {
    std::lock_guard lock(mutex_);
    auto now = Clock::now();
    for (auto it = arriving_.begin(); it != arriving_.end();) {
      if (it->second.deadline > now) {
        ++it;
        continue;
      }
      int fd = it->first;
      it = Forget(it);
      server_.Close(fd);
    }
  }

  std::unordered_map<int, Arriving>::iterator Forget(
      std::unordered_map<int, Arriving>::iterator it) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->first, nullptr);
    return arriving_.erase(it);
  }

  HttpServer& server_;
  httplib::ThreadPool& workers_;
  int epoll_;
  std::mutex mutex_;
  std::unordered_map<int, Arriving> arriving_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

HttpServer::HttpServer(int threads, ConnectionLimits limits) : threads_(threads), limits_(limits) {}

bool HttpServer::SetListenBacklog(int backlog) {
  return ::listen(svr_sock_, backlog) == 0;  // Linux: listen() again changes the backlog
}

void HttpServer::Stop() {
  int listening = svr_sock_.exchange(INVALID_SOCKET);
  if (listening == INVALID_SOCKET) return;
  ::shutdown(listening, SHUT_RDWR);
  ::close(listening);
}

bool HttpServer::Serve() {
  bool failed = false;
  httplib::ThreadPool workers(static_cast<std::size_t>(threads_));
  {
    Gate gate(*this, workers);
    gate_ = &gate;
    bool out_of_resources = false;
    bool at_cap = false;
    while (svr_sock_ != INVALID_SOCKET) {
      pollfd listening{svr_sock_, POLLIN, 0};
      if (::poll(&listening, 1, static_cast<int>(kStopCheck.count())) <= 0) continue;
      int fd = ::accept4(svr_sock_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        int error = errno;
        if (svr_sock_ == INVALID_SOCKET) break;  // Stop()
        if (IsOutOfResources(error)) {
          if (!out_of_resources) {
            log::Warn(
                "cannot accept connections: out of descriptors or memory; retrying every "
                "100 ms",
                {{"error", std::strerror(error)}, {"connections", connections_.load()}});
          }
          out_of_resources = true;
          std::this_thread::sleep_for(kAcceptPause);
          continue;
        }
        if (error == EINTR || error == EAGAIN || error == ECONNABORTED || error == EPROTO) {
          continue;  // this connection only
        }
        log::Error("accept failed; no longer serving", {{"error", std::strerror(error)}});
        failed = true;
        break;
      }
      if (out_of_resources) {
        log::Info("accepting connections again", {{"connections", connections_.load()}});
        out_of_resources = false;
      }
      if (connections_ >= limits_.max_connections) {
        if (!at_cap) {
          log::Warn("connection cap reached: refusing new connections with 503",
                    {{"max_connections", limits_.max_connections}});
        }
        at_cap = true;
        Refuse(fd);
        continue;
      }
      if (at_cap) {
        log::Info("below the connection cap again", {{"connections", connections_.load()}});
        at_cap = false;
      }
      ++connections_;
      gate.Admit(fd);
    }
    // The gate stops handing out connections, the workers finish the requests they have
    // (the pool must be joined by hand), then the gate closes every connection left.
    gate.StopWatching();
    workers.shutdown();
    gate_ = nullptr;
  }
  return !failed;
}

void HttpServer::ServeConnection(int fd, std::string received, Clock::time_point deadline,
                                 std::size_t requests_left) {
  auto read_timeout = std::chrono::duration_cast<milliseconds>(
      std::chrono::seconds(read_timeout_sec_) + std::chrono::microseconds(read_timeout_usec_));
  auto write_timeout = std::chrono::duration_cast<milliseconds>(
      std::chrono::seconds(write_timeout_sec_) + std::chrono::microseconds(write_timeout_usec_));
  ConnectionStream stream(fd, std::move(received), read_timeout, write_timeout);
  // The requests whose bytes are already here are served on this worker; then the connection
  // goes back to the gate to wait for its next one without holding a thread.
  for (bool first = true; requests_left > 0; first = false, --requests_left) {
    if (!first) {
      if (svr_sock_ == INVALID_SOCKET) break;
      if (!stream.HasBuffered()) {
        Gate* gate = gate_.load();
        if (gate == nullptr) break;
        gate->Readmit(fd, requests_left);
        return;
      }
      deadline = Clock::now() + limits_.request_deadline;  // a pipelined request: from now
    }
    stream.SetDeadline(deadline);
    bool connection_closed = false;
    if (!process_request(stream, requests_left == 1, connection_closed, nullptr) ||
        connection_closed) {
      break;
    }
  }
  Close(fd);
}

void HttpServer::Close(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  --connections_;
}

}  // namespace flowbench::sync
