// flowbench sweep: latency against offered rate for both builds, and the two knees of each
// (bench/sweep/README.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "bench/cli/commands.hpp"
#include "bench/cli/live_console.hpp"
#include "bench/cli/run_support.hpp"
#include "bench/sweep/sweep_report.hpp"
#include "bench/sweep/sweep_runner.hpp"
#include "common/domain/profiles.hpp"

namespace flowbench::cli {
namespace {

struct SweepCommandOptions {
  sweep::SweepOptions sweep;
  std::vector<std::string> slos;
  std::string step_duration;
  std::string limit_duration;  // default: 5s, 2s with --quick
  std::filesystem::path out;
  UiOptions ui;          // --ui: the live console
  NetworkFlags network;  // --network, resolved into sweep.run.network
};

std::string Rate(double rps) {
  char text[32];
  std::snprintf(text, sizeof text, rps < 10 ? "%.3g/s" : "%.0f/s", rps);
  return text;
}

void PrintStep(const sweep::SweepStep& s) {
  std::string completion =
      s.completion ? std::to_string(static_cast<int>(s.completion->p99 * 1000)) + " ms" : "-";
  std::string scale;  // a mix step's: " x0.4"
  if (s.scale) {
    char text[32];
    std::snprintf(text, sizeof text, " x%.3g", *s.scale);
    scale = text;
  }
  std::fprintf(stderr,
               "\n%-5s %s%s step %d (%s) at %s: answered %.1f/s, answer p99 %.1f ms, completion "
               "p99 %s, errors %.2f %%, backlog %+.2f/s -> answer %s, sustainable %s\n",
               s.arch.c_str(), s.scenario.c_str(), scale.c_str(), s.index, s.phase.c_str(),
               Rate(s.offered_rps).c_str(), s.achieved_rps, s.answer.p99 * 1000, completion.c_str(),
               s.error_rate * 100, s.backlog_slope_per_s, s.answer_ok ? "ok" : "FAIL",
               s.sustainable_ok ? "ok" : "FAIL");
  for (const std::string& p : s.answer_problems)
    std::fprintf(stderr, "      answer: %s\n", p.c_str());
  for (const std::string& p : s.sustainable_problems) {
    std::fprintf(stderr, "      sustainable: %s\n", p.c_str());
  }
}

std::string Knee(const std::optional<double>& rps, const std::string& bound) {
  if (!rps) return bound;
  return Rate(*rps) + (bound == "found" ? "" : " (" + bound + ")");
}

std::string Scale(const std::optional<double>& scale) {
  if (!scale) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "x%.3g", *scale);
  return text;
}

std::string Names(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "none" : text;
}

int Sweep(SweepCommandOptions& o) {
  for (const std::string& slo : o.slos) {
    try {
      sweep::ApplySloFlag(slo, o.sweep.slos);
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError("--slo", e.what());
    }
  }
  if (!o.step_duration.empty()) {
    o.sweep.step_duration = ParseDuration(o.step_duration, "--step-duration");
  }
  if (o.limit_duration.empty()) o.limit_duration = o.sweep.quick ? "2s" : "5s";
  o.sweep.limit_duration = ParseDuration(o.limit_duration, "--limit-duration");
  o.sweep.run.network = ResolveNetworkFlags(o.network);
  std::filesystem::path out = o.out.empty() ? DefaultOutDir("-sweep") : o.out;
  o.sweep.out_dir = out.string();

  LiveConsole console(o.ui, "sweep", out);
  const std::atomic<bool>& stop = StopOnInterrupt();
  sweep::SweepProgress progress;
  progress.during_step = console.Printer();
  progress.step_done = PrintStep;
  progress.note = [](const std::string& note) { std::fprintf(stderr, "%s\n", note.c_str()); };
  sweep::SweepResults results = sweep::RunSweep(o.sweep, stop, progress);

  std::filesystem::create_directories(out);
  sweep::SaveSweep(results, (out / "sweep.json").string());
  std::filesystem::path html = sweep::WriteSweepReports(results, out);
  console.Finish(out);
  std::printf("\n%-6s %-16s %-22s %-22s %s\n", "build", "scenario", "answer knee",
              "sustainable rate", "physical limit");
  for (const sweep::Knees& k : results.knees) {
    std::string limit = k.limit_rps ? Rate(*k.limit_rps) + " (" + k.limit_source + ")" : "-";
    std::printf("%-6s %-16s %-22s %-22s %s\n", k.arch.c_str(), k.scenario.c_str(),
                Knee(k.answer_knee_rps, k.answer_bound).c_str(),
                Knee(k.sustainable_rps, k.sustainable_bound).c_str(), limit.c_str());
    // A mix: the knees as scales, and what broke first (the lesson).
    if (!k.mix.empty()) {
      std::printf(
          "       scales: answer knee %s, sustainable %s; broke first: answers %s, work %s\n",
          Scale(k.answer_knee_scale).c_str(), Scale(k.sustainable_scale).c_str(),
          Names(k.answer_broke_first).c_str(), Names(k.sustainable_broke_first).c_str());
    }
  }
  std::printf("\n%s%zu steps measured. Report: %s\n                    %s\n",
              stop ? "Interrupted: what was measured is saved. " : "", results.steps.size(),
              (out / "sweep.md").c_str(), html.c_str());
  return stop ? kInterrupted : 0;
}

}  // namespace

