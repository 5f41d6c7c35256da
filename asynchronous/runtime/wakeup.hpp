// How an AMQP owner thread waits: on its connection's socket and on a wake-up that other
// threads ring when they hand it a command, at once (poll on the socket and an eventfd).
// rabbitmq-c only waits on its own socket, so without this a command would sit until the
// next frame arrived.
#pragma once

#include <chrono>

namespace flowbench::async {

class Wakeup {
 public:
  Wakeup();
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  void Ring();  // any thread

  struct Ready {
    bool socket = false;
    bool woken = false;
  };
  // Waits until `socket_fd` is readable (-1: none), the wake-up rang, or `timeout` passed;
  // clears the wake-up.
  Ready Wait(int socket_fd, std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

}  // namespace flowbench::async
