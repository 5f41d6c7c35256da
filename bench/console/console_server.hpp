// The console's HTTP server (cpp-httplib, bound to 127.0.0.1): the page, Chart.js, the
// results directory's runs and sweeps, two of them compared, and a running experiment's live
// state (README.md lists the endpoints). It serves from threads of its own (two), so that a
// run with --ui goes on measuring while a browser polls.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace flowbench::console {

class LiveState;

struct ConsoleOptions {
  std::string host = "127.0.0.1";  // never all interfaces: it serves files and has no login
  int port = 8080;                 // 0: any free port (Port() says which)
  std::filesystem::path results = "results";
};

class ConsoleServer {
 public:
  // `live`: the running experiment (it must outlive the server), or nullptr (`flowbench serve`).
  ConsoleServer(ConsoleOptions options, const LiveState* live);
  ~ConsoleServer();  // Stop()
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  // Binds and starts serving on a thread of its own; throws std::runtime_error when the port
  // is taken or Chart.js is missing.
  void Start();
  int Port() const { return port_; }
  std::string Url() const;
  // Blocks until Stop() (from another thread or a signal handler's watcher).
  void Wait();
  void Stop();

 private:
  void Routes();

  ConsoleOptions options_;
  const LiveState* live_;
  std::string chart_js_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace flowbench::console
