#include "bench/run/environment.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <boost/version.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/infra/embedded_postgres.hpp"
#include "common/infra/process.hpp"

namespace flowbench::run {
namespace {

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string CpuModel() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

std::string RabbitVersion() {
  // The broker's own directory name carries its version: rabbitmq_server-3.10.8.
  std::filesystem::path lib = "/usr/lib/rabbitmq/lib";
  if (!std::filesystem::exists(lib)) return "not installed";
  for (const auto& entry : std::filesystem::directory_iterator(lib)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("rabbitmq_server-", 0) == 0) return name.substr(16);
  }
  return "unknown";
}

}  // namespace

boost::json::object MachineInfo() {
  // The load when the run started: a figure measured on a busy machine says so.
  double load[3] = {0, 0, 0};
  ::getloadavg(load, 3);
  utsname u{};
  ::uname(&u);
  long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  return {{"cores", ::sysconf(_SC_NPROCESSORS_ONLN)},
          {"memory_bytes", static_cast<std::int64_t>(pages) * page_size},
          {"cpu_model", CpuModel()},
          {"kernel", std::string(u.sysname) + " " + u.release},
          {"load_average_1m_at_start", load[0]}};
}

boost::json::object Versions() {
  boost::json::object v{{"flowbench", FLOWBENCH_VERSION},
                        {"compiler", __VERSION__},
                        {"boost", BOOST_LIB_VERSION},
                        {"rabbitmq", RabbitVersion()}};
  try {
    v["postgresql"] = FirstLine(
        infra::RunCommand({(infra::FindPostgresBinDir() / "postgres").string(), "--version"})
            .output);
  } catch (const std::runtime_error& e) {
    v["postgresql"] = std::string("unknown: ") + e.what();
  }
  return v;
}

std::string GitCommit() {
  infra::CommandResult head =
      infra::RunCommand({"git", "-C", FLOWBENCH_SOURCE_DIR, "rev-parse", "HEAD"});
  if (head.exit_code != 0) return "unknown (not a git checkout)";
  std::string commit = FirstLine(head.output);
  infra::CommandResult status = infra::RunCommand(
      {"git", "-C", FLOWBENCH_SOURCE_DIR, "status", "--porcelain", "--untracked-files=no"});
  return status.output.empty() ? commit : commit + "-dirty";
}

}  // namespace flowbench::run
