#include "bench/cli/run_support.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>

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
