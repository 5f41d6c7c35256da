#include "bench/network/detached_relays.hpp"

#include <pthread.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/infra/process.hpp"

namespace flowbench::network {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::chrono::seconds kReadyTimeout{10};
constexpr std::chrono::seconds kStopGrace{5};

// The same directory written the same way by `up`, the relay process and `down`, so that the
// relay's command line can be recognised in /proc.
std::string CanonicalDir(const fs::path& dir) {
  return fs::weakly_canonical(fs::absolute(dir)).string();
}

// Full precision: the relay process must get exactly the shape `up` resolved.
std::string Exact(double value) {
  std::ostringstream text;
  text << std::setprecision(17) << value;
  return text.str();
}

json::object ToJson(const DetachedRelays& r) {
  json::array links;
  for (const RelayLink& l : r.links.links) {
    links.push_back({{"name", l.name},
                     {"target_host", l.target_host},
                     {"target_port", l.target_port},
                     {"listen_host", l.listen_host},
                     {"listen_port", l.listen_port}});
  }
  return {{"pid", r.pid},
          {"arch", std::string(ArchName(r.arch))},
          {"profile",
           {{"name", r.profile.name},
            {"one_way_delay_ms", r.profile.one_way_delay_ms},
            {"jitter_ms", r.profile.jitter_ms},
            {"loss", r.profile.loss}}},
          {"pg_url", r.links.pg_url},
          {"amqp_url", r.links.amqp_url},
          {"passfile", r.passfile.string()},
          {"links", std::move(links)}};
}

DetachedRelays FromJson(const json::value& value) {
  const json::object& o = value.as_object();
  DetachedRelays r;
  r.pid = static_cast<pid_t>(o.at("pid").to_number<long long>());
  std::optional<Arch> arch = ParseArch(std::string(o.at("arch").as_string()));
  if (!arch) throw std::invalid_argument("unknown arch");
  r.arch = *arch;
  const json::object& profile = o.at("profile").as_object();
  r.profile.name = std::string(profile.at("name").as_string());
  r.profile.one_way_delay_ms = profile.at("one_way_delay_ms").to_number<double>();
  r.profile.jitter_ms = profile.at("jitter_ms").to_number<double>();
  r.profile.loss = profile.at("loss").to_number<double>();
  r.links.pg_url = std::string(o.at("pg_url").as_string());
  r.links.amqp_url = std::string(o.at("amqp_url").as_string());
  r.passfile = std::string(o.at("passfile").as_string());
  for (const json::value& v : o.at("links").as_array()) {
    const json::object& l = v.as_object();
    RelayLink link;
    link.name = std::string(l.at("name").as_string());
    link.target_host = std::string(l.at("target_host").as_string());
    link.target_port = l.at("target_port").to_number<int>();
    link.listen_host = std::string(l.at("listen_host").as_string());
    link.listen_port = l.at("listen_port").to_number<int>();
    r.links.links.push_back(std::move(link));
  }
  return r;
}

// Written whole under another name, then renamed: `up` never reads half a file.
void Save(const fs::path& file, const DetachedRelays& relays) {
  fs::path partial = file.string() + ".partial";
  infra::WritePrivateFile(partial, json::serialize(ToJson(relays)) + "\n");
  fs::rename(partial, file);
}

std::vector<std::string> CommandLineOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> args;
  std::string arg;
  while (std::getline(in, arg, '\0')) args.push_back(arg);
  return args;
}

void RemoveLeftovers(const fs::path& state_file, const DetachedRelays* relays) {
  std::error_code ignored;  // already gone: nothing to remove
  if (relays != nullptr && !relays->passfile.empty()) fs::remove(relays->passfile, ignored);
  fs::remove(state_file, ignored);
}

}  // namespace

fs::path RelayStateFile(const fs::path& state_dir, Arch arch) {
  return state_dir / ("relays-" + std::string(ArchName(arch)) + ".json");
}

std::optional<DetachedRelays> LoadDetachedRelays(const fs::path& state_dir, Arch arch) {
  fs::path file = RelayStateFile(state_dir, arch);
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  try {
    return FromJson(json::parse(text.str()));
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + " is not a relay state file (" + e.what() +
                             "): remove it, or run `flowbench down`");
  }
}

