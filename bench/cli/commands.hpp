// The subcommands of the `flowbench` CLI; each Add*Command registers one on the app.
#pragma once

namespace CLI {
class App;
}

namespace flowbench::cli {

void AddInfraCommand(CLI::App& app);    // flowbench infra up|down|status
void AddSystemCommands(CLI::App& app);  // flowbench up|down|status
void AddReportCommand(CLI::App& app);   // flowbench report DIR
void AddCompareCommand(CLI::App& app);  // flowbench compare A B ... [--threshold ...]
void AddRunCommands(CLI::App& app);     // flowbench run, flowbench profiles
void AddDemoCommand(CLI::App& app);     // flowbench demo <scenario> | outage
void AddDlqCommand(CLI::App& app);      // flowbench dlq list | redrive QUEUE
void AddLimitsCommand(CLI::App& app);   // flowbench limits
void AddSweepCommand(CLI::App& app);    // flowbench sweep
void AddServeCommand(CLI::App& app);    // flowbench serve
void AddTokenCommand(CLI::App& app);    // flowbench token --role customer|viewer
void AddRelayCommand(CLI::App& app);    // flowbench relay (hidden: up --network's relays)

}  // namespace flowbench::cli
