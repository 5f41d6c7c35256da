#include "bench/run/fault_plan.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include "common/domain/catalogue.hpp"

namespace flowbench::run {
namespace {

constexpr const char* kSyntax =
    "expected KIND[:SERVICE]@START+DURATION, e.g. broker-kill@20s+10s or "
    "service-pause:payment@5s+3s (kinds: broker-kill, broker-stop, db-kill, db-stop, "
    "service-kill:SERVICE, service-pause:SERVICE)";

constexpr std::array<std::pair<std::string_view, FaultKind>, 6> kKinds{{
    {"broker-kill", FaultKind::kBrokerKill},
    {"broker-stop", FaultKind::kBrokerStop},
    {"db-kill", FaultKind::kDbKill},
    {"db-stop", FaultKind::kDbStop},
    {"service-kill", FaultKind::kServiceKill},
    {"service-pause", FaultKind::kServicePause},
}};

[[noreturn]] void Fail(const std::string& text, const std::string& why) {
  throw std::invalid_argument("--fault '" + text + "': " + why);
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

bool IsService(FaultKind kind) {
  return kind == FaultKind::kServiceKill || kind == FaultKind::kServicePause;
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
    bool is_service = false;
    for (const ServiceSpec& s : Services()) is_service = is_service || s.name == target;
    if (!is_service) {
      std::string names;
      for (const ServiceSpec& s : Services())
        names += (names.empty() ? "" : ", ") + std::string(s.name);
      Fail(text, kind_name + " needs a service: " + kind_name + ":NAME with NAME one of " + names);
    }
    spec.target = target;
  } else {
    if (!target.empty()) Fail(text, kind_name + " takes no target (':" + target + "')");
    spec.target = spec.kind == FaultKind::kBrokerKill || spec.kind == FaultKind::kBrokerStop
                      ? "rabbitmq"
                      : "postgres";
  }
  spec.start = ParseTime(text, text.substr(at + 1, plus - at - 1), /*positive=*/false);
  spec.duration = ParseTime(text, text.substr(plus + 1), /*positive=*/true);
  return spec;
}

}  // namespace flowbench::run
