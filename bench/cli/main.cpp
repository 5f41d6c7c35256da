// flowbench: runs the same six microservice scenarios over blocking HTTP and over RabbitMQ,
// and measures both honestly. `flowbench --help` lists the commands.
#include <CLI/CLI.hpp>
#include <iostream>

#include "bench/cli/commands.hpp"
#include "common/domain/secrets.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "flowbench: the same microservices over blocking HTTP and over RabbitMQ, measured "
      "side by side"};
  app.require_subcommand(1);
  flowbench::cli::AddRunCommands(app);
  flowbench::cli::AddInfraCommand(app);
  flowbench::cli::AddSystemCommands(app);
  flowbench::cli::AddReportCommand(app);
  flowbench::cli::AddCompareCommand(app);
  flowbench::cli::AddDemoCommand(app);
  flowbench::cli::AddDlqCommand(app);
  flowbench::cli::AddLimitsCommand(app);
  flowbench::cli::AddSweepCommand(app);
  flowbench::cli::AddServeCommand(app);
  flowbench::cli::AddTokenCommand(app);
  flowbench::cli::AddRelayCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // Any error may quote a server's URL (an external --pg-url, a state file's): no password.
    std::cerr << "flowbench: " << flowbench::RedactSecrets(e.what()) << "\n";
    return 1;
  }
  return 0;
}
