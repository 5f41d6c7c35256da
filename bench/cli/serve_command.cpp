// flowbench serve: the web console on 127.0.0.1 for the results directory: every run and
// sweep, their reports, two of them compared (bench/console/README.md).
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include "bench/cli/commands.hpp"
#include "bench/console/console_server.hpp"

namespace flowbench::cli {
namespace {

// Ctrl-C (or a SIGTERM) stops serving; nothing else to wind down, so no message of the run's.
std::atomic<bool> g_stop_serving{false};
extern "C" void OnStopServing(int) { g_stop_serving = true; }

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto options = std::make_shared<console::ConsoleOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "the web console on 127.0.0.1: the runs and sweeps of the results directory, their "
      "reports, two of them compared (Ctrl-C stops it)");
  cmd->add_option("--port", options->port, "port on 127.0.0.1 (0: any free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--results", options->results, "the results directory")->capture_default_str();
  cmd->callback([options] {
    std::signal(SIGINT, OnStopServing);
    std::signal(SIGTERM, OnStopServing);
    console::ConsoleServer server(*options, nullptr);
    server.Start();
    std::printf("flowbench console: %s (results from %s; Ctrl-C stops it)\n", server.Url().c_str(),
                options->results.c_str());
    std::fflush(stdout);
    while (!g_stop_serving) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    server.Stop();
  });
}

}  // namespace flowbench::cli
