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

json::array LinksToJson(const std::vector<RelayLink>& links) {
  json::array array;
  for (const RelayLink& l : links) {
    array.push_back({{"name", l.name},
                     {"target_host", l.target_host},
                     {"target_port", l.target_port},
                     {"listen_host", l.listen_host},
                     {"listen_port", l.listen_port}});
  }
  return array;
}

json::object ProfileToJson(const NetworkProfile& p) {
  return {{"name", p.name},
          {"one_way_delay_ms", p.one_way_delay_ms},
          {"jitter_ms", p.jitter_ms},
          {"loss", p.loss}};
}

std::vector<RelayLink> LinksFromJson(const json::value& value) {
  std::vector<RelayLink> links;
  for (const json::value& v : value.as_array()) {
    const json::object& l = v.as_object();
    RelayLink link;
    link.name = std::string(l.at("name").as_string());
    link.target_host = std::string(l.at("target_host").as_string());
    link.target_port = l.at("target_port").to_number<int>();
    link.listen_host = std::string(l.at("listen_host").as_string());
    link.listen_port = l.at("listen_port").to_number<int>();
    links.push_back(std::move(link));
  }
  return links;
}

NetworkProfile ProfileFromJson(const json::value& value) {
  const json::object& profile = value.as_object();
  NetworkProfile p;
  p.name = std::string(profile.at("name").as_string());
  p.one_way_delay_ms = profile.at("one_way_delay_ms").to_number<double>();
  p.jitter_ms = profile.at("jitter_ms").to_number<double>();
  p.loss = profile.at("loss").to_number<double>();
  return p;
}

json::object ToJson(const DetachedRelays& r) {
  return {{"pid", r.pid},
          {"arch", std::string(ArchName(r.arch))},
          {"profile", ProfileToJson(r.profile)},
          {"pg_url", r.links.pg_url},
          {"amqp_url", r.links.amqp_url},
          {"passfile", r.passfile.string()},
          {"links", LinksToJson(r.links.links)}};
}

json::object ToJson(const DetachedNodeLinks& r) {
  return {{"pid", r.pid}, {"profile", ProfileToJson(r.profile)}, {"links", LinksToJson(r.links)}};
}

DetachedRelays FromJson(const json::value& value) {
  const json::object& o = value.as_object();
  DetachedRelays r;
  r.pid = static_cast<pid_t>(o.at("pid").to_number<long long>());
  std::optional<Arch> arch = ParseArch(std::string(o.at("arch").as_string()));
  if (!arch) throw std::invalid_argument("unknown arch");
  r.arch = *arch;
  r.profile = ProfileFromJson(o.at("profile"));
  r.links.pg_url = std::string(o.at("pg_url").as_string());
  r.links.amqp_url = std::string(o.at("amqp_url").as_string());
  r.passfile = std::string(o.at("passfile").as_string());
  r.links.links = LinksFromJson(o.at("links"));
  return r;
}

DetachedNodeLinks NodeLinksFromJson(const json::value& value) {
  const json::object& o = value.as_object();
  return DetachedNodeLinks{static_cast<pid_t>(o.at("pid").to_number<long long>()),
                           ProfileFromJson(o.at("profile")), LinksFromJson(o.at("links"))};
}

// Written whole under another name, then renamed: `up` never reads half a file.
void Save(const fs::path& file, const json::object& content) {
  fs::path partial = file.string() + ".partial";
  infra::WritePrivateFile(partial, json::serialize(content) + "\n");
  fs::rename(partial, file);
}

// The state file's JSON, nullopt when there is none; throws std::runtime_error naming the
// file when it is not JSON of the expected shape.
template <typename Parse>
auto LoadStateFile(const fs::path& file, Parse parse)
    -> std::optional<decltype(parse(json::value{}))> {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  try {
    return parse(json::parse(text.str()));
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + " is not a relay state file (" + e.what() +
                             "): remove it, or run `flowbench down`");
  }
}

// The process `pid` is a `flowbench relay` of this state directory (its command line in /proc
// has `relay`, `--state-dir DIR`, and `marker` when not empty).
bool IsRelayOf(pid_t pid, const fs::path& state_dir, const std::string& marker);

