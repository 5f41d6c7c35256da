// flowbench run: the comparison end to end, and flowbench profiles: what it can run.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#include "bench/cli/commands.hpp"
#include "bench/cli/live_console.hpp"
#include "bench/cli/run_support.hpp"
#include "bench/compare/compare_table.hpp"
#include "bench/compare/threshold.hpp"
#include "bench/k6/summary_readers.hpp"
#include "bench/report/reports.hpp"
#include "bench/run/run_matrix.hpp"
#include "bench/run/target.hpp"
#include "common/domain/profiles.hpp"

namespace flowbench::cli {
namespace {

constexpr int kThresholdsBreached = 99;  // as k6 and `flowbench compare`
struct RunCommandOptions {
  run::RunOptions run;
  std::string duration;  // "30s"; "profile" for each profile's own duration
  std::filesystem::path out;
  std::vector<std::string> thresholds;
  std::vector<std::string> targets;  // --target, parsed into run.targets
  std::vector<std::string> faults;   // --fault, parsed into run.faults
  bool archs_given = false;          // --arch on the command line (not its default)
  UiOptions ui;                      // --ui: the live console
  NetworkFlags network;              // --network, resolved into run.network
};

// --target values into the builds to drive. With sync=URL / async=URL the builds named are
// the ones run; an --arch given as well must name the same ones.
std::vector<run::TargetBuild> Targets(const RunCommandOptions& o) {
  const PassThroughArgs& pass = o.run.service_args;
  if (!(o.run.workload == WorkloadSettings{}) || !pass.Empty()) {
    throw CLI::ValidationError(
        "--target",
        "workload and service flags configure the services flowbench starts; a "
        "--target deployment runs with its own settings (set them where it runs)");
  }
  std::vector<Arch> archs;
  for (const std::string& name : o.run.archs) archs.push_back(*ParseArch(name));
  std::vector<run::TargetBuild> targets = run::ParseTargets(o.targets, archs);
  if (o.archs_given) {
    for (Arch arch : archs) {
      bool targeted = std::any_of(targets.begin(), targets.end(),
                                  [&](const run::TargetBuild& t) { return t.arch == arch; });
      if (!targeted) {
        throw CLI::ValidationError("--arch",
                                   std::string(ArchName(arch)) + " has no --target (add " +
                                       std::string(ArchName(arch)) + "=http://HOST:PORT)");
      }
    }
    std::erase_if(targets, [&](const run::TargetBuild& t) {
      return std::find(archs.begin(), archs.end(), t.arch) == archs.end();
    });
  }
  return targets;
}

int EvaluateThresholds(const report::RunResults& results, const std::vector<std::string>& texts) {
  if (texts.empty()) return 0;
  std::vector<compare::Threshold> thresholds;
  for (const std::string& t : texts) thresholds.push_back(compare::ParseThreshold(t));
  std::vector<compare::RunSummary> summaries;
  for (const report::ProfileRun& run : results.runs) {
    summaries.push_back(k6::SummaryExportFromJson(
        report::K6Summary(run), run.arch + "/" + run.profile + "/" + std::to_string(run.repeat)));
  }
  compare::ThresholdReport verdict = compare::CheckThresholds(summaries, thresholds);
  std::cout << "\nThresholds (every run must pass):\n" << verdict.text;
  return verdict.breached ? kThresholdsBreached : 0;
}

int Run(RunCommandOptions& o) {
  if (o.duration != "profile") o.run.duration = ParseDuration(o.duration, "--duration");
  o.run.network = ResolveNetworkFlags(o.network);
  for (const std::string& t : o.thresholds) compare::ParseThreshold(t);  // bad syntax: fail now
  if (!o.targets.empty()) o.run.targets = Targets(o);
  if (o.run.gateway && !o.run.targets.empty()) {
    throw CLI::ValidationError("--gateway",
                               "starts a gateway in front of the builds flowbench "
                               "starts itself; a --target deployment has its own");
  }
  for (const std::string& f : o.faults) {
    try {
      o.run.faults.push_back(run::ParseFault(f));
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError("--fault", e.what());
    }
  }
  std::filesystem::path out = o.out.empty() ? DefaultOutDir() : o.out;

  LiveConsole console(o.ui, "run", out);
  console.SetFaults(o.run.faults);
  const std::atomic<bool>& stop = StopOnInterrupt();
  report::RunResults results = run::RunMatrix(o.run, stop, console.Printer());
  std::fprintf(stderr, "\n");

  std::filesystem::create_directories(out);
  report::SaveResults(results, (out / "results.json").string());
  std::filesystem::path html = report::WriteReports(results, out);
  console.Finish(out);
  std::printf("\n%s\n", report::RunSummaryTable(results).c_str());
  std::printf("%s%d runs measured. Report: %s\n                 %s\n",
              stop ? "Interrupted: what was measured is saved. " : "",
              static_cast<int>(results.runs.size()), (out / "report.md").c_str(), html.c_str());
  int thresholds = EvaluateThresholds(results, o.thresholds);
  if (stop) return kInterrupted;
  return thresholds;
}

}  // namespace

void AddRunCommands(CLI::App& app) {
  auto o = std::make_shared<RunCommandOptions>();
  o->duration = "30s";
  CLI::App* cmd = app.add_subcommand(
      "run", "compare the builds: start them, drive the profiles, write results/<time>/");
  infra::BindInfraOptions(*cmd, o->run.infra);
  CLI::Option* arch = cmd->add_option("--arch", o->run.archs, "architectures, in order")
                          ->delimiter(',')
                          ->check(CLI::IsMember({"sync", "async"}))
                          ->capture_default_str();
  cmd->add_option("--profile", o->run.profiles, "load profiles (flowbench profiles)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--scenario", o->run.scenarios, "scenario1..scenario6 (default: all)")
      ->delimiter(',');
  cmd->add_option("--duration", o->duration,
                  "load time per run (30s, 2m); 'profile' for each profile's own (120 s, 180 s)")
      ->capture_default_str();
  cmd->add_option("--repeat", o->run.repeats,
                  "repeats per profile, the builds interleaved in a seeded random order, each "
                  "from fresh state; from 3 on, intervals across repeats")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--model", o->run.model,
                  "open: every scenario's requests start on a seeded schedule, the same for "
                  "both builds (equal offered load); closed: the study's virtual users with "
                  "think time (each build offered what its answers allow)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, run::LoadModel>{
          {"open", run::LoadModel::kOpen}, {"closed", run::LoadModel::kClosed}}))
      ->default_str("open");
  cmd->add_option("--arrivals", o->run.arrivals,
                  "open model: poisson (independent arrivals) or uniform (evenly spaced, as k6)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, load::ArrivalProcess>{{"poisson", load::ArrivalProcess::kPoisson},
                                                      {"uniform", load::ArrivalProcess::kUniform}}))
      ->default_str("poisson");
  cmd->add_option("--seed", o->run.seed,
                  "the schedules' and the repeat order's randomness (same seed, same experiment)")
      ->capture_default_str();
  cmd->add_option_function<int>(
         "--warmup", [o](int s) { o->run.warmup = std::chrono::seconds(s); },
         "seconds of load at the run's rates before the measured window, excluded from every "
         "figure")
      ->check(CLI::Range(0, 3600))
      ->default_str("10");
  cmd->add_option("--out", o->out, "results directory (default results/<date-time>)");
  cmd->add_option_function<int>(
         "--drain-timeout", [o](int s) { o->run.drain_timeout = std::chrono::seconds(s); },
         "seconds to wait for the async backlog after the load")
      ->default_str("300");
  cmd->add_option_function<int>(
         "--request-timeout", [o](int s) { o->run.request_timeout = std::chrono::seconds(s); },
         "seconds before a request counts as a timeout")
      ->default_str("60");
  cmd->add_option("--max-vus", o->run.max_vus, "open-loop scenario 6: connections at most")
      ->capture_default_str();
  cmd->add_option("--threads", o->run.threads, "load engine threads")->capture_default_str();
  cmd->add_option_function<int>(
         "--wake-ahead-us", [o](int us) { o->run.wake_ahead = std::chrono::microseconds(us); },
         "open loop: wake this long before each start and poll, so the driver's timer wake-up "
         "is not charged to the service (0: sleep until due; costs ~wake-ahead x rate of a core)")
      ->check(CLI::Range(0, 100'000))
      ->default_str(std::to_string(o->run.wake_ahead.count()));
  cmd->add_option("--threshold", o->thresholds,
                  "gate like k6: 'scenario6:p95<50ms' (exit code 99 when any run breaches)");
  cmd->add_option("--fault", o->faults,
                  "inject a fault into every run at the same moment of its measured window: "
                  "KIND[:SERVICE]@START+DURATION (e.g. broker-kill@20s+10s); kinds broker-kill, "
                  "broker-stop, db-kill, db-stop (restarted on their data after DURATION), "
                  "broker-node-kill:N (node N of a --rabbitmq-nodes cluster SIGKILLed, "
                  "restarted after DURATION: it rejoins), partition:PART (with --network: "
                  "the part's link holds everything, new connections hang, until DURATION "
                  "ends), "
                  "service-kill:NAME (restarted with its own argv), service-pause:NAME "
                  "(SIGSTOP, SIGCONT after DURATION), slow:NAME+MS (each simulated step of "
                  "the service MS longer); repeatable")
      ->group("Faults");
  BindUiOptions(*cmd, o->ui);
  BindWorkloadSettings(*cmd, o->run.workload);
  BindPassThroughArgs(*cmd, o->run.service_args);
  BindNetworkFlags(*cmd, o->network);
  cmd->add_flag("--gateway,--via-gateway", o->run.gateway,
                "send the driver's requests through an API gateway (flowbench-gateway) in front "
                "of each build, with a token minted for the run; the report shows the "
                "gateway's own time per request and its share of the answer latency")
      ->group("Gateway");
  BindGatewayLimitFlags(*cmd, o->run.gateway_options,
                        "the gateway's rate limit for the run's one subject: N/s, N/m or off (a "
                        "measurement is not throttled unless asked)");
  cmd->add_option(
         "--target", o->targets,
         "drive a deployment flowbench did not start (Docker Compose, another machine) "
         "instead of starting this checkout's builds: HOST (the builds of --arch on HOST at the "
         "contract's ports 8001-8010 and 8101-8110), or sync=URL,async=URL with URL "
         "http://HOST[:PORT], PORT the user service's (the other nine follow it in "
         "contract order). Nothing there is reset, started or stopped; every service's "
         "/health must answer first. Completion comes from each service's /completions "
         "(per request, its clock offset estimated; /metrics when it has none), CPU and "
         "memory from each service's process metrics; the async queues are sampled "
         "through --rabbitmq-management-url http://USER:PASS@HOST:15672 when given. "
         "--state-dir, --pg-url, --amqp-url and service flags are not used")
      ->delimiter(',')
      ->group("Target");
  cmd->callback([o, arch] {
    o->archs_given = arch->count() > 0;
    int code = Run(*o);
    if (code != 0) throw CLI::RuntimeError(code);
  });

  app.add_subcommand("profiles", "the load profiles `flowbench run --profile` knows")->callback([] {
    std::printf("%-14s %-22s %-8s %-9s %s\n", "profile", "VUs scenario 1-5", "S6 req/s", "duration",
                "from");
    for (const Profile& p : Profiles()) {
      char vus[32];
      std::snprintf(vus, sizeof vus, "%d/%d/%d/%d/%d", p.vus[0], p.vus[1], p.vus[2], p.vus[3],
                    p.vus[4]);
      std::printf("%-14s %-22s %-8d %-9s %s\n", std::string(p.name).c_str(), vus, p.click_rate,
                  (std::to_string(p.duration.count()) + " s").c_str(),
                  std::string(p.origin).c_str());
    }
  });
}

}  // namespace flowbench::cli
