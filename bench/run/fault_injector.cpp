#include "bench/run/fault_injector.hpp"

#include <signal.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "common/http/json_client.hpp"
#include "common/infra/infra.hpp"
#include "common/infra/process.hpp"

namespace flowbench::run {
namespace {

using std::chrono::steady_clock;

enum State { kNotBegun = 0, kOn = 1, kEnded = 2 };

infra::Component ComponentOf(FaultKind kind) {
  return kind == FaultKind::kDbKill || kind == FaultKind::kDbStop ? infra::Component::kPostgres
                                                                  : infra::Component::kRabbitmq;
}

// PUT /fault/slow on the service (it runs with --fault-injection when the plan has a slow
// fault): each of its simulated steps takes `extra` longer from now on (0 ends it).
void SetSlowdown(const RunningService& service, std::chrono::milliseconds extra) {
  http::JsonClient client("127.0.0.1", service.port);
  http::JsonResponse r =
      client.Put("/fault/slow", "{\"extra_ms\":" + std::to_string(extra.count()) + "}");
  if (!r.Ok()) throw http::HttpError(r, "the service did not take the slowdown");
}

}  // namespace

bool NeedsFaultInjection(const std::vector<FaultSpec>& faults) {
  return std::any_of(faults.begin(), faults.end(),
                     [](const FaultSpec& f) { return f.kind == FaultKind::kSlow; });
}

FaultInjector::FaultInjector(std::vector<FaultSpec> faults, std::filesystem::path state_dir,
                             RunningSystem& system, network::RelayedParts* links)
    : faults_(std::move(faults)),
      state_dir_(std::move(state_dir)),
      system_(system),
      links_(links),
      state_(faults_.size(), kNotBegun) {
  for (const FaultSpec& f : faults_) {
    report::Fault r;
    r.kind = std::string(FaultKindName(f.kind));
    r.target = f.target;
    r.start_s = std::chrono::duration<double>(f.start).count();
    r.duration_s = std::chrono::duration<double>(f.duration).count();
    if (f.kind == FaultKind::kSlow) r.extra_ms = static_cast<double>(f.extra.count());
    records_.push_back(std::move(r));
  }
}

FaultInjector::~FaultInjector() { Finish(); }

void FaultInjector::Start(steady_clock::time_point measured_start) {
  measured_start_ = measured_start;
  if (!faults_.empty()) thread_ = std::thread([this] { Loop(); });
}

void FaultInjector::Finish() {
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<report::Fault> FaultInjector::Records() const {
  std::lock_guard lock(mutex_);
  return records_;
}

void FaultInjector::WaitUntilEnded(const std::atomic<bool>& stop) {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (std::all_of(state_.begin(), state_.end(), [](int s) { return s == kEnded; })) break;
    }
    if (stop) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Finish();
}

RunningService& FaultInjector::Service(const std::string& name) {
  for (RunningService& s : system_.services) {
    if (s.name == name) return s;
  }
  throw std::invalid_argument("no service '" + name + "' in this build");
}

network::RelayedParts& FaultInjector::Links() {
  if (links_ == nullptr) {
    throw std::invalid_argument("a partition needs --network: without it there is no link to cut");
  }
  return *links_;
}

double FaultInjector::Since() const {
  return std::chrono::duration<double>(steady_clock::now() - measured_start_).count();
}

// Begins and ends in time order (one thread: a restart that takes seconds delays what is due
// meanwhile, and the records say when each really happened). Finishing ends what is on and
// begins nothing more.
void FaultInjector::Loop() {
  std::multimap<steady_clock::time_point, std::pair<std::size_t, bool>> events;
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    events.emplace(measured_start_ + faults_[i].start, std::pair{i, true});
    events.emplace(measured_start_ + faults_[i].start + faults_[i].duration, std::pair{i, false});
  }
  for (const auto& [when, event] : events) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, when, [this] { return finishing_; });
      if (finishing_) break;
    }
    if (event.second) {
      Begin(event.first);
    } else {
      End(event.first);
    }
  }
  for (std::size_t i = 0; i < faults_.size(); ++i) {
    bool on = false;
    {
      std::lock_guard lock(mutex_);
      on = state_[i] == kOn;
      if (state_[i] == kNotBegun) {
        records_[i].error = "not injected: the run ended before its start";
        state_[i] = kEnded;
      }
    }
    if (on) End(i);
  }
}