// Waits until the relay process `pid` has written its state file (`load` reads it back), 10 s
// at most; then it is stopped, and the error quotes its log.
template <typename Load>
auto WaitUntilWritten(pid_t pid, Load load, const fs::path& state_file, const fs::path& log,
                      const std::string& what) -> std::remove_reference_t<decltype(*load())> {
  auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  for (;;) {
    auto written = load();
    if (written && written->pid == pid) return *written;
    if (!infra::IsAlive(pid) || std::chrono::steady_clock::now() > deadline) {
      infra::Terminate(pid, kStopGrace);
      std::error_code ignored;  // not written: nothing to remove
      fs::remove(state_file, ignored);
      throw std::runtime_error(what + " did not start. Their log, " + log.string() + ":\n" +
                               infra::Tail(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<std::string> ProfileArgs(const NetworkProfile& p) {
  return {"--profile",        p.name,   "--delay-ms", Exact(p.one_way_delay_ms), "--jitter-ms",
          Exact(p.jitter_ms), "--loss", Exact(p.loss)};
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
  return LoadStateFile(RelayStateFile(state_dir, arch), FromJson);
}

namespace {

bool IsRelayOf(pid_t pid, const fs::path& state_dir, const std::string& marker) {
  if (pid <= 0 || !infra::IsAlive(pid)) return false;
  std::vector<std::string> args = CommandLineOf(pid);
  bool relay = false, this_dir = false, marked = marker.empty();
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "relay") relay = true;
    if (args[i] == marker) marked = true;
    if (args[i] == "--state-dir" && i + 1 < args.size()) {
      this_dir = args[i + 1] == CanonicalDir(state_dir);
    }
  }
  return relay && this_dir && marked;
}

}  // namespace

bool IsRunning(const DetachedRelays& relays, const fs::path& state_dir) {
  return IsRelayOf(relays.pid, state_dir, "--arch");
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
    Save(state_file, ToJson(DetachedRelays{::getpid(), request.arch, request.profile,
                                           parts.Endpoints(), parts.Passfile()}));
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
  return WaitUntilWritten(
      pid, [&request] { return LoadDetachedRelays(request.state_dir, request.arch); },
      RelayStateFile(request.state_dir, request.arch), log,
      "the " + std::string(ArchName(request.arch)) + " build's relays");
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

fs::path NodeLinksStateFile(const fs::path& state_dir) {
  return state_dir / "relays-rabbitmq-nodes.json";
}

std::optional<DetachedNodeLinks> LoadDetachedNodeLinks(const fs::path& state_dir) {
  return LoadStateFile(NodeLinksStateFile(state_dir), NodeLinksFromJson);
}

bool IsRunning(const DetachedNodeLinks& links, const fs::path& state_dir) {
  return IsRelayOf(links.pid, state_dir, "--node-links");
}

int ServeDetachedNodeLinks(const DetachedNodeLinksRequest& request) {
  sigset_t stop_signals;  // as ServeDetachedRelays
  sigemptyset(&stop_signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stop_signals, s);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  fs::path state_file = NodeLinksStateFile(request.state_dir);
  int signal = 0;
  {
    RelayHost relays(ShapeOf(request.profile), request.seed);
    for (const RelayLink& l : request.links) {
      relays.Add(l.name, l.target_host, l.target_port, l.listen_host, l.listen_port);
    }
    Save(state_file, ToJson(DetachedNodeLinks{::getpid(), request.profile, relays.Links()}));
    for (const RelayLink& l : relays.Links()) {
      std::printf("relaying %s:%d -> %s:%d (%s)\n", l.listen_host.c_str(), l.listen_port,
                  l.target_host.c_str(), l.target_port, l.name.c_str());
    }
    std::fflush(stdout);
    sigwait(&stop_signals, &signal);
  }
  std::optional<DetachedNodeLinks> written = LoadDetachedNodeLinks(request.state_dir);
  if (written && written->pid == ::getpid()) RemoveLeftovers(state_file, nullptr);
  std::printf("signal %d: node links closed\n", signal);
  return 0;
}

DetachedNodeLinks StartDetachedNodeLinks(const fs::path& flowbench_binary,
                                         const DetachedNodeLinksRequest& request,
                                         const fs::path& log) {
  StopDetachedNodeLinks(request.state_dir);
  fs::create_directories(request.state_dir);
  std::vector<std::string> argv{flowbench_binary.string(), "relay", "--node-links", "--state-dir",
                                CanonicalDir(request.state_dir)};
  for (std::string& arg : ProfileArgs(request.profile)) argv.push_back(std::move(arg));
  argv.insert(argv.end(), {"--seed", std::to_string(request.seed)});
  for (const RelayLink& l : request.links) {
    argv.insert(argv.end(),
                {"--link", l.name + "," + l.listen_host + "," + std::to_string(l.listen_port) +
                               "," + l.target_host + "," + std::to_string(l.target_port)});
  }
  pid_t pid = infra::SpawnDaemon(argv, {}, log);
  return WaitUntilWritten(
      pid, [&request] { return LoadDetachedNodeLinks(request.state_dir); },
      NodeLinksStateFile(request.state_dir), log, "the RabbitMQ node links' relays");
}

RelayStop StopDetachedNodeLinks(const fs::path& state_dir) {
  fs::path file = NodeLinksStateFile(state_dir);
  std::optional<DetachedNodeLinks> links;
  try {
    links = LoadDetachedNodeLinks(state_dir);
  } catch (const std::runtime_error&) {
    RemoveLeftovers(file, nullptr);  // cut short by a crash: it names no process to stop
    return RelayStop::kStaleRemoved;
  }
  if (!links) return RelayStop::kNone;
  RelayStop outcome = RelayStop::kStaleRemoved;
  if (IsRunning(*links, state_dir)) {
    if (!infra::Terminate(links->pid, kStopGrace)) {
      throw std::runtime_error("the node links' relay process " + std::to_string(links->pid) +
                               " did not stop");
    }
    outcome = RelayStop::kStopped;
  }
  RemoveLeftovers(file, nullptr);
  return outcome;
}

}  // namespace flowbench::network
