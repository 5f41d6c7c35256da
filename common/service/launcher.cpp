#include "common/service/launcher.hpp"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/domain/json_fields.hpp"
#include "common/http/json_client.hpp"
#include "common/infra/process.hpp"
#include "common/service/service_options.hpp"

namespace flowbench {
namespace fs = std::filesystem;
namespace {

std::string Binary(Arch arch, std::string_view service) {
  return std::string(ArchName(arch)) + "-" + std::string(service);
}

bool HealthOk(int port, std::string* detail) {
  http::JsonClient client("127.0.0.1", port, {std::chrono::seconds(1), std::chrono::seconds(2)});
  http::JsonResponse r = client.Get("/health");
  if (r.status == 0) {
    if (detail) *detail = "no answer on port " + std::to_string(port) + " (" + r.error + ")";
    return false;
  }
  if (detail) *detail = "GET /health: " + std::to_string(r.status) + " " + r.body;
  return r.status == 200;
}

// Each start of a build gets fresh logs, so that a log holds one run of the system (a
// `flowbench run` starts the services once per repeat) and does not grow without bound;
// the previous one is kept next to it for post-mortems. A restarted service (the outage
// demo) appends to its own log instead: its stop and restart read as one story.
void SetAsidePreviousLog(const fs::path& log) {
  std::error_code ec;
  if (!fs::exists(log, ec)) return;
  fs::rename(log, fs::path(log.string() + ".previous"), ec);
  if (ec)
    throw std::runtime_error("cannot move the old log " + log.string() + " aside: " + ec.message());
}

fs::path SystemFile(const fs::path& state_dir, Arch arch) {
  return state_dir / ("system-" + std::string(ArchName(arch)) + ".json");
}

}  // namespace

const RunningService& RunningSystem::Service(std::string_view name) const {
  for (const RunningService& s : services) {
    if (s.name == name) return s;
  }
  throw std::invalid_argument("no service '" + std::string(name) + "' in this system");
}

std::string RunningSystem::Url(std::string_view name) const {
  return "http://127.0.0.1:" + std::to_string(Service(name).port);
}

fs::path ExecutableDir() { return fs::read_symlink("/proc/self/exe").parent_path(); }

RunningSystem StartSystem(const SystemOptions& options) {
  fs::create_directories(options.run_dir);
  ServiceOptions ports;  // only for the port arithmetic
  ports.arch = options.arch;
  ports.port_base = options.port_base;

  RunningSystem system{options.arch, options.port_base, options.run_dir, {}};
  for (const ServiceSpec& spec : Services()) {
    fs::path binary = options.bin_dir / Binary(options.arch, spec.name);
    if (!fs::exists(binary)) {
      StopSystem(system);
      throw std::runtime_error("service binary " + binary.string() +
                               " not found: build first (cmake --workflow --preset default)");
    }
    std::vector<std::string> argv{binary.string(), "--port-base",
                                  std::to_string(options.port_base)};
    if (!options.pg_url.empty()) argv.insert(argv.end(), {"--pg-url", options.pg_url});
    if (!options.amqp_url.empty()) argv.insert(argv.end(), {"--amqp-url", options.amqp_url});
    argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
    fs::path log = options.run_dir / (Binary(options.arch, spec.name) + ".log");
    SetAsidePreviousLog(log);
    pid_t pid = infra::SpawnDaemon(argv, {}, log);
    system.services.push_back({std::string(spec.name), pid, ports.PortOf(spec.name), log, argv});
  }

  auto deadline = std::chrono::steady_clock::now() + options.ready_timeout;
  for (const RunningService& s : system.services) {
    std::string detail;
    while (!HealthOk(s.port, &detail)) {
      bool exited = !infra::IsAlive(s.pid);
      if (exited || std::chrono::steady_clock::now() > deadline) {
        StopSystem(system);
        throw std::runtime_error(std::string(ArchName(options.arch)) + "-" + s.name +
                                 (exited ? " exited during start-up" : " is not healthy in time") +
                                 " (" + detail + "). Its log, " + s.log.string() + ":\n" +
                                 infra::Tail(s.log));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return system;
}

void StopSystem(const RunningSystem& system, std::chrono::milliseconds grace) {
  for (const RunningService& s : system.services) {
    if (infra::IsAlive(s.pid)) ::kill(s.pid, SIGTERM);
  }
  for (const RunningService& s : system.services) infra::Terminate(s.pid, grace);
}

void StopService(const RunningService& service, std::chrono::milliseconds grace) {
  infra::Terminate(service.pid, grace);
}

void RestartService(RunningService& service, std::chrono::milliseconds ready_timeout) {
  if (service.argv.empty()) {
    throw std::runtime_error("cannot restart " + service.name +
                             ": its command line was not recorded (started by an older "
                             "flowbench? run `flowbench up` again)");
  }
  if (infra::IsAlive(service.pid)) {
    throw std::logic_error(service.name + " (pid " + std::to_string(service.pid) +
                           ") is still running: stop it first");
  }
  service.pid = infra::SpawnDaemon(service.argv, {}, service.log);
  auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  std::string detail;
  while (!HealthOk(service.port, &detail)) {
    bool exited = !infra::IsAlive(service.pid);
    if (exited || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error(
          service.name +
          (exited ? " exited during its restart" : " is not healthy in time after its restart") +
          " (" + detail + "). Its log, " + service.log.string() + ":\n" + infra::Tail(service.log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::vector<ServiceHealth> CheckSystem(const RunningSystem& system) {
  std::vector<ServiceHealth> result;
  for (const RunningService& s : system.services) {
    ServiceHealth h{s.name, infra::IsAlive(s.pid), false, ""};
    if (!h.alive) {
      h.detail = "process " + std::to_string(s.pid) + " is gone; see " + s.log.string();
    } else {
      h.healthy = HealthOk(s.port, &h.detail);
    }
    result.push_back(h);
  }
  return result;
}

void SaveSystem(const fs::path& state_dir, const RunningSystem& system) {
  boost::json::array services;
  for (const RunningService& s : system.services) {
    services.push_back({{"name", s.name},
                        {"pid", s.pid},
                        {"port", s.port},
                        {"log", s.log.string()},
                        {"argv", boost::json::array(s.argv.begin(), s.argv.end())}});
  }
  boost::json::object json{{"arch", ArchName(system.arch)},
                           {"port_base", system.port_base},
                           {"run_dir", system.run_dir.string()},
                           {"services", services}};
  fs::create_directories(state_dir);
  // The recorded command lines hold the servers' URLs (the AMQP one with its password).
  infra::WritePrivateFile(SystemFile(state_dir, system.arch), boost::json::serialize(json) + "\n");
}

std::optional<RunningSystem> LoadSystem(const fs::path& state_dir, Arch arch) {
  std::ifstream in(SystemFile(state_dir, arch));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  boost::json::object json = ParseJsonObject(text.str());
  JsonFields f(json);
  RunningSystem system{arch, static_cast<int>(f.Integer("port_base")), f.String("run_dir"), {}};
  for (const boost::json::value& v : json.at("services").as_array()) {
    JsonFields s(v.as_object());
    std::vector<std::string> argv;  // absent in files written before it was recorded
    if (const boost::json::value* recorded = v.as_object().if_contains("argv")) {
      for (const boost::json::value& arg : recorded->as_array()) {
        argv.emplace_back(arg.as_string());
      }
    }
    system.services.push_back({s.String("name"), static_cast<pid_t>(s.Integer("pid")),
                               static_cast<int>(s.Integer("port")), s.String("log"),
                               std::move(argv)});
  }
  return system;
}

void ForgetSystem(const fs::path& state_dir, Arch arch) { fs::remove(SystemFile(state_dir, arch)); }

}  // namespace flowbench