void AddSweepCommand(CLI::App& app) {
  auto o = std::make_shared<SweepCommandOptions>();
  // Past a knee every connection is busy waiting: enough of them that the driver's own
  // connection count is not what the sweep finds.
  o->sweep.run.max_vus = 500;
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "latency against offered rate for both builds: step each scenario's rate until its "
      "answers leave their SLO and its work stops keeping up; write results/<time>-sweep/");
  infra::BindInfraOptions(*cmd, o->sweep.run.infra);
  cmd->add_option("--arch", o->sweep.archs, "architectures, in order")
      ->delimiter(',')
      ->check(CLI::IsMember({"sync", "async"}))
      ->capture_default_str();
  CLI::Option* scenario =
      cmd->add_option("--scenario", o->sweep.scenarios, "scenario1..scenario6 (default: all)")
          ->delimiter(',')
          ->check(CLI::IsMember(
              {"scenario1", "scenario2", "scenario3", "scenario4", "scenario5", "scenario6"}));
  std::vector<std::string> profiles;
  for (const Profile& p : Profiles()) profiles.emplace_back(p.name);
  cmd->add_option("--mix", o->sweep.mix,
                  "sweep a load profile's mix instead: every step offers all six scenarios at "
                  "once, each at a scale factor x its profile rate (--from and --max are then "
                  "scale factors)")
      ->check(CLI::IsMember(profiles))
      ->excludes(scenario);
  cmd->add_option("--slo", o->slos,
                  "answer:p99<200ms (default; beyond the work the answer waits for) and "
                  "completion:p99<5s (default; beyond the scenario's work); repeatable");
  cmd->add_option("--from", o->sweep.from,
                  "first offered rate, req/s (default: per scenario); with --mix the first scale")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--factor", o->sweep.factor,
                  "each discovery step's rate over the last (default 2; 4 with --quick)")
      ->check(CLI::Range(1.01, 100.0));
  cmd->add_option("--precision", o->sweep.precision,
                  "refine each knee until failing / passing rate is at most this (default 1.2; "
                  "--quick does not refine)")
      ->check(CLI::Range(1.01, 100.0));
  cmd->add_option("--max", o->sweep.max,
                  "highest offered rate, req/s (default: per scenario); with --mix the highest "
                  "scale")
      ->check(CLI::PositiveNumber);
  cmd->add_option(
      "--step-duration", o->step_duration,
      "each step's measured window (default 8s, at least twice the work; 2s with --quick)");
  cmd->add_flag("--quick", o->sweep.quick,
                "fewer, shorter steps (x4 apart, 2 s each, not refined): minutes");
  cmd->add_flag("!--no-limits", o->sweep.measure_limits,
                "skip measuring the machine's physical limits");
  cmd->add_option("--limit-duration", o->limit_duration,
                  "each physical-limit probe's window (default 5s; 2s with --quick)");
  cmd->add_option("--out", o->out, "results directory (default results/<date-time>-sweep)");
  cmd->add_option("--seed", o->sweep.run.seed, "the schedules' randomness")->capture_default_str();
  cmd->add_option("--max-vus", o->sweep.run.max_vus, "connections at most per scenario")
      ->capture_default_str();
  cmd->add_option("--threads", o->sweep.run.threads, "load engine threads")->capture_default_str();
  cmd->add_option_function<int>(
         "--request-timeout", [o](int s) { o->sweep.request_timeout = std::chrono::seconds(s); },
         "seconds before a request counts as a timeout (default: twice the answer SLO + 1 s)")
      ->check(CLI::Range(1, 3600));
  BindUiOptions(*cmd, o->ui);
  BindWorkloadSettings(*cmd, o->sweep.run.workload);
  BindPassThroughArgs(*cmd, o->sweep.run.service_args);
  BindNetworkFlags(*cmd, o->network);
  cmd->callback([o] {
    int code = Sweep(*o);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace flowbench::cli
