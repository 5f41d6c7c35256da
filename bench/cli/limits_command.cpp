// flowbench limits: what this machine allows for the builds' three paths, measured one after
// another with nothing of the builds on top (bench/limits/physical_limits.hpp): a trivial
// HTTP server's rate, RabbitMQ's persistent publish-with-confirm plus consume rate, and
// PostgreSQL's single-row insert rate. Starts the embedded servers when none are running,
// and stops what it started.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench/cli/commands.hpp"
#include "bench/limits/physical_limits.hpp"
#include "common/infra/infra.hpp"

namespace flowbench::cli {
namespace {

struct LimitsCommandOptions {
  infra::InfraOptions infra;
  std::string duration = "5s";
  limits::LimitProbeOptions probe;
  std::string json;  // where to write the figures, when given
};

std::chrono::milliseconds ParseProbeDuration(const std::string& text) {
  std::size_t end = 0;
  double value = 0;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    end = 0;  // not a number at all: the same message as a wrong unit, below
  }
  const std::string unit = end == 0 ? "?" : text.substr(end);
  const double ms = unit == "ms"                  ? value
                    : unit == "s" || unit.empty() ? value * 1000
                    : unit == "m"                 ? value * 60'000
                                                  : -1;
  if (ms < 1) throw CLI::ValidationError("--duration", "'" + text + "' is not like 5s or 500ms");
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

// Stops the embedded servers this command started (not ones already running), errors included.
class InfraStartedHere {
 public:
  InfraStartedHere(std::filesystem::path state_dir, bool started_here)
      : state_dir_(std::move(state_dir)), started_here_(started_here) {}
  InfraStartedHere(const InfraStartedHere&) = delete;
  InfraStartedHere& operator=(const InfraStartedHere&) = delete;
  ~InfraStartedHere() {
    if (!started_here_) return;
    try {
      infra::InfraDown(state_dir_);
    } catch (const std::exception& e) {
      // A destructor cannot throw (an exception may be on its way already): say it instead.
      std::fprintf(stderr,
                   "flowbench: stopping the embedded servers failed: %s\n"
                   "  `flowbench infra down --state-dir %s` stops them\n",
                   e.what(), state_dir_.c_str());
    }
  }

 private:
  std::filesystem::path state_dir_;
  bool started_here_;
};

boost::json::object ToJson(const sweep::PhysicalLimit& limit) {
  return {{"name", limit.name},
          {"rps", limit.rps},
          {"method", limit.method},
          {"details", limit.details}};
}

void Print(const sweep::PhysicalLimit& limit) {
  std::printf("%-9s %10.0f /s   %s\n", limit.name.c_str(), limit.rps, limit.method.c_str());
  if (const auto* problem = limit.details.if_contains("problem")) {
    std::printf("          PROBLEM: %s\n", problem->as_string().c_str());
  }
  std::fflush(stdout);
}

void RunLimits(LimitsCommandOptions& o) {
  o.probe.duration = ParseProbeDuration(o.duration);
  infra::UpResult up = infra::InfraUp(o.infra);
  InfraStartedHere stop_at_the_end(o.infra.state_dir, !up.reused);
  o.probe.pg_url = up.state.pg_url;
  o.probe.amqp_url = up.state.amqp_url;

  using Probe = sweep::PhysicalLimit (*)(const limits::LimitProbeOptions&);
  const std::vector<std::pair<const char*, Probe>> probes = {
      {"http", limits::MeasureHttpLimit},
      {"broker", limits::MeasureBrokerLimit},
      {"database", limits::MeasureDatabaseLimit}};
  boost::json::array figures;
  std::printf("the physical limits, %lld ms each, one at a time:\n",
              static_cast<long long>(o.probe.duration.count()));
  for (const auto& [name, measure] : probes) {
    std::fprintf(stderr, "measuring %s ...\n", name);
    sweep::PhysicalLimit limit = measure(o.probe);
    Print(limit);
    figures.push_back(ToJson(limit));
  }
  if (!o.json.empty()) {
    std::ofstream out(o.json);
    out << boost::json::serialize(boost::json::object{{"limits", figures}}) << "\n";
    if (!out) throw std::runtime_error("cannot write " + o.json);
    std::printf("written to %s\n", o.json.c_str());
  }
}

}  // namespace

void AddLimitsCommand(CLI::App& app) {
  auto o = std::make_shared<LimitsCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "limits",
      "measure what this machine allows: a trivial HTTP server, RabbitMQ publish-with-confirm "
      "plus consume, PostgreSQL single-row inserts");
  infra::BindInfraOptions(*cmd, o->infra);
  cmd->add_option("--duration", o->duration, "each probe's measured window (5s, 500ms)")
      ->capture_default_str();
  cmd->add_option("--http-connections", o->probe.http_connections,
                  "keep-alive connections driving the HTTP server")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--confirm-window", o->probe.confirm_window,
                  "unconfirmed publishes at most (default: the async build's)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--prefetch", o->probe.prefetch,
                  "the consumer's unacked deliveries at most (default: the async build's)")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--pool-size", o->probe.pool_size,
                  "inserting connections (default: the builds' pool size)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--json", o->json, "also write the figures, with their details, to this file");
  cmd->callback([o] { RunLimits(*o); });
}

}  // namespace flowbench::cli
