// The machine-readable outputs: results.csv and the k6-summary-compatible JSON files.
#include <fstream>
#include <sstream>

#include "bench/report/aggregate.hpp"
#include "bench/report/reports.hpp"

namespace flowbench::report {
namespace {

namespace json = boost::json;

std::string Csv(double value) {
  std::ostringstream out;
  out.precision(9);
  out << value;
  return out.str();
}

// k6 writes trends in milliseconds with these keys.
json::object K6Trend(const LatencySummary& s) {
  return {{"avg", s.mean * 1000}, {"min", s.min * 1000},   {"med", s.p50 * 1000},
          {"max", s.max * 1000},  {"p(90)", s.p90 * 1000}, {"p(95)", s.p95 * 1000},
          {"p(99)", s.p99 * 1000}};
}

}  // namespace

std::string CsvReport(const RunResults& r) {
  std::ostringstream csv;
  csv << "arch,profile,repeat,scenario,executor,duration_s,requests,throughput_rps,"
         "dropped_iterations,errors_connect,errors_timeout,errors_status,errors_check,"
         "error_rate,latency_mean_s,latency_p50_s,latency_p90_s,latency_p95_s,latency_p99_s,"
         "latency_p99_9_s,latency_max_s,uncorrected_p95_s,uncorrected_p99_s,completion_count,"
         "completion_p50_s,completion_p95_s,completion_p99_s,drain_s,"
         // v2, appended so that readers of the v1 columns keep working:
         "offered_model,offered_rate_per_s,scheduled,cut,completion_source,"
         "completion_lower_bound,accepted,done,degraded,compensated,failed,dead_lettered,"
         "withdrawn,duplicated,unfinished,lost,warmup_s,generator_valid\n";
  for (const ProfileRun& run : r.runs) {
    for (const ScenarioResult& s : run.scenarios) {
      csv << run.arch << "," << run.profile << "," << run.repeat << "," << s.scenario << ","
          << s.executor << "," << Csv(run.duration_seconds) << "," << s.requests << ","
          << Csv(s.throughput_rps) << "," << s.dropped_iterations << "," << s.errors.connect << ","
          << s.errors.timeout << "," << s.errors.status << "," << s.errors.check << ","
          << Csv(s.ErrorRate()) << "," << Csv(s.latency.mean) << "," << Csv(s.latency.p50) << ","
          << Csv(s.latency.p90) << "," << Csv(s.latency.p95) << "," << Csv(s.latency.p99) << ","
          << Csv(s.latency.p999) << "," << Csv(s.latency.max) << ","
          << Csv(s.latency_uncorrected.p95) << "," << Csv(s.latency_uncorrected.p99) << ",";
      if (s.completion) {
        csv << s.completion->count << "," << Csv(s.completion->p50) << "," << Csv(s.completion->p95)
            << "," << Csv(s.completion->p99);
      } else {
        csv << ",,,";
      }
      csv << "," << Csv(run.drain_seconds) << "," << s.offered.model << ","
          << Csv(s.offered.rate_per_s) << "," << s.offered.scheduled << "," << s.cut << ","
          << s.completion_source << "," << (s.completion_lower_bound ? "true" : "false") << ",";
      if (s.outcomes) {
        const Outcomes& o = *s.outcomes;
        csv << o.accepted << "," << o.done << "," << o.degraded << "," << o.compensated << ","
            << o.failed << "," << o.dead_lettered << "," << o.withdrawn << "," << o.duplicated
            << "," << o.unfinished << "," << o.lost;
      } else {
        csv << ",,,,,,,,,";  // not collected: empty, never a made-up zero
      }
      csv << "," << Csv(run.warmup_seconds) << ","
          << (run.generator ? (run.generator->valid ? "true" : "false") : "") << "\n";
    }
  }
  return csv.str();
}

json::object K6Summary(const ProfileRun& run) {
  json::object metrics;
  std::uint64_t requests = run.Requests(), errors = run.Errors(), dropped = 0;
  double rate = run.duration_seconds == 0 ? 0 : double(requests) / run.duration_seconds;
  metrics["http_reqs"] = {{"count", requests}, {"rate", rate}};
  metrics["iterations"] = {{"count", requests}, {"rate", rate}};
  metrics["http_req_duration"] = K6Trend(run.overall);
  // k6's Rate metric: "passes" counts the true values, here the failed requests.
  metrics["http_req_failed"] = {{"passes", errors},
                                {"fails", requests - errors},
                                {"value", requests == 0 ? 0.0 : double(errors) / double(requests)}};
  for (const ScenarioResult& s : run.scenarios) {
    metrics["http_req_duration{scenario:" + s.scenario + "}"] = K6Trend(s.latency);
    metrics["http_reqs{scenario:" + s.scenario + "}"] = {{"count", s.requests},
                                                         {"rate", s.throughput_rps}};
    metrics["http_req_failed{scenario:" + s.scenario + "}"] = {
        {"passes", s.errors.Total()},
        {"fails", s.requests - s.errors.Total()},
        {"value", s.ErrorRate()}};
    if (s.completion) {
      metrics["flowbench_completion{scenario:" + s.scenario + "}"] = K6Trend(*s.completion);
    }
    dropped += s.dropped_iterations;
  }
  metrics["dropped_iterations"] = {
      {"count", dropped},
      {"rate", run.duration_seconds == 0 ? 0 : double(dropped) / run.duration_seconds}};
  return {{"root_group",
           {{"name", ""}, {"path", ""}, {"groups", json::object()}, {"checks", json::object()}}},
          {"metrics", metrics}};
}

std::filesystem::path WriteReports(const RunResults& results, const std::filesystem::path& dir) {
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream out(dir / name);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
  };
  write("report.md", MarkdownReport(results));
  write("results.csv", CsvReport(results));
  for (const ProfileRun& run : results.runs) {
    write("k6-summary-" + run.arch + "-" + run.profile + "-" + std::to_string(run.repeat) + ".json",
          json::serialize(K6Summary(run)) + "\n");
  }
  write("report.html", HtmlReport(results));
  return dir / "report.html";
}

}  // namespace flowbench::report
