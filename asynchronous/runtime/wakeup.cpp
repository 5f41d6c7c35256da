#include "asynchronous/runtime/wakeup.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <system_error>

namespace flowbench::async {

Wakeup::Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

Wakeup::~Wakeup() { ::close(fd_); }

void Wakeup::Ring() {
  std::uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof one);  // full counter: already rung
}

Wakeup::Ready Wakeup::Wait(int socket_fd, std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {socket_fd, POLLIN, 0}};
  int count = socket_fd >= 0 ? 2 : 1;
  int n = ::poll(fds, count, static_cast<int>(timeout.count()));
  Ready ready;
  if (n <= 0) return ready;  // timeout or EINTR: the caller loops anyway
  if (fds[0].revents & POLLIN) {
    std::uint64_t value = 0;
    [[maybe_unused]] ssize_t r = ::read(fd_, &value, sizeof value);
    ready.woken = true;
  }
  // An error or hang-up on the socket is "readable" too: the next read reports it.
  if (count == 2 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) ready.socket = true;
  return ready;
}

}  // namespace flowbench::async
