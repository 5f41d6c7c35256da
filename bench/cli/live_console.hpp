// `--ui` of `flowbench run` and `flowbench sweep`: the web console (bench/console) serving the
// results directory and the experiment's live state while it runs.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/run/fault_plan.hpp"
#include "bench/run/run_options.hpp"

namespace CLI {
class App;
}

namespace flowbench::console {
class LiveState;
class ConsoleServer;
}  // namespace flowbench::console

namespace flowbench::cli {

struct UiOptions {
  bool enabled = false;
  int port = 8080;
};
void BindUiOptions(CLI::App& cmd, UiOptions& ui);  // --ui, --ui-port

// Without --ui, only the progress line; with it, the console too (started here, stopped when
// this goes away: the page then says the run has ended).
class LiveConsole {
 public:
  LiveConsole(const UiOptions& ui, std::string command, const std::filesystem::path& out);
  ~LiveConsole();
  LiveConsole(const LiveConsole&) = delete;
  LiveConsole& operator=(const LiveConsole&) = delete;

  void SetFaults(const std::vector<run::FaultSpec>& faults);
  // The progress line, and with --ui the live state's update (a copy under a mutex).
  run::ProgressPrinter Printer();
  void Finish(const std::filesystem::path& out);

 private:
  std::unique_ptr<console::LiveState> live_;
  std::unique_ptr<console::ConsoleServer> server_;
};

}  // namespace flowbench::cli
