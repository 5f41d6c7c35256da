// A real HTTP server on a free loopback port for the load engine's tests (cpp-httplib,
// nodelay, long keep-alive): records when each request arrived and answers via `handler`.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace flowbench::load::testing {

class TestServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  explicit TestServer(Handler handler, int threads = 16) : handler_(std::move(handler)) {
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_.set_tcp_nodelay(true);
    server_.set_keep_alive_max_count(1'000'000);
    server_.set_keep_alive_timeout(30);
    auto handle = [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard lock(mutex_);
        arrivals_.push_back(std::chrono::steady_clock::now());
      }
      handler_(request, response);
    };
    server_.Post(".*", handle);
    server_.Put(".*", handle);
    server_.Get(".*", handle);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestServer() {
    server_.stop();
    thread_.join();
  }

  int Port() const { return port_; }
  std::vector<std::chrono::steady_clock::time_point> Arrivals() {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }

 private:
  Handler handler_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::chrono::steady_clock::time_point> arrivals_;
};

}  // namespace flowbench::load::testing
