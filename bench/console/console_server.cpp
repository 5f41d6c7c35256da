#include "bench/console/console_server.hpp"

#include <httplib.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bench/console/console_page.hpp"
#include "bench/console/live_state.hpp"
#include "bench/console/results_browser.hpp"

namespace flowbench::console {
namespace {

// Chart.js from Debian's libjs-chart.js (as report.html inlines it): no CDN, works offline.
constexpr const char* kChartJs = "/usr/share/javascript/chart.js/chart.min.js";
// A browser keeps a few connections open; each holds a thread while it waits. Few threads,
// at a normal priority, so that a run's load engine keeps the cores it uses.
constexpr std::size_t kServerThreads = 4;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ContentType(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".png") return "image/png";
  if (ext == ".csv") return "text/csv; charset=utf-8";
  return "text/plain; charset=utf-8";  // report.md, sweep.md and anything else: shown as text
}

void JsonError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(boost::json::serialize(boost::json::object{{"error", message}}),
                  "application/json");
}

// The query parameter `name`, required.
std::string Param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) throw BadRequest(std::string("missing query parameter '") + name + "'");
  return req.get_param_value(name);
}

}  // namespace

ConsoleServer::ConsoleServer(ConsoleOptions options, const LiveState* live)
    : options_(std::move(options)), live_(live), server_(std::make_unique<httplib::Server>()) {}

ConsoleServer::~ConsoleServer() { Stop(); }

std::string ConsoleServer::Url() const {
  return "http://" + options_.host + ":" + std::to_string(port_) + "/";
}

void ConsoleServer::Routes() {
  httplib::Server& s = *server_;
  s.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  s.set_keep_alive_timeout(2);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second console on
  // the same port would bind too and share its connections instead of failing.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(ConsolePage()), "text/html; charset=utf-8");
  });
  s.Get("/assets/chart.min.js", [this](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "max-age=3600");
    res.set_content(chart_js_, "text/javascript");
  });
  s.Get("/api/results", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(ResultsJson(options_.results), "application/json");
  });
  s.Get("/api/compare", [this](const httplib::Request& req, httplib::Response& res) {
    res.set_content(CompareJson(options_.results, Param(req, "a"), Param(req, "b")),
                    "application/json");
  });
  s.Get("/api/live", [this](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    // Not an error when nothing runs (`flowbench serve`): the page then hides its live view.
    res.set_content(live_ != nullptr ? live_->Json() : R"({"live":false})", "application/json");
  });
  s.Get(R"(/results/([^/]+)/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::filesystem::path file = ResultFile(options_.results, req.matches[1], req.matches[2]);
    res.set_content(ReadFile(file), ContentType(file));
  });
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr thrown) {
        try {
          std::rethrow_exception(thrown);
        } catch (const BadRequest& e) {
          JsonError(res, 400, e.what());
        } catch (const NotFound& e) {
          JsonError(res, 404, e.what());
        } catch (const std::exception& e) {
          JsonError(res, 500, e.what());
        }
      });
  // Every other error (no such route, a method other than GET) as JSON too, saying what exists.
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler's own error
    JsonError(res, res.status,
              "no such page: " + req.method + " " + req.path +
                  " (GET /, /api/results, /api/compare?a=&b=, /api/live, /results/NAME/FILE)");
  });
}

void ConsoleServer::Start() {
  try {
    chart_js_ = ReadFile(kChartJs);
  } catch (const std::runtime_error&) {
    throw std::runtime_error(std::string("Chart.js not found at ") + kChartJs +
                             ": install it with `sudo apt-get install libjs-chart.js` (or run "
                             "compose/install-deps.sh)");
  }
  Routes();
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
  } else if (server_->bind_to_port(options_.host, options_.port)) {
    port_ = options_.port;
  } else {
    port_ = -1;
  }
  if (port_ <= 0) {
    throw std::runtime_error("the console cannot listen on " + options_.host + ":" +
                             std::to_string(options_.port) +
                             " (in use? choose another with --port / --ui-port)");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // Serving once Start() returns: a Stop() before the thread's listen began would not stop it.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!server_->is_running()) throw std::runtime_error("the console's server did not start");
}

void ConsoleServer::Wait() {
  if (thread_.joinable()) thread_.join();
}

void ConsoleServer::Stop() {
  server_->stop();
  Wait();
}

}  // namespace flowbench::console
