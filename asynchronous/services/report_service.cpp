// report (scenario 4, CPU job): POST /generate_report records a queued job and publishes
// report_requested; its worker marks the job running, hashes on the bounded CPU pool (never
// on the event loop) and completes it. GET /jobs/{id} shows queued -> running -> completed.
#include "asynchronous/runtime/service.hpp"
#include "common/domain/errors.hpp"
#include "common/domain/work.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"

using namespace flowbench;
using namespace flowbench::async;

int main(int argc, char** argv) {
  return RunService("report", argc, argv, [](ServiceContext& ctx) {
    ctx.Post("/generate_report", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      ReportRequest report = ParseReportRequest(request.body);
      ReportJob job = co_await ctx.Transact(
          [&](pqxx::work& tx) { return CreateReportJob(tx, report, "queued"); });
      RecordSpan(request.trace, span::kWrite, "report_jobs row " + job.job_id + " queued",
                 {{"table", "report_jobs"}, {"id", job.job_id}});
      ReportRequested event{job.job_id, job.report_type};
      Origin origin = Origin::Of(request);
      co_await ctx.PublishAccepted(topology::kReportRequested, event, origin);
      co_return JsonResponse(202, {{"job_id", job.job_id},
                                   {"status", "queued"},
                                   {"message", "report queued; poll GET /jobs/" + job.job_id}});
    });

    ctx.Get("/jobs/{id}", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      std::string id = request.Param("id");
      std::optional<ReportJob> job =
          co_await ctx.Transact([&](pqxx::work& tx) { return FindReportJob(tx, id); });
      if (!job) throw NotFound("report job " + id + " does not exist");
      co_return JsonResponse(200, ToJson(*job));
    });

    // As many deliveries as CPU workers: a job is "running" only while a worker hashes it.
    ctx.Consume(
        topology::kReportJobsQueue,
        [&ctx](const IncomingMessage& message) -> Task<Outcome> {
          auto event = PayloadAs<ReportRequested>(message.envelope);
          std::optional<ReportJob> job = co_await ctx.Transact([&](pqxx::work& tx) {
            std::optional<ReportJob> found = FindReportJob(tx, event.job_id);
            if (found && found->status == "queued") MarkReportRunning(tx, event.job_id);
            return found;
          });
          if (!job) throw NotFound("report job " + event.job_id + " does not exist");
          if (job->status == "completed") co_return Outcome::kDuplicate;
          RecordSpan(message.trace, span::kWrite, "report_jobs " + event.job_id + " -> running",
                     {{"table", "report_jobs"}, {"id", event.job_id}});

          std::chrono::milliseconds cpu_time = ctx.workload().report_cpu_time;
          RecordSpan(message.trace, span::kCompute,
                     "SHA-256 report (" + std::to_string(cpu_time.count()) +
                         " ms of CPU on the bounded CPU pool, off the event loop)");
          ReportResult result =
              co_await ctx.Compute([&] { return GenerateReport(event.report_type, cpu_time); });

          bool first = co_await ctx.Transact([&](pqxx::work& tx) {
            if (!MarkMessageProcessed(tx, "report", message.envelope.message_id)) return false;
            CompleteReportJob(tx, event.job_id, result);
            return true;
          });
          if (!first) co_return Outcome::kDuplicate;
          RecordSpan(message.trace, span::kWrite, "report_jobs " + event.job_id + " -> completed",
                     {{"table", "report_jobs"}, {"id", event.job_id}});
          ctx.ObserveCompletion("scenario4", message.envelope.accepted_at);
          co_return Outcome::kDone;
        },
        ctx.settings().CpuPoolSize());
  });
}
