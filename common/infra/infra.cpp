#include "common/infra/infra.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <future>
#include <pqxx/pqxx>
#include <sstream>

#include "common/amqp/connection.hpp"
#include "common/domain/events.hpp"
#include "common/domain/json_fields.hpp"
#include "common/domain/secrets.hpp"
#include "common/infra/process.hpp"

namespace flowbench::infra {
namespace fs = std::filesystem;
namespace {

// Holds an exclusive lock on <state dir>/.lock: two `infra up` in one directory never race.
class StateLock {
 public:
  explicit StateLock(const fs::path& dir) {
    fs::create_directories(dir);
    fd_ = ::open((dir / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw std::runtime_error("cannot lock " + (dir / ".lock").string());
    }
  }
  ~StateLock() { ::close(fd_); }

 private:
  int fd_ = -1;
};

void WriteState(const fs::path& dir, const InfraState& state) {
  // The servers' passwords are in it: the owner's alone (0600).
  fs::path tmp = StateFile(dir).string() + ".tmp";
  WritePrivateFile(tmp, boost::json::serialize(ToJson(state)) + "\n");
  fs::rename(tmp, StateFile(dir));  // atomic: readers never see half a file
}

std::string PostgresProblem(const std::string& url) {
  try {
    pqxx::connection c(url);
    pqxx::nontransaction(c).exec1("SELECT 1");
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string RabbitProblem(const std::string& url) {
  try {
    AmqpConnection probe(url, std::chrono::seconds(3), "flowbench-infra-status");
    return "";
  } catch (const AmqpError& e) {
    return e.what();
  }
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void StopManaged(const InfraState& state) {
  // A cluster's nodes stop in parallel (each takes seconds); node 1 stops its epmd last.
  std::vector<std::future<void>> peers;
  for (const RabbitInstance& peer : state.rabbitmq_peers) {
    peers.push_back(std::async(std::launch::async, [&peer] { StopRabbit(peer); }));
  }
  if (state.rabbitmq) StopRabbit(*state.rabbitmq);
  for (std::future<void>& stopped : peers) stopped.get();
  if (state.postgres) StopPostgres(*state.postgres);
}

// The RabbitMQ node a status entry names: "rabbitmq" is node 1, "rabbitmq-N" node N.
RabbitInstance& NodeNamed(InfraState& state, const std::string& name) {
  if (name == "rabbitmq") return *state.rabbitmq;
  std::size_t n = std::stoul(name.substr(std::string("rabbitmq-").size()));
  return state.rabbitmq_peers.at(n - 2);
}

std::string NodeStatusName(std::size_t index) {
  return index == 0 ? "rabbitmq" : "rabbitmq-" + std::to_string(index + 1);
}

// The state file, which must name a server of ours of that kind (an external one is not ours
// to stop or start).
InfraState ManagedState(const fs::path& state_dir, Component component) {
  std::optional<InfraState> state = LoadInfraState(state_dir);
  if (!state) {
    throw std::runtime_error("nothing started in " + state_dir.string() +
                             " (run `flowbench infra up`)");
  }
  bool ours =
      component == Component::kPostgres ? state->postgres.has_value() : state->rabbitmq.has_value();
  if (!ours) {
    throw std::runtime_error(
        std::string(component == Component::kPostgres ? "PostgreSQL" : "RabbitMQ") + " in " +
        state_dir.string() +
        " is external (--pg-url / --amqp-url): flowbench does not stop or "
        "start it");
  }
  return *state;
}

// Stops the server when it still runs, and starts it again on its port and data.
void Restart(InfraState& state, Component component) {
  if (component == Component::kPostgres) {
    StopPostgresServer(*state.postgres);
    state.postgres = StartPostgresAgain(*state.postgres);
  } else {
    StopRabbitNode(*state.rabbitmq);
    state.rabbitmq = StartRabbitAgain(*state.rabbitmq);
  }
}

}  // namespace

void BindInfraOptions(CLI::App& app, InfraOptions& o) {
  const char* group = "Infrastructure";
  app.add_option("--state-dir", o.state_dir,
                 "where the embedded servers keep their data and infra.json")
      ->envname("FLOWBENCH_STATE_DIR")
      ->capture_default_str()
      ->group(group);
  app.add_option("--pg-url", o.pg_url,
                 "an external PostgreSQL (libpq URL) instead of the embedded one")
      ->envname("FLOWBENCH_PG_URL")
      ->group(group);
  app.add_option("--amqp-url", o.amqp_url,
                 "an external RabbitMQ (amqp://user:pass@host:port/vhost) instead of the "
                 "embedded one")
      ->envname("FLOWBENCH_AMQP_URL")
      ->group(group);
  app.add_option("--rabbitmq-management-url", o.management_url,
                 "the external RabbitMQ's management API (http://host:15672)")
      ->envname("FLOWBENCH_RABBITMQ_MANAGEMENT_URL")
      ->group(group);
  app.add_option("--rabbitmq-nodes", o.rabbitmq_nodes,
                 "the embedded RabbitMQ as a cluster of this many nodes, the async build's "
                 "queues then quorum queues (default: what runs in --state-dir, else 1)")
      ->envname("FLOWBENCH_RABBITMQ_NODES")
      ->check(CLI::Range(1, 7))
      ->group(group);
}

int RabbitNodeCount(const InfraState& state) {
  if (state.rabbitmq) return 1 + static_cast<int>(state.rabbitmq_peers.size());
  return static_cast<int>(std::max<std::size_t>(1, SplitAmqpUrls(state.amqp_url).size()));
}

fs::path StateFile(const fs::path& state_dir) { return state_dir / "infra.json"; }

boost::json::object ToJson(const InfraState& s) {
  boost::json::object json{{"version", 1},
                           {"pg_url", s.pg_url},
                           {"amqp_url", s.amqp_url},
                           {"management_url", s.management_url},
                           {"started_at", s.started_at}};
  if (s.postgres) json["postgres"] = ToJson(*s.postgres);
  if (s.rabbitmq) json["rabbitmq"] = ToJson(*s.rabbitmq);
  if (!s.rabbitmq_peers.empty()) {
    boost::json::array peers;
    for (const RabbitInstance& peer : s.rabbitmq_peers) peers.emplace_back(ToJson(peer));
    json["rabbitmq_peers"] = std::move(peers);
  }
  return json;
}

InfraState InfraStateFromJson(const boost::json::object& json) {
  JsonFields f(json);
  if (f.Integer("version") != 1) throw std::runtime_error("unknown infra.json version");
  InfraState s;
  s.pg_url = f.String("pg_url");
  s.amqp_url = f.String("amqp_url");
  s.management_url = f.String("management_url");
  s.started_at = f.String("started_at");
  if (json.contains("postgres")) s.postgres = PostgresFromJson(f.Object("postgres"));
  if (json.contains("rabbitmq")) s.rabbitmq = RabbitFromJson(f.Object("rabbitmq"));
  if (const boost::json::value* peers = json.if_contains("rabbitmq_peers")) {
    for (const boost::json::value& peer : peers->as_array()) {
      s.rabbitmq_peers.push_back(RabbitFromJson(peer.as_object()));
    }
  }
  return s;
}

std::optional<InfraState> LoadInfraState(const fs::path& state_dir) {
  std::ifstream in(StateFile(state_dir));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  try {
    return InfraStateFromJson(ParseJsonObject(text.str()));
  } catch (const std::exception& e) {
    throw std::runtime_error(StateFile(state_dir).string() + " is unreadable (" + e.what() +
                             "); remove it after stopping what it started");
  }
}

std::vector<ComponentStatus> InfraStatus(const fs::path& state_dir) {
  std::optional<InfraState> state = LoadInfraState(state_dir);
  if (!state) return {};
  std::vector<ComponentStatus> result;

  ComponentStatus pg{"postgresql", state->postgres.has_value(), false, state->pg_url, "", ""};
  if (state->postgres) pg.password = state->postgres->password;
  if (state->postgres && !IsAlive(state->postgres->pid)) {
    pg.detail = "crashed: process " + std::to_string(state->postgres->pid) + " is gone";
  } else if (std::string problem = PostgresProblem(state->pg_url); !problem.empty()) {
    pg.detail = "not answering: " + Trimmed(problem);
  } else {
    pg.healthy = true;
    pg.detail = state->postgres ? "pid " + std::to_string(state->postgres->pid) + ", port " +
                                      std::to_string(state->postgres->port)
                                : "external";
  }
  result.push_back(pg);

  if (!state->rabbitmq) {
    ComponentStatus mq{"rabbitmq", false, false, state->amqp_url, "", ""};
    if (std::string problem = RabbitProblem(state->amqp_url); !problem.empty()) {
      mq.detail = "not answering: " + problem;
    } else {
      mq.healthy = true;
      mq.detail = "external";
    }
    result.push_back(mq);
    return result;
  }
  std::vector<const RabbitInstance*> nodes{&*state->rabbitmq};
  for (const RabbitInstance& peer : state->rabbitmq_peers) nodes.push_back(&peer);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const RabbitInstance& node = *nodes[i];
    ComponentStatus mq{NodeStatusName(i), true, false, node.url, node.password, ""};
    if (!IsAlive(node.pid)) {
      mq.detail = "crashed: process " + std::to_string(node.pid) + " is gone";
    } else if (std::string problem = RabbitProblem(node.url); !problem.empty()) {
      mq.detail = "not answering: " + problem;
    } else {
      mq.healthy = true;
      mq.detail = "pid " + std::to_string(node.pid) + ", node " + node.node + ", management " +
                  node.management_url + " (user " + node.user + ", the AMQP URL's password)";
      if (nodes.size() > 1) {
        mq.detail += ", node " + std::to_string(i + 1) + " of a " + std::to_string(nodes.size()) +
                     "-node cluster";
      }
    }
    result.push_back(mq);
  }
  return result;
}

UpResult InfraUp(const InfraOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  StateLock lock(options.state_dir);

  if (std::optional<InfraState> previous = LoadInfraState(options.state_dir)) {
    std::vector<ComponentStatus> status = InfraStatus(options.state_dir);
    bool healthy = std::all_of(status.begin(), status.end(),
                               [](const ComponentStatus& c) { return c.healthy; });
    bool same_targets = (options.pg_url.empty() || options.pg_url == previous->pg_url) &&
                        (options.amqp_url.empty() || options.amqp_url == previous->amqp_url) &&
                        (!options.amqp_url.empty() || options.rabbitmq_nodes == 0 ||
                         options.rabbitmq_nodes == RabbitNodeCount(*previous));
    if (healthy && same_targets) return UpResult{*previous, true, 0};
    if (same_targets) {
      // A crash of one server: only that one starts again, on its port and data, so the
      // services running against these URLs find it back (and its data) where it was.
      InfraState state = *previous;
      for (const ComponentStatus& c : status) {
        if (c.healthy) continue;
        if (!c.managed) {
          throw std::runtime_error("the external " + c.name + " at " + RedactSecrets(c.url) +
                                   " does not answer: " + c.detail);
        }
        try {
          if (c.name == "postgresql") {
            Restart(state, Component::kPostgres);
          } else {
            RabbitInstance& node = NodeNamed(state, c.name);
            StopRabbitNode(node);
            node = StartRabbitAgain(node);
          }
        } catch (const std::exception& e) {
          WriteState(options.state_dir, state);  // what did come back is recorded
          throw std::runtime_error(c.name + " did not start again on its data: " + e.what() +
                                   "\n`flowbench infra down` then `flowbench infra up` starts "
                                   "afresh (empty)");
        }
      }
      WriteState(options.state_dir, state);
      return UpResult{
          state, false,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
    }
    // Other targets asked for: clear what runs first.
    StopManaged(*previous);
    fs::remove(StateFile(options.state_dir));
  }

  InfraState state;
  state.started_at = FormatTimestamp(std::chrono::system_clock::now());
  // The two servers start in parallel: together they take as long as RabbitMQ alone.
  std::future<PostgresInstance> pg;
  std::future<std::vector<RabbitInstance>> mq;
  if (options.pg_url.empty()) {
    pg = std::async(std::launch::async, StartPostgres, options.state_dir / "postgres");
  }
  if (options.amqp_url.empty()) {
    mq = std::async(std::launch::async, StartRabbitCluster, options.state_dir / "rabbitmq",
                    std::max(1, options.rabbitmq_nodes), options.rabbitmq_node_links);
  }
  std::string failure;
  try {
    if (pg.valid()) state.postgres = pg.get();
  } catch (const std::exception& e) {
    failure += std::string("PostgreSQL did not start: ") + e.what() + "\n";
  }
  try {
    if (mq.valid()) {
      std::vector<RabbitInstance> nodes = mq.get();
      state.rabbitmq = nodes.front();
      state.rabbitmq_peers.assign(nodes.begin() + 1, nodes.end());
    }
  } catch (const std::exception& e) {
    failure += std::string("RabbitMQ did not start: ") + e.what() + "\n";
  }
  if (!failure.empty()) {
    StopManaged(state);  // never leave half an installation running
    throw std::runtime_error(failure);
  }

  state.pg_url = state.postgres ? state.postgres->url : options.pg_url;
  state.amqp_url = options.amqp_url;
  if (state.rabbitmq) {
    state.amqp_url = state.rabbitmq->url;
    for (const RabbitInstance& peer : state.rabbitmq_peers) state.amqp_url += "," + peer.url;
  }
  state.management_url = state.rabbitmq ? state.rabbitmq->management_url : options.management_url;
  if (!state.postgres) {
    if (std::string problem = PostgresProblem(state.pg_url); !problem.empty()) {
      StopManaged(state);
      throw std::runtime_error("the PostgreSQL at --pg-url does not answer: " + problem);
    }
  }
  if (!state.rabbitmq) {
    if (std::string problem = RabbitProblem(state.amqp_url); !problem.empty()) {
      StopManaged(state);
      throw std::runtime_error("the RabbitMQ at --amqp-url does not answer: " + problem);
    }
  }
  WriteState(options.state_dir, state);
  return UpResult{state, false,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

std::optional<Component> ParseComponent(const std::string& name) {
  if (name == "postgres" || name == "postgresql") return Component::kPostgres;
  if (name == "rabbitmq") return Component::kRabbitmq;
  return std::nullopt;
}

std::string_view ComponentName(Component component) {
  return component == Component::kPostgres ? "postgres" : "rabbitmq";
}

InfraState RestartComponent(const fs::path& state_dir, Component component) {
  StateLock lock(state_dir);
  InfraState state = ManagedState(state_dir, component);
  Restart(state, component);
  WriteState(state_dir, state);
  return state;
}

void StopComponent(const fs::path& state_dir, Component component) {
  StateLock lock(state_dir);
  InfraState state = ManagedState(state_dir, component);
  if (component == Component::kPostgres) {
    StopPostgresServer(*state.postgres);
  } else {
    StopRabbitNode(*state.rabbitmq);
  }
}

void KillComponent(const fs::path& state_dir, Component component) {
  StateLock lock(state_dir);
  InfraState state = ManagedState(state_dir, component);
  if (component == Component::kPostgres) {
    // The postmaster alone, as a crash of it: its backends notice and exit by themselves.
    if (IsAlive(state.postgres->pid)) ::kill(state.postgres->pid, SIGKILL);
    WaitForExit(state.postgres->pid, std::chrono::seconds(10));
  } else {
    KillRabbitNode(*state.rabbitmq);
  }
}

namespace {

RabbitInstance& NodeNumber(InfraState& state, const fs::path& state_dir, int node) {
  int nodes = RabbitNodeCount(state);
  if (node < 1 || node > nodes) {
    throw std::invalid_argument("the RabbitMQ in " + state_dir.string() + " has " +
                                std::to_string(nodes) + " node" + (nodes == 1 ? "" : "s") +
                                ", no node " + std::to_string(node) +
                                " (flowbench infra up --rabbitmq-nodes 3 starts a cluster)");
  }
  return node == 1 ? *state.rabbitmq : state.rabbitmq_peers.at(static_cast<std::size_t>(node - 2));
}

}  // namespace

void KillRabbitNodeNumber(const fs::path& state_dir, int node) {
  StateLock lock(state_dir);
  InfraState state = ManagedState(state_dir, Component::kRabbitmq);
  KillRabbitNode(NodeNumber(state, state_dir, node));
}

InfraState RestartRabbitNodeNumber(const fs::path& state_dir, int node) {
  StateLock lock(state_dir);
  InfraState state = ManagedState(state_dir, Component::kRabbitmq);
  RabbitInstance& instance = NodeNumber(state, state_dir, node);
  StopRabbitNode(instance);
  instance = StartRabbitAgain(instance);
  WriteState(state_dir, state);
  return state;
}

void InfraDown(const fs::path& state_dir) {
  if (!fs::exists(state_dir)) return;
  StateLock lock(state_dir);
  std::optional<InfraState> state = LoadInfraState(state_dir);
  if (!state) return;
  StopManaged(*state);
  fs::remove(StateFile(state_dir));
}

std::string ResolvePgUrl(const InfraOptions& options) {
  if (!options.pg_url.empty()) return options.pg_url;
  if (std::optional<InfraState> state = LoadInfraState(options.state_dir)) return state->pg_url;
  throw std::runtime_error("no PostgreSQL to use: run `flowbench infra up` (state directory " +
                           options.state_dir.string() + ") or give --pg-url");
}

std::string ResolveAmqpUrl(const InfraOptions& options) {
  if (!options.amqp_url.empty()) return options.amqp_url;
  if (std::optional<InfraState> state = LoadInfraState(options.state_dir)) return state->amqp_url;
  throw std::runtime_error("no RabbitMQ to use: run `flowbench infra up` (state directory " +
                           options.state_dir.string() + ") or give --amqp-url");
}

}  // namespace flowbench::infra
