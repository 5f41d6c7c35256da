#include "bench/cli/live_console.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "bench/cli/run_support.hpp"
#include "bench/console/console_server.hpp"
#include "bench/console/live_state.hpp"

namespace flowbench::cli {

void BindUiOptions(CLI::App& cmd, UiOptions& ui) {
  cmd.add_flag("--ui", ui.enabled,
               "serve the live console while it runs: both builds' offered and answered "
               "rates, answer and completion p50/p99, errors, queue backlogs and the fault "
               "phase, once a second, at http://127.0.0.1:PORT/ (and the results directory, "
               "as `flowbench serve`)")
      ->group("Live console");
  cmd.add_option("--ui-port", ui.port, "the live console's port on 127.0.0.1 (0: any free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str()
      ->group("Live console");
}

LiveConsole::LiveConsole(const UiOptions& ui, std::string command,
                         const std::filesystem::path& out) {
  if (!ui.enabled) return;
  live_ = std::make_unique<console::LiveState>(std::move(command));
  console::ConsoleOptions options;
  options.port = ui.port;
  options.results = out.has_parent_path() ? out.parent_path() : std::filesystem::path(".");
  server_ = std::make_unique<console::ConsoleServer>(options, live_.get());
  server_->Start();
  std::fprintf(stderr, "Live console: %s#live\n", server_->Url().c_str());
}

LiveConsole::~LiveConsole() = default;  // the server (its thread) stops before the state goes

void LiveConsole::SetFaults(const std::vector<run::FaultSpec>& faults) {
  if (live_) live_->SetFaults(faults);
}

run::ProgressPrinter LiveConsole::Printer() {
  if (!live_) return PrintProgress;
  return [live = live_.get()](const run::Progress& p) {
    PrintProgress(p);
    live->Update(p);
  };
}

void LiveConsole::Finish(const std::filesystem::path& out) {
  if (!live_) return;
  live_->Finish(out.string());
  // The page polls once a second: it sees the end (and stops polling, linking the report)
  // before the console goes away with the process.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
}

}  // namespace flowbench::cli