void FaultInjector::Begin(std::size_t i) {
  const FaultSpec& f = faults_[i];
  std::string error;
  try {
    switch (f.kind) {
      case FaultKind::kBrokerKill:
      case FaultKind::kDbKill:
        infra::KillComponent(state_dir_, ComponentOf(f.kind));
        break;
      case FaultKind::kBrokerStop:
      case FaultKind::kDbStop:
        infra::StopComponent(state_dir_, ComponentOf(f.kind));
        break;
      case FaultKind::kBrokerNodeKill:
        infra::KillRabbitNodeNumber(state_dir_, f.broker_node);
        break;
      case FaultKind::kServiceKill: {
        pid_t pid = Service(f.target).pid;
        ::kill(pid, SIGKILL);
        infra::WaitForExit(pid, std::chrono::seconds(10));
        break;
      }
      case FaultKind::kServicePause:
        ::kill(Service(f.target).pid, SIGSTOP);
        break;
      case FaultKind::kSlow:
        SetSlowdown(Service(f.target), f.extra);
        break;
      case FaultKind::kPartition:
        Links().SetCut(f.target, true);
        break;
    }
  } catch (const std::exception& e) {
    error = std::string("injecting it failed: ") + e.what();
  }
  std::lock_guard lock(mutex_);
  state_[i] = kOn;
  records_[i].error = error;
}

void FaultInjector::End(std::size_t i) {
  const FaultSpec& f = faults_[i];
  std::string error;
  try {
    switch (f.kind) {
      case FaultKind::kBrokerKill:
      case FaultKind::kBrokerStop:
      case FaultKind::kDbKill:
      case FaultKind::kDbStop:
        infra::RestartComponent(state_dir_, ComponentOf(f.kind));
        break;
      case FaultKind::kBrokerNodeKill:
        // Waits until the node takes logins again; it rejoins the cluster on its own data.
        infra::RestartRabbitNodeNumber(state_dir_, f.broker_node);
        break;
      case FaultKind::kServiceKill:
        // Waits for its /health: the service is back when this returns.
        RestartService(Service(f.target));
        break;
      case FaultKind::kServicePause:
        ::kill(Service(f.target).pid, SIGCONT);
        break;
      case FaultKind::kSlow:
        SetSlowdown(Service(f.target), std::chrono::milliseconds(0));
        break;
      case FaultKind::kPartition:
        Links().SetCut(f.target, false);
        break;
    }
  } catch (const std::exception& e) {
    error = std::string("ending it failed: ") + e.what();
  }
  std::lock_guard lock(mutex_);
  state_[i] = kEnded;
  if (error.empty()) {
    records_[i].restored_s = Since();
  } else {
    records_[i].error += (records_[i].error.empty() ? "" : "; ") + error;
  }
}

std::optional<double> RecoverySeconds(const std::vector<report::ScenarioResult>& scenarios,
                                      double fault_end_s) {
  std::map<double, std::pair<std::uint64_t, std::uint64_t>> seconds;  // t -> answered, errors
  for (const report::ScenarioResult& s : scenarios) {
    for (const report::SecondSample& second : s.timeseries) {
      seconds[second.t].first += second.answered;
      seconds[second.t].second += second.errors;
    }
  }
  for (const auto& [t, counts] : seconds) {
    if (t < fault_end_s) continue;
    if (counts.first > 0 && counts.second == 0) return t - fault_end_s;
  }
  return std::nullopt;
}

}  // namespace flowbench::run
