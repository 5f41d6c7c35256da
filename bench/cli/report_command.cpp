// flowbench report DIR: regenerate every report from what DIR holds (after a change to the
// report code, or to read an old run with today's tables): the run's reports from
// DIR/results.json, the sweep's from DIR/sweep.json, either or both.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "bench/cli/commands.hpp"
#include "bench/report/reports.hpp"
#include "bench/sweep/sweep_report.hpp"

namespace flowbench::cli {

void AddReportCommand(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "regenerate the reports of DIR: report.md, report.html, results.csv and the k6 summaries "
      "from DIR/results.json; sweep.md and sweep.html from DIR/sweep.json");
  cmd->add_option("DIR", *dir,
                  "a results directory (results/<timestamp> of `flowbench run` or `flowbench "
                  "sweep`)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->callback([dir] {
    std::filesystem::path results = std::filesystem::path(*dir) / "results.json";
    std::filesystem::path sweep = std::filesystem::path(*dir) / "sweep.json";
    if (!std::filesystem::exists(results) && !std::filesystem::exists(sweep)) {
      throw std::runtime_error(*dir +
                               " holds neither results.json (`flowbench run`) nor "
                               "sweep.json (`flowbench sweep`)");
    }
    if (std::filesystem::exists(results)) {
      report::RunResults loaded = report::LoadResults(results.string());
      std::filesystem::path html = report::WriteReports(loaded, *dir);
      std::printf("reports written: %s\n                 %s\n",
                  (std::filesystem::path(*dir) / "report.md").c_str(), html.c_str());
    }
    if (std::filesystem::exists(sweep)) {
      std::filesystem::path html = sweep::WriteSweepReports(sweep::LoadSweep(sweep.string()), *dir);
      std::printf("sweep reports written: %s\n                       %s\n",
                  (std::filesystem::path(*dir) / "sweep.md").c_str(), html.c_str());
    }
  });
}

}  // namespace flowbench::cli
