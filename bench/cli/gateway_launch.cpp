#include "bench/cli/gateway_launch.hpp"

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/domain/secrets.hpp"
#include "common/http/json_client.hpp"
#include "common/infra/process.hpp"
#include "common/service/launcher.hpp"
#include "common/service/service_options.hpp"

namespace flowbench::cli {
namespace fs = std::filesystem;

namespace {

constexpr std::chrono::seconds kReadyTimeout{10};

fs::path PidFile(Arch arch, const fs::path& state_dir) {
  return state_dir / ("gateway-" + std::string(ArchName(arch)) + ".pid");
}

}  // namespace

fs::path EnsureGatewaySecret(const fs::path& state_dir) {
  fs::path file = state_dir / "jwt-secret";
  if (!fs::exists(file)) {
    fs::create_directories(state_dir);
    infra::WritePrivateFile(file, RandomSecret(32) + "\n");  // 64 hex digits
  }
  return file;
}

int StartGateway(Arch arch, int port_base, const fs::path& state_dir, const fs::path& run_dir,
                 const std::string& otlp_endpoint, const std::vector<std::string>& extra_args) {
  StopGateway(arch, state_dir);  // `up` twice restarts it too
  int base = port_base == 0 ? DefaultPortBase(arch) : port_base;
  fs::path binary = ExecutableDir() / "flowbench-gateway";
  if (!fs::exists(binary)) {
    throw std::runtime_error(binary.string() +
                             " not found: build it first (cmake --build build --target "
                             "flowbench-gateway)");
  }
  fs::path log = run_dir / "gateway.log";
  std::vector<std::string> argv{binary.string(),
                                "--arch",
                                std::string(ArchName(arch)),
                                "--port-base",
                                std::to_string(base),
                                "--jwt-secret-file",
                                EnsureGatewaySecret(state_dir).string()};
  if (!otlp_endpoint.empty()) argv.insert(argv.end(), {"--otlp-endpoint", otlp_endpoint});
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  pid_t pid = infra::SpawnDaemon(argv, {}, log);
  std::ofstream(PidFile(arch, state_dir)) << pid << "\n";
  http::JsonClient gateway("127.0.0.1", base);
  auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (gateway.Get("/health").status != 200) {
    if (!infra::IsAlive(pid) || std::chrono::steady_clock::now() > deadline) {
      StopGateway(arch, state_dir);
      throw std::runtime_error("the " + std::string(ArchName(arch)) +
                               " gateway did not start. Its log, " + log.string() + ":\n" +
                               infra::Tail(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return base;
}

std::optional<pid_t> RunningGateway(Arch arch, const fs::path& state_dir) {
  std::ifstream in(PidFile(arch, state_dir));
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0 || !infra::IsAlive(pid)) return std::nullopt;
  return pid;
}

bool StopGateway(Arch arch, const fs::path& state_dir) {
  std::optional<pid_t> pid = RunningGateway(arch, state_dir);
  if (pid) infra::Terminate(*pid, std::chrono::seconds(15));
  std::error_code ignored;  // no file: nothing was started
  fs::remove(PidFile(arch, state_dir), ignored);
  return pid.has_value();
}

}  // namespace flowbench::cli