bool IsRunning(const DetachedRelays& relays, const fs::path& state_dir) {
  if (relays.pid <= 0 || !infra::IsAlive(relays.pid)) return false;
  std::vector<std::string> args = CommandLineOf(relays.pid);
  bool relay = false, this_dir = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "relay") relay = true;
    if (args[i] == "--state-dir" && i + 1 < args.size()) {
      this_dir = args[i + 1] == CanonicalDir(state_dir);
    }
  }
  return relay && this_dir;
}

int ServeDetachedRelays(const DetachedRelaysRequest& request) {
  // Blocked before the relay thread starts (it inherits the mask), then waited for here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stop_signals, s);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  fs::path state_file = RelayStateFile(request.state_dir, request.arch);
  int signal = 0;
  {
    RelayedParts parts(request.profile, request.arch, request.port_base, request.pg_url,
                       request.amqp_url, request.seed);
    Save(state_file, DetachedRelays{::getpid(), request.arch, request.profile, parts.Endpoints(),
                                    parts.Passfile()});
    for (const RelayLink& l : parts.Links()) {
      std::printf("relaying %s:%d -> %s:%d (%s)\n", l.listen_host.c_str(), l.listen_port,
                  l.target_host.c_str(), l.target_port, l.name.c_str());
    }
    std::fflush(stdout);
    sigwait(&stop_signals, &signal);
  }  // the relays closed, their passfile removed
  std::optional<DetachedRelays> written = LoadDetachedRelays(request.state_dir, request.arch);
  if (written && written->pid == ::getpid()) RemoveLeftovers(state_file, nullptr);
  std::printf("signal %d: relays closed\n", signal);
  return 0;
}

DetachedRelays StartDetachedRelays(const fs::path& flowbench_binary,
                                   const DetachedRelaysRequest& request, const fs::path& log) {
  StopDetachedRelays(request.state_dir, request.arch);
  fs::create_directories(request.state_dir);
  const NetworkProfile& p = request.profile;
  std::vector<std::string> argv{flowbench_binary.string(),
                                "relay",
                                "--state-dir",
                                CanonicalDir(request.state_dir),
                                "--arch",
                                std::string(ArchName(request.arch)),
                                "--profile",
                                p.name,
                                "--delay-ms",
                                Exact(p.one_way_delay_ms),
                                "--jitter-ms",
                                Exact(p.jitter_ms),
                                "--loss",
                                Exact(p.loss),
                                "--port-base",
                                std::to_string(request.port_base),
                                "--pg-url",
                                request.pg_url,
                                "--amqp-url",
                                request.amqp_url,
                                "--seed",
                                std::to_string(request.seed)};
  pid_t pid = infra::SpawnDaemon(argv, {}, log);
  auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  for (;;) {
    std::optional<DetachedRelays> relays = LoadDetachedRelays(request.state_dir, request.arch);
    if (relays && relays->pid == pid) return *relays;
    if (!infra::IsAlive(pid) || std::chrono::steady_clock::now() > deadline) {
      infra::Terminate(pid, kStopGrace);
      RemoveLeftovers(RelayStateFile(request.state_dir, request.arch), nullptr);
      throw std::runtime_error("the " + std::string(ArchName(request.arch)) +
                               " build's relays did not start. Their log, " + log.string() + ":\n" +
                               infra::Tail(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

RelayStop StopDetachedRelays(const fs::path& state_dir, Arch arch) {
  fs::path file = RelayStateFile(state_dir, arch);
  std::optional<DetachedRelays> relays;
  try {
    relays = LoadDetachedRelays(state_dir, arch);
  } catch (const std::runtime_error&) {
    // A file that is not one (cut short by a crash) names no process to stop: it goes.
    RemoveLeftovers(file, nullptr);
    return RelayStop::kStaleRemoved;
  }
  if (!relays) return RelayStop::kNone;
  RelayStop outcome = RelayStop::kStaleRemoved;
  if (IsRunning(*relays, state_dir)) {
    if (!infra::Terminate(relays->pid, kStopGrace)) {
      throw std::runtime_error("the relay process " + std::to_string(relays->pid) +
                               " did not stop");
    }
    outcome = RelayStop::kStopped;
  }
  RemoveLeftovers(file, &*relays);  // after SIGTERM it removed them itself; after a kill, not
  return outcome;
}

}  // namespace flowbench::network
