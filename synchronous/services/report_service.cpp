// The report service, scenario 4 (CPU report job): POST /generate_report records the job,
// hashes for report_cpu_time of CPU inside the request (the worker thread is busy all
// along, and so is a core), records the result and answers 200 with it.
//
// Reads: GET /jobs/{id}.
#include "common/domain/errors.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

void AddRoutes(Service& service) {
  service.Post("/generate_report", [&](const Call& call) {
    ReportRequest request = ParseReportRequest(call.body());
    ReportJob job = service.db().Transact(
        [&](pqxx::work& tx) { return CreateReportJob(tx, request, "running"); });
    RecordSpan(call.trace(), span::kWrite, "report_jobs row " + job.job_id + " running",
               {{"table", "report_jobs"}, {"id", job.job_id}});
    RecordSpan(call.trace(), span::kCompute,
               "SHA-256 report (" + std::to_string(service.workload().report_cpu_time.count()) +
                   " ms of CPU on this request's thread)");
    ReportResult result = GenerateReport(request.report_type, service.workload().report_cpu_time);
    service.db().Transact([&](pqxx::work& tx) { CompleteReportJob(tx, job.job_id, result); });
    RecordSpan(call.trace(), span::kWrite, "report_jobs " + job.job_id + " -> completed",
               {{"table", "report_jobs"}, {"id", job.job_id}});
    service.CompleteScenario("scenario4", call);
    return Reply{200,
                 {{"status", "completed"},
                  {"job_id", job.job_id},
                  {"report_type", request.report_type},
                  {"report_hash", result.report_hash},
                  {"computation_time_seconds", result.computation_time_seconds},
                  {"iterations", result.iterations}}};
  });

  service.Get("/jobs/{id}", [&](const Call& call) {
    std::string job_id = call.PathParam();
    auto job = service.db().Transact([&](pqxx::work& tx) { return FindReportJob(tx, job_id); });
    if (!job) throw NotFound("report job '" + job_id + "' does not exist");
    return Reply{200, ToJson(*job)};
  });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("report", argc, argv, flowbench::sync::AddRoutes);
}
