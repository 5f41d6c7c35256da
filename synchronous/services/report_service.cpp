// report (scenario 4, CPU report job): POST /generate_report records the job as running,
// hashes for report_cpu_time of CPU inside the request (the worker thread is busy all
// along, and so is a core), records the result and answers 200 with it. GET /jobs/{id}
// reads the job.
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/stores.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

Reply GenerateReport(Service& service, const Request& request) {
  ReportRequest report = ParseReportRequest(request.body());
  ReportJob job = service.Transact(
      [&](pqxx::work& tx) { return CreateReportJob(tx, report, ReportStatus::kRunning); });
  narrate::ReportJobRecorded(request.trace(), job);
  // The CPU work, on the request's own thread.
  std::chrono::milliseconds cpu_time = service.workload().report_cpu_time;
  narrate::ReportHashing(request.trace(), cpu_time, "on this request's thread");
  ReportResult result = flowbench::GenerateReport(report.report_type, cpu_time);
  service.Transact([&](pqxx::work& tx) { CompleteReportJob(tx, job.job_id, result); });
  narrate::ReportJobMoved(request.trace(), job.job_id, ReportStatus::kCompleted);
  service.CompleteScenario(scenario::kReportJob, request, WorkOutcome::kDone);
  return Reply{200,
               {{"status", ToString(ReportStatus::kCompleted)},
                {"job_id", job.job_id},
                {"report_type", report.report_type},
                {"report_hash", result.report_hash},
                {"computation_time_seconds", result.computation_time_seconds},
                {"iterations", result.iterations}}};
}

Reply GetReportJob(Service& service, const Request& request) {
  std::string id = request.PathParam();
  return service.Transact([&](pqxx::work& tx) { return ReportJobReply(tx, id); });
}

void AddRoutes(Service& service) {
  service.Post("/generate_report", GenerateReport);
  service.Get("/jobs/{id}", GetReportJob);
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("report", argc, argv, flowbench::sync::AddRoutes);
}
