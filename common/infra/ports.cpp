#include "common/infra/ports.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>

namespace flowbench::infra {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

struct Socket {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

// Ports come from below the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range,
// 32768 and up by default): the kernel never hands those out for outgoing connections, so a
// port chosen here cannot be taken by some client's connect() in the seconds before the
// server that was given it binds it.
constexpr int kPrivateLow = 20000;
constexpr int kPrivateHigh = 32767;

// True when `port` can be bound on 127.0.0.1 and on the IPv6 wildcard (a server such as
// RabbitMQ's Prometheus plugin may listen on [::] whatever it is told).
bool CanBind(int port) {
  Socket v4;
  sockaddr_in address = Loopback(port);
  if (v4.fd < 0 || ::bind(v4.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return false;
  }
  int v6 = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (v6 < 0) return true;  // no IPv6 on this machine: nothing can listen there
  sockaddr_in6 any6{};
  any6.sin6_family = AF_INET6;
  any6.sin6_port = htons(static_cast<uint16_t>(port));
  any6.sin6_addr = in6addr_any;
  int only = 1;
  ::setsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
  bool free = ::bind(v6, reinterpret_cast<sockaddr*>(&any6), sizeof any6) == 0;
  ::close(v6);
  return free;
}

int RandomPort(int low, int high) {
  thread_local std::mt19937 generator{std::random_device{}() ^ static_cast<unsigned>(::getpid())};
  return std::uniform_int_distribution<int>(low, high)(generator);
}

// Ports this process handed out already. A port is free until its server binds it, so two
// calls before then (RabbitMQ's five ports and PostgreSQL's, chosen in parallel) could be
// given the same one: a port is handed out once per process.
bool ClaimOnce(int port) {
  static std::mutex mutex;
  static std::set<int> handed_out;
  std::lock_guard lock(mutex);
  return handed_out.insert(port).second;
}

}  // namespace

int FindFreePort() {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int port = RandomPort(kPrivateLow, kPrivateHigh);
    if (CanBind(port) && ClaimOnce(port)) return port;
  }
  throw std::runtime_error("no free port found between " + std::to_string(kPrivateLow) + " and " +
                           std::to_string(kPrivateHigh));
}

int FindFreePortBase(int count) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    int base = RandomPort(kPrivateLow, kPrivateHigh - count);
    bool all_free = true;
    for (int port = base + 1; port <= base + count && all_free; ++port) all_free = CanBind(port);
    if (!all_free) continue;
    // A range overlapping one handed out before is retried (the ports it claimed on the way
    // stay claimed: there are plenty).
    for (int port = base + 1; port <= base + count && all_free; ++port) all_free = ClaimOnce(port);
    if (all_free) return base;
  }
  throw std::runtime_error("no range of " + std::to_string(count) + " free ports found");
}

bool IsPortOpen(int port, std::chrono::milliseconds timeout) {
  Socket s;
  if (s.fd < 0) return false;
  ::fcntl(s.fd, F_SETFL, O_NONBLOCK);
  sockaddr_in address = Loopback(port);
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return true;
  if (errno != EINPROGRESS) return false;
  pollfd p{s.fd, POLLOUT, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &error, &length);
  return error == 0;
}

}  // namespace flowbench::infra
