#include "bench/run/run_matrix.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>

#include "bench/run/broker_probe.hpp"
#include "bench/run/environment.hpp"
#include "bench/run/fault_injector.hpp"
#include "bench/run/measure.hpp"
#include "bench/run/own_build.hpp"
#include "bench/run/rabbitmq_management.hpp"
#include "bench/run/run_order.hpp"
#include "bench/run/samplers.hpp"
#include "bench/run/settings_scrape.hpp"
#include "common/amqp/connection.hpp"
#include "common/db/database.hpp"
#include "common/db/schema.hpp"
#include "common/domain/events.hpp"
#include "common/domain/profiles.hpp"
#include "common/domain/topology.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/ports.hpp"
#include "common/service/launcher.hpp"

namespace flowbench::run {
namespace {

// What the options name, checked before anything starts.
struct Matrix {
  std::vector<const Profile*> profiles;
  std::vector<Arch> archs;
};

Matrix Validate(const RunOptions& o) {
  Matrix m;
  if (o.threads > o.max_vus) {
    throw std::invalid_argument("--threads " + std::to_string(o.threads) + " exceeds --max-vus " +
                                std::to_string(o.max_vus) +
                                ": each load thread opens connections of its own for scenario 6");
  }
  for (const std::string& name : o.profiles) {
    const Profile* p = FindProfile(name);
    if (p == nullptr)
      throw std::invalid_argument("unknown profile '" + name + "' (see `flowbench profiles`)");
    m.profiles.push_back(p);
  }
  for (const std::string& id : o.scenarios) {
    if (FindScenario(id) == nullptr) {
      throw std::invalid_argument("unknown scenario '" + id + "' (scenario1 ... scenario6)");
    }
  }
  if (!o.faults.empty() && !o.targets.empty()) {
    throw std::invalid_argument(
        "--fault needs the servers flowbench starts itself: a --target deployment's are not "
        "ours to kill or restart");
  }
  for (const FaultSpec& f : o.faults) {
    bool db = f.kind == FaultKind::kDbKill || f.kind == FaultKind::kDbStop;
    bool broker = f.kind == FaultKind::kBrokerKill || f.kind == FaultKind::kBrokerStop ||
                  f.kind == FaultKind::kBrokerNodeKill;
    if ((db && !o.infra.pg_url.empty()) || (broker && !o.infra.amqp_url.empty())) {
      throw std::invalid_argument("--fault " + std::string(FaultKindName(f.kind)) +
                                  " needs the embedded server: an external one (--pg-url, "
                                  "--amqp-url) is not ours to kill or restart");
    }
    if (f.kind == FaultKind::kPartition && !o.network.Relayed()) {
      throw std::invalid_argument("--fault partition:" + f.target +
                                  " needs --network (lan, zone, ...): a partition cuts a part's "
                                  "emulated link, and loopback has none");
    }
    if (f.kind == FaultKind::kBrokerNodeKill && o.infra.rabbitmq_nodes != 0 &&
        f.broker_node > o.infra.rabbitmq_nodes) {
      throw std::invalid_argument(
          "--fault " + f.target + ": the broker has " + std::to_string(o.infra.rabbitmq_nodes) +
          " node(s) (--rabbitmq-nodes), no node " + std::to_string(f.broker_node));
    }
    if (o.duration && f.start >= *o.duration) {
      throw std::invalid_argument("--fault " + std::string(FaultKindName(f.kind)) + " starts at " +
                                  std::to_string(f.start.count()) + " ms, after the " +
                                  std::to_string(o.duration->count()) + " ms measured window");
    }
  }
  for (const std::string& name : o.archs) {
    std::optional<Arch> arch = ParseArch(name);
    if (!arch) throw std::invalid_argument("unknown architecture '" + name + "' (sync, async)");
    m.archs.push_back(*arch);
  }
  return m;
}

// Everything a results file records besides the runs: when, from which commit, where, with
// which versions and settings.
report::RunResults Described(const RunOptions& o) {
  report::RunResults results;
  results.created_at = FormatTimestamp(std::chrono::system_clock::now());
  results.git_commit = GitCommit();
  results.machine = MachineInfo();
  results.versions = Versions();
  results.profiles = o.profiles;
  results.settings = {
      {"workload", ToJson(o.workload)},
      {"driver",
       {{"duration_override_s", o.duration ? boost::json::value(o.duration->count() / 1000.0)
                                           : boost::json::value(nullptr)},
        {"repeats", o.repeats},
        {"drain_timeout_s", o.drain_timeout.count()},
        {"request_timeout_s", o.request_timeout.count()},
        {"scenario6_max_vus", o.max_vus},
        {"load_threads", o.threads},
        {"wake_ahead_us", o.wake_ahead.count()},
        {"think_time_s", {{"scenario1-3,5", 1}, {"scenario4", 2}}}}},
      {"service_args", o.service_args.ToJson()}};
  return results;
}

report::Design DesignOf(const RunOptions& o, const std::vector<Slot>& order) {
  report::Design d;
  d.model = o.model == LoadModel::kOpen ? "open" : "closed";
  d.arrivals = o.arrivals == load::ArrivalProcess::kPoisson ? "poisson" : "uniform";
  d.seed = o.seed;
  d.warmup_s = static_cast<double>(o.warmup.count());
  d.repeats = o.repeats;
  for (const Slot& slot : order) d.order.push_back(SlotName(slot));
  return d;
}

void Record(Measurement measurement, report::RunResults& results,
            std::vector<RunHistograms>& histograms) {
  measurement.run.order = static_cast<int>(results.runs.size()) + 1;
  results.runs.push_back(std::move(measurement.run));
  histograms.push_back(std::move(measurement.histograms));
}

// The builds of this checkout, started here for every run on private ports (a build started
// by `flowbench up` keeps running undisturbed), on a fresh state each time.
void RunOwnBuilds(const RunOptions& o, const std::vector<Slot>& order, report::RunResults& results,
                  std::vector<RunHistograms>& histograms, const std::atomic<bool>& stop,
                  const ProgressPrinter& print) {
  EmbeddedInfra infra(o);
  results.broker.emplace();
  results.broker->nodes = infra::RabbitNodeCount(infra.State());
  if (std::any_of(order.begin(), order.end(),
                  [](const Slot& slot) { return slot.arch == Arch::kAsync; })) {
    // Before any load, on the idle broker, to a queue of the type the services will declare.
    std::string type = QueueTypeInForce(o.service_args.queue_type, results.broker->nodes);
    results.broker->queue_type = type;  // what the services report in force replaces it
    ProbeBrokerConfirms(*results.broker, infra.State().amqp_url, o.network, o.seed);
  }
  for (const Slot& slot : order) {
    if (stop) break;
    std::optional<Measurement> measured = MeasureOwnBuild(
        slot.arch, infra, *slot.profile, slot.repeat, slot.seed, o, stop, print, results.settings);
    if (!measured) break;  // Ctrl-C while the services started: nothing to measure
    Record(std::move(*measured), results, histograms);
  }
}

// Queue depths through the management API; a second it does not answer has no sample.
QueueDepthReader ManagementQueueDepths(const RabbitManagement& api) {
  return [&api] {
    try {
      return api.QueueDepths(ContractQueues());
    } catch (const std::runtime_error& e) {
      throw QueueDepthUnavailable(e.what());
    }
  };
}

// A deployment flowbench did not start: checked before any load, then driven as it is (no
// reset, nothing started or stopped; repeats and profiles run one after another on it).
void RunAgainstTargets(const RunOptions& o, const std::vector<Slot>& order,
                       report::RunResults& results, std::vector<RunHistograms>& histograms,
                       const std::atomic<bool>& stop, const ProgressPrinter& print) {
  std::vector<MeasuredBuild> systems;
  for (const TargetBuild& target : o.targets) systems.push_back(TargetSystem(target));
  std::unique_ptr<RabbitManagement> management;
  if (!o.infra.management_url.empty()) {
    management = std::make_unique<RabbitManagement>(o.infra.management_url);
  }
  std::string rabbitmq_version = RequireTargetReady(systems, management.get());

  results.versions["postgresql"] = "not known (the --target deployment's own)";
  results.versions["rabbitmq"] = rabbitmq_version;
  // The deployment's delays and flags are its own, out of the driver's sight.
  results.settings["workload"] = nullptr;
  results.settings.erase("service_args");
  boost::json::object target;
  for (const TargetBuild& t : o.targets) {
    target[ArchName(t.arch)] = TargetSystem(t).services.front().Url();
  }
  results.settings["driver"].as_object()["target"] = target;
  results.settings["driver"].as_object()["rabbitmq_management_url"] =
      management ? boost::json::value(management->DisplayUrl()) : boost::json::value(nullptr);

  std::map<Arch, QueueObservation> queues;
  for (const MeasuredBuild& system : systems) {
    RecordSettingsInForce(system, results.settings);
    QueueObservation observed{nullptr, "none"};
    if (system.arch == Arch::kAsync) {
      observed = management ? QueueObservation{ManagementQueueDepths(*management), "management-api"}
                            : QueueObservation{nullptr, "not-sampled"};
    }
    queues[system.arch] = observed;
  }
  for (const Slot& slot : order) {
    if (stop) break;
    auto system = std::find_if(systems.begin(), systems.end(),
                               [&](const MeasuredBuild& s) { return s.arch == slot.arch; });
    if (system == systems.end()) continue;
    Record(MeasureOnce(*system, queues[slot.arch], *slot.profile, slot.repeat, slot.seed, o, stop,
                       print),
           results, histograms);
  }
}

}  // namespace

report::RunResults RunMatrix(const RunOptions& o, const std::atomic<bool>& stop,
                             const ProgressPrinter& print) {
  Matrix m = Validate(o);
  if (o.network.Relayed() && !o.targets.empty()) {
    throw std::invalid_argument(
        "--network emulates the links between the parts flowbench starts; a --target "
        "deployment has a network of its own");
  }
  report::RunResults results = Described(o);
  std::vector<Slot> order = InterleavedOrder(o, m.profiles, m.archs);
  results.design = DesignOf(o, order);
  std::vector<RunHistograms> histograms;
  if (o.targets.empty()) {
    RunOwnBuilds(o, order, results, histograms, stop, print);
  } else {
    // A target serves only the builds it names.
    std::erase_if(order, [&](const Slot& slot) {
      return std::none_of(o.targets.begin(), o.targets.end(),
                          [&](const TargetBuild& t) { return t.arch == slot.arch; });
    });
    results.design = DesignOf(o, order);
    RunAgainstTargets(o, order, results, histograms, stop, print);
  }
  results.statistics = CompareBuilds(results, histograms);
  results.network = NetworkOf(o, LinksOf(results.runs));
  if (const boost::json::value* in_force = results.settings.if_contains("in_force");
      results.broker && in_force != nullptr && in_force->is_object()) {
    // What the async services reported in force (GET /settings) over what was asked for.
    if (std::optional<std::string> type = ReportedQueueType(in_force->as_object())) {
      results.broker->queue_type = *type;
    }
  }
  if (const boost::json::value* in_force = results.settings.if_contains("in_force")) {
    results.settings["same_workload"] = SameWorkload(in_force->as_object());
  }
  results.interrupted = stop;
  return results;
}

}  // namespace flowbench::run
