#include "bench/cli/run_support.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <regex>

#include "bench/run/progress_pacer.hpp"

namespace flowbench::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnInterrupt(int) {
  g_stop = true;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
  static const char kMessage[] =
      "\nStopping: the load ends, what was measured is written, the services stop "
      "(Ctrl-C again quits at once and leaves them running)\n";
  ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);  // signal-safe
  (void)ignored;
}

}  // namespace

const std::atomic<bool>& StopOnInterrupt() {
  std::signal(SIGINT, OnInterrupt);
  return g_stop;
}

void BindGatewayLimitFlags(CLI::App& cmd, run::GatewayHopOptions& options,
                           const std::string& rate_help) {
  cmd.add_option("--gateway-rate-limit", options.rate_limit, rate_help)
      ->capture_default_str()
      ->check(
          [](const std::string& text) -> std::string {
            // The gateway's syntax (gateway/token_bucket.hpp), checked before anything starts.
            static const std::regex kRate(R"((off|[0-9]+(\.[0-9]+)?/[sm]))");
            return std::regex_match(text, kRate) ? "" : "N/s, N/m or off, not '" + text + "'";
          },
          "RATE")
      ->group("Gateway");
  cmd.add_option("--gateway-burst", options.burst,
                 "with --gateway-rate-limit: requests the subject may send at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str()
      ->group("Gateway");
}

void BindNetworkFlags(CLI::App& cmd, NetworkFlags& f) {
  const char* group = "Network";
  cmd.add_option("--network", f.profile,
                 "emulate a network between every part (services, PostgreSQL, RabbitMQ, the "
                 "load generator): loopback (none), lan (0.25 ms +- 0.05 one way), zone (1 ms "
                 "+- 0.2), region (20 ms +- 2), lossy (lan + 0.5 % loss); a delaying TCP relay "
                 "per link (bench/network/NETWORK.md)")
      ->capture_default_str()
      ->group(group);
  cmd.add_option_function<double>(
         "--network-delay-ms", [&f](double ms) { f.delay_ms = ms; },
         "one-way delay of every link instead of the profile's")
      ->group(group);
  cmd.add_option_function<double>(
         "--network-jitter-ms", [&f](double ms) { f.jitter_ms = ms; },
         "+- jitter of each chunk's delay instead of the profile's (bytes keep their order)")
      ->group(group);
  cmd.add_option_function<double>(
         "--network-loss", [&f](double p) { f.loss = p; },
         "probability that a chunk is lost once (held one retransmission timeout, >= 200 ms)")
      ->group(group);
}

network::NetworkProfile ResolveNetworkFlags(const NetworkFlags& f) {
  try {
    return network::ResolveProfile(f.profile, f.delay_ms, f.jitter_ms, f.loss);
  } catch (const std::invalid_argument& e) {
    throw CLI::ValidationError("--network", e.what());
  }
}

std::chrono::milliseconds ParseDuration(const std::string& text, const std::string& flag) {
  std::size_t end = 0;
  double value = -1;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  std::string unit = text.substr(end);
  double ms = unit == "ms"                  ? value
              : unit == "s" || unit.empty() ? value * 1000
              : unit == "m"                 ? value * 60'000
                                            : -1;
  if (end == 0 || !(ms > 0)) {
    throw CLI::ValidationError(flag, "'" + text + "' is not like 30s, 2m or 500ms");
  }
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

std::filesystem::path DefaultOutDir(const std::string& suffix) {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char name[32];
  std::strftime(name, sizeof name, "%Y%m%d-%H%M%S", &local);
  return std::filesystem::path("results") / (name + suffix);
}

void PrintProgress(const run::Progress& p) {
  static const bool kToTerminal = ::isatty(STDERR_FILENO);
  static run::ProgressPacer pacer(kToTerminal);
  if (!pacer.Due(p, run::ProgressPacer::Clock::now())) return;
  std::fprintf(stderr,
               "%s[%s %s %d/%d] %s %4.0f/%.0f s  %7.1f req/s  errors %llu  dropped %llu  "
               "p95 %.1f ms  backlog %llu   %s",
               kToTerminal ? "\r" : "", p.arch.c_str(), p.profile.c_str(), p.repeat, p.repeats,
               p.draining      ? "draining"
               : p.WarmingUp() ? "warm-up"
                               : "load",
               p.elapsed_s, p.total_s, p.requests_per_second,
               static_cast<unsigned long long>(p.errors),
               static_cast<unsigned long long>(p.dropped), p.p95_s * 1000,
               static_cast<unsigned long long>(p.backlog), kToTerminal ? "" : "\n");
}

}  // namespace flowbench::cli
