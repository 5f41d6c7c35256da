// report (scenario 4, CPU report job): POST /generate_report records the job as queued with
// its report_requested event in one transaction (the outbox) and answers 202; its worker marks the
// job running, hashes for report_cpu_time on the bounded CPU pool (never on the event loop) and
// records the result. GET /jobs/{id} reads the job (queued -> running -> completed).
//
// Consumes: report_jobs_queue, as many deliveries at once as CPU workers.
#include "asynchronous/runtime/service.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/step_names.hpp"
#include "common/scenarios/stores.hpp"

namespace flowbench::async {
namespace {

// How long a hashing claim holds beyond four times the CPU time, before another delivery may
// take it over.
constexpr std::chrono::milliseconds kHashingLeaseBase{10'000};

Task<Reply> GenerateReport(Service& service, const Request& request) {
  ReportRequest report = ParseReportRequest(request.body());
  auto insert = [&](pqxx::work& tx) { return CreateReportJob(tx, report, ReportStatus::kQueued); };
  // The CPU work, published: a worker does it after this answer.
  auto requested = [](const ReportJob& job) {
    return ReportRequested{job.job_id, job.report_type};
  };
  ReportJob job =
      co_await service.TransactWithEvent(request, topology::kReportRequested, insert, requested);
  narrate::ReportJobRecorded(request.trace(), job);
  co_return Reply{202,
                  {{"job_id", job.job_id},
                   {"status", ToString(ReportStatus::kQueued)},
                   {"message", "report queued; poll GET /jobs/" + job.job_id}}};
}

Task<Outcome> HashReport(Service& service, const IncomingMessage& message) {
  auto event = PayloadAs<ReportRequested>(message.envelope);
  std::optional<ReportJob> job = co_await service.Transact([&](pqxx::work& tx) {
    std::optional<ReportJob> found = FindReportJob(tx, event.job_id);
    if (found && found->status == ReportStatus::kQueued) MarkReportRunning(tx, event.job_id);
    return found;
  });
  if (!job) throw DoesNotExist("report job", event.job_id);
  if (job->status == ReportStatus::kCompleted) co_return Outcome::kDuplicate;
  // Hashed once per job: a redelivery while an earlier handling hashes waits (requeued,
  // using up no attempt) until the result is stored; a claim left by a handling that
  // stopped before storing lapses after the lease, and the next delivery hashes again.
  const std::chrono::milliseconds lease =
      kHashingLeaseBase + 4 * service.workload().report_cpu_time;
  EffectClaim hashing = co_await service.Transact([&](pqxx::work& tx) {
    return ClaimEffect(tx, effect::kReportHashing, event.job_id, {}, lease);
  });
  if (!hashing.first_time) {
    throw ServiceUnavailable("report job " + event.job_id +
                             " is being hashed by an earlier delivery; this one waits for it");
  }
  narrate::ReportJobMoved(message.trace, event.job_id, ReportStatus::kRunning);
  // The CPU work, on the bounded CPU pool.
  std::chrono::milliseconds cpu_time = service.workload().report_cpu_time;
  narrate::ReportHashing(message.trace, cpu_time, "on the bounded CPU pool, off the event loop");
  ReportResult result = co_await service.Compute(
      [&] { return flowbench::GenerateReport(event.report_type, cpu_time); });
  bool first = co_await service.Transact([&](pqxx::work& tx) {
    if (!MarkMessageProcessed(tx, step::kReport, message.envelope.message_id)) return false;
    CompleteReportJob(tx, event.job_id, result);
    return true;
  });
  if (!first) co_return Outcome::kDuplicate;
  narrate::ReportJobMoved(message.trace, event.job_id, ReportStatus::kCompleted);
  service.CompleteScenario(scenario::kReportJob, message, WorkOutcome::kDone);
  co_return Outcome::kDone;
}

Task<Reply> GetReportJob(Service& service, const Request& request) {
  std::string id = request.PathParam();
  co_return co_await service.Transact([&](pqxx::work& tx) { return ReportJobReply(tx, id); });
}

void AddRoutes(Service& service) {
  service.UseOutbox();
  service.Post("/generate_report", GenerateReport);
  // As many deliveries as CPU workers: a job is "running" only while a worker hashes it.
  service.Consume(topology::kReportJobsQueue, HashReport, service.settings().CpuPoolSize());
  service.Get("/jobs/{id}", GetReportJob);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("report", argc, argv, flowbench::async::AddRoutes);
}
