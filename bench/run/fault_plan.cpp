#include "bench/run/fault_plan.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include "common/domain/catalogue.hpp"

namespace flowbench::run {
namespace {

constexpr const char* kSyntax =
    "expected KIND[:TARGET]@START+DURATION, e.g. broker-kill@20s+10s, "
    "service-pause:payment@5s+3s or slow:email+500@5s+10s (kinds: broker-kill, broker-stop, "
    "broker-node-kill:N, db-kill, db-stop, service-kill:SERVICE, service-pause:SERVICE, "
    "slow:SERVICE+MS, partition:PART with --network)";

constexpr std::array<std::pair<std::string_view, FaultKind>, 9> kKinds{{
    {"broker-kill", FaultKind::kBrokerKill},
    {"broker-stop", FaultKind::kBrokerStop},
    {"db-kill", FaultKind::kDbKill},
    {"db-stop", FaultKind::kDbStop},
    {"service-kill", FaultKind::kServiceKill},
    {"service-pause", FaultKind::kServicePause},
    {"slow", FaultKind::kSlow},
    {"broker-node-kill", FaultKind::kBrokerNodeKill},
    {"partition", FaultKind::kPartition},
}};

[[noreturn]] void Fail(const std::string& text, const std::string& why) {
  throw std::invalid_argument("--fault '" + text + "': " + why);
}

// broker-node-kill:N: a cluster's node, 1 to 9 (a cluster is a few nodes).
int ParseBrokerNode(const std::string& text, const std::string& target) {
  if (target.size() == 1 && target[0] >= '1' && target[0] <= '9') return target[0] - '0';
  Fail(text,
       "broker-node-kill needs the cluster's node: broker-node-kill:N with N from 1 (the "
       "first node) to the --rabbitmq-nodes count, not '" +
           target + "'");
}

// "20s", "500ms", "1m", or a number of seconds.
std::chrono::milliseconds ParseTime(const std::string& text, const std::string& part,
                                    bool positive) {
  std::size_t end = 0;
  double value = -1;
  try {
    value = std::stod(part, &end);
  } catch (const std::exception&) {
    Fail(text, "'" + part + "' is not a time like 20s, 500ms or 1m; " + kSyntax);
  }
  std::string unit = part.substr(end);
  double ms = unit == "ms"                  ? value
              : unit == "s" || unit.empty() ? value * 1000
              : unit == "m"                 ? value * 60'000
                                            : -1;
  if (ms < 0 || (positive && ms <= 0) || unit.find_first_of("+-@:") != std::string::npos) {
    Fail(text, "'" + part + "' is not a " + (positive ? "positive " : "") +
                   "time like 20s, 500ms or 1m; " + kSyntax);
  }
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

// A kind whose target is a part: a service (or, for a partition, PostgreSQL or RabbitMQ).
bool IsService(FaultKind kind) {
  return kind == FaultKind::kServiceKill || kind == FaultKind::kServicePause ||
         kind == FaultKind::kSlow || kind == FaultKind::kPartition;
}

}  // namespace

std::string_view FaultKindName(FaultKind kind) {
  for (const auto& [name, k] : kKinds) {
    if (k == kind) return name;
  }
  return "?";
}

FaultSpec ParseFault(const std::string& text) {
  std::size_t at = text.find('@');
  if (at == std::string::npos) Fail(text, std::string("no @START; ") + kSyntax);
  std::size_t plus = text.find('+', at);
  if (plus == std::string::npos) Fail(text, std::string("no +DURATION; ") + kSyntax);
  std::string what = text.substr(0, at);
  std::string kind_name = what.substr(0, what.find(':'));
  std::string target = what.find(':') == std::string::npos ? "" : what.substr(what.find(':') + 1);
  std::string extra;  // slow:SERVICE+MS
  if (kind_name == "slow") {
    std::size_t target_plus = target.find('+');
    if (target_plus == std::string::npos) {
      Fail(text, "slow needs how much slower: slow:SERVICE+MS, e.g. slow:email+500");
    }
    extra = target.substr(target_plus + 1);
    target = target.substr(0, target_plus);
  }

  FaultSpec spec;
  bool known = false;
  for (const auto& [name, kind] : kKinds) {
    if (name == kind_name) {
      spec.kind = kind;
      known = true;
    }
  }
  if (!known) Fail(text, "unknown kind '" + kind_name + "'; " + kSyntax);
  if (IsService(spec.kind)) {
    bool is_service =
        spec.kind == FaultKind::kPartition && (target == "postgres" || target == "rabbitmq");
    for (const ServiceSpec& s : Services()) is_service = is_service || s.name == target;
    if (!is_service) {
      std::string names;
      for (const ServiceSpec& s : Services())
        names += (names.empty() ? "" : ", ") + std::string(s.name);
      Fail(text, kind_name + " needs a service: " + kind_name + ":NAME with NAME one of " + names);
    }
    spec.target = target;
  } else if (spec.kind == FaultKind::kBrokerNodeKill) {
    spec.broker_node = ParseBrokerNode(text, target);
    spec.target = "rabbitmq-" + target;
  } else {
    if (!target.empty()) Fail(text, kind_name + " takes no target (':" + target + "')");
    spec.target = spec.kind == FaultKind::kBrokerKill || spec.kind == FaultKind::kBrokerStop
                      ? "rabbitmq"
                      : "postgres";
  }
  if (spec.kind == FaultKind::kSlow) {
    std::size_t end = 0;
    long long ms = -1;
    try {
      ms = std::stoll(extra, &end);
    } catch (const std::exception&) {
      end = 0;
    }
    if (end != extra.size() || ms <= 0 || ms > 60'000) {
      Fail(text,
           "slow:SERVICE+MS needs MS, a whole number of milliseconds from 1 to 60000, "
           "not '" +
               extra + "'");
    }
    spec.extra = std::chrono::milliseconds(ms);
  }
  spec.start = ParseTime(text, text.substr(at + 1, plus - at - 1), /*positive=*/false);
  spec.duration = ParseTime(text, text.substr(plus + 1), /*positive=*/true);
  return spec;
}

}  // namespace flowbench::run
