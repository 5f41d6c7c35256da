// What `flowbench run` and `flowbench sweep` share on the command line: Ctrl-C that stops the
// measurement but keeps what was measured, durations like 30s, the default results directory,
// and the live progress line.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "bench/network/network_profile.hpp"
#include "bench/run/run_options.hpp"

namespace CLI {
class App;
}

namespace flowbench::cli {

inline constexpr int kInterrupted = 130;  // 128 + SIGINT, as a shell reports Ctrl-C

// Installs the SIGINT handler: the first Ctrl-C sets the flag returned (the load ends, what was
// measured is written, the services stop); a second one ends the process at once.
const std::atomic<bool>& StopOnInterrupt();

// "30s", "2m", "500ms", "20" (seconds); throws CLI::ValidationError naming `flag`.
std::chrono::milliseconds ParseDuration(const std::string& text, const std::string& flag);

// results/<date-time><suffix> in local time.
std::filesystem::path DefaultOutDir(const std::string& suffix = "");

// `--network PROFILE` and its overrides, the same on every command that starts the builds.
struct NetworkFlags {
  std::string profile = "loopback";
  std::optional<double> delay_ms, jitter_ms, loss;
};
void BindNetworkFlags(CLI::App& cmd, NetworkFlags& flags);
// Throws CLI::ValidationError naming the flag to fix.
network::NetworkProfile ResolveNetworkFlags(const NetworkFlags& flags);

// `--gateway-rate-limit N/s|N/m|off` (the syntax checked before anything starts) and
// `--gateway-burst N`, the same on `run` and `demo`; `rate_help` says what the limit is for.
void BindGatewayLimitFlags(CLI::App& cmd, run::GatewayHopOptions& options,
                           const std::string& rate_help);

// One line, rewritten in place on a terminal; in a log, one line every 10 s and at the start of
// each run and phase.
void PrintProgress(const run::Progress& p);

}  // namespace flowbench::cli
