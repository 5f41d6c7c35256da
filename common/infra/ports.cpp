#include "common/infra/ports.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

}  // namespace

int FindFreePort() {
  Socket s;
  if (s.fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address = Loopback(0);
  if (::bind(s.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error(std::string("bind 127.0.0.1:0: ") + std::strerror(errno));
  }
  socklen_t length = sizeof address;
  ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

int FindFreePortBase(int count) {
  // Candidates from the kernel's own choice, so parallel callers rarely meet; each port of
  // the range is then tried with a real bind.
  for (int attempt = 0; attempt < 100; ++attempt) {
    int base = FindFreePort();
    if (base + count > 65535) continue;
    bool all_free = true;
    for (int port = base + 1; port <= base + count && all_free; ++port) {
      Socket s;
      sockaddr_in address = Loopback(port);
      all_free = ::bind(s.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
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
