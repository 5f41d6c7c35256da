// flowbench report DIR: regenerate every report from DIR/results.json (after a change to the
// report code, or to read an old run with today's tables).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "bench/cli/commands.hpp"
#include "bench/report/reports.hpp"

namespace flowbench::cli {

void AddReportCommand(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("report",
                                     "regenerate report.md, report.html, results.csv "
                                     "and the k6 summaries from DIR/results.json");
  cmd->add_option("DIR", *dir, "a results directory (results/<timestamp>)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->callback([dir] {
    std::filesystem::path results = std::filesystem::path(*dir) / "results.json";
    report::RunResults loaded = report::LoadResults(results.string());
    std::filesystem::path html = report::WriteReports(loaded, *dir);
    std::printf("reports written: %s\n                 %s\n",
                (std::filesystem::path(*dir) / "report.md").c_str(), html.c_str());
  });
}

}  // namespace flowbench::cli
