// flowbench compare A B ...: runs side by side (flowbench results.json or a results
// directory, k6 summary-export, handleSummary data or --out json NDJSON, plain or gzip, in
// any mix; format detected from the content), with deltas and ratios to the first, and CI
// gates: --threshold 'scenario6:p95<50ms' exits 99 on a breach, as k6 does when its
// thresholds fail. --merge A B ... reads the k6 outputs of one run from several machines
// (`--execution-segment`) as one run. Two sweeps (`flowbench sweep`'s sweep.json, or their
// directories) are lined up knee by knee instead.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "bench/cli/commands.hpp"
#include "bench/compare/compare_table.hpp"
#include "bench/compare/threshold.hpp"
#include "bench/k6/result_reader.hpp"
#include "bench/sweep/sweep_report.hpp"

namespace flowbench::cli {
namespace {

constexpr int kThresholdsBreached = 99;  // k6's exit code for failed thresholds
constexpr int kUnreadableInput = 2;

struct CompareCommandOptions {
  std::vector<std::string> files;
  std::vector<std::vector<std::string>> merges;  // one run per --merge
  std::vector<std::string> thresholds;
  compare::CompareOptions table;
};

// The sweep.json a FILES argument names, or nullopt when it is not a sweep: a directory with
// sweep.json and no results.json, or a file whose schema (written first) is a sweep's.
std::optional<std::filesystem::path> SweepFile(const std::filesystem::path& given) {
  if (std::filesystem::is_directory(given)) {
    if (std::filesystem::exists(given / "sweep.json") &&
        !std::filesystem::exists(given / "results.json")) {
      return given / "sweep.json";
    }
    return std::nullopt;
  }
  std::ifstream in(given, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.find("\"flowbench.sweep/") == std::string::npos) return std::nullopt;
  return given;
}

// Two sweeps, knee by knee; a sweep beside anything else is a mistake worth saying.
std::optional<int> CompareTwoSweeps(const CompareCommandOptions& o) {
  std::vector<std::filesystem::path> sweeps;
  for (const std::string& file : o.files) {
    if (std::optional<std::filesystem::path> sweep = SweepFile(file)) sweeps.push_back(*sweep);
  }
  if (sweeps.empty()) return std::nullopt;
  if (sweeps.size() != 2 || o.files.size() != 2 || !o.merges.empty() || !o.thresholds.empty()) {
    std::cerr << "flowbench compare: a sweep compares with one other sweep only (two sweep.json "
                 "files or their directories, without --merge or --threshold)\n";
    return kUnreadableInput;
  }
  try {
    std::cout << sweep::CompareSweeps(sweep::LoadSweep(sweeps[0].string()), o.files[0],
                                      sweep::LoadSweep(sweeps[1].string()), o.files[1]);
  } catch (const std::exception& e) {
    std::cerr << "flowbench compare: " << e.what() << "\n";
    return kUnreadableInput;
  }
  return 0;
}

int Compare(const CompareCommandOptions& o) {
  if (std::optional<int> code = CompareTwoSweeps(o)) return *code;
  std::vector<compare::Threshold> thresholds;
  for (const std::string& text : o.thresholds) {
    try {
      thresholds.push_back(compare::ParseThreshold(text));
    } catch (const std::invalid_argument& e) {
      std::cerr << "flowbench compare: " << e.what() << "\n";
      return kUnreadableInput;
    }
  }
  std::vector<std::unique_ptr<k6::ResultReader>> readers = k6::DefaultResultReaders();
  std::vector<compare::RunSummary> runs;
  if (o.files.empty() && o.merges.empty()) {
    std::cerr << "flowbench compare: name a result file, or several k6 outputs with --merge\n";
    return kUnreadableInput;
  }
  for (const std::vector<std::string>& files : o.merges) {
    if (files.size() < 2) {  // CLI11 does not enforce a minimum per occurrence
      std::cerr << "flowbench compare: --merge takes two or more k6 outputs of one run\n";
      return kUnreadableInput;
    }
  }
  try {
    for (const std::string& file : o.files) runs.push_back(k6::ReadResultFile(file, readers));
    for (const std::vector<std::string>& files : o.merges) {
      std::vector<std::filesystem::path> paths(files.begin(), files.end());
      runs.push_back(k6::ReadMergedResultFiles(paths, readers));
    }
  } catch (const std::exception& e) {
    std::cerr << "flowbench compare: " << e.what() << "\n";
    return kUnreadableInput;
  }
  compare::CompareOptions table = o.table;
  if (table.metrics.empty() && !table.all_metrics) table.metrics = compare::DefaultCompareMetrics();
  std::cout << compare::CompareTable(runs, table);
  if (std::string own = compare::SourceThresholds(runs); !own.empty()) {
    std::cout << "\n### Thresholds in the inputs\n\n" << own;
  }
  if (thresholds.empty()) return 0;
  compare::ThresholdReport report = compare::CheckThresholds(runs, thresholds);
  std::cout << "\n### Thresholds\n\n" << report.text;
  return report.breached ? kThresholdsBreached : 0;
}

}  // namespace

void AddCompareCommand(CLI::App& app) {
  auto options = std::make_shared<CompareCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "side-by-side table (markdown) of runs, deltas and ratios to the first; inputs: "
      "flowbench results.json (or its results directory), k6 --summary-export JSON, "
      "handleSummary data, --out json NDJSON (.gz too); or two sweeps (sweep.json or its "
      "directory), knee by knee");
  cmd->add_option("files", options->files,
                  "result files or `flowbench run` results directories (none when --merge names "
                  "the runs); the first "
                  "is the baseline. A results.json's rows are per run: "
                  "http_req_duration{arch:async,profile:baseline,scenario:scenario6}, "
                  "flowbench_completion{...} (repeats averaged); DIR#async (or "
                  "DIR#async/baseline) takes one build's runs under k6's own names, to line "
                  "up with a k6 run")
      ->expected(0, -1);  // existence checked when read: a name may end in #selector
  cmd->add_option("--merge", options->merges,
                  "k6 --out json outputs (.gz too) of ONE run from several machines "
                  "(k6 --execution-segment), read as one run: every sample in one histogram "
                  "(percentiles of all of them), counters and checks summed, the time span "
                  "the union. Repeatable, one run each; merged runs come after the FILES "
                  "(the first is the baseline when no FILES are given)")
      ->expected(2, -1);
  cmd->add_option(
      "--threshold", options->thresholds,
      "gate, e.g. 'scenario6:p95<50ms', 'http_req_failed:rate<1%'; exit code 99 "
      "when any input breaches one (no data is a breach). For a results.json name "
      "the run: 'http_req_duration{arch:async,profile:baseline,scenario:scenario6}:p95<50ms', "
      "or select a build (DIR#async) and write 'scenario6:p95<50ms'");
  cmd->add_option("--metric", options->table.metrics,
                  "metric to show (name or full key such as http_req_duration{scenario:x}); "
                  "repeatable; default: request duration, failures, counts, checks, completion");
  cmd->add_flag("--all", options->table.all_metrics, "show every metric");
  cmd->callback([options] {
    if (int code = Compare(*options); code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace flowbench::cli
