#include "common/scenarios/narration.hpp"

#include "common/telemetry/span.hpp"

namespace flowbench::narrate {
namespace {

std::string Ms(std::chrono::milliseconds duration) { return std::to_string(duration.count()); }

}  // namespace

void Waiting(const TraceContext& trace, std::string_view what, std::chrono::milliseconds duration,
             std::string_view how) {
  RecordSpan(trace, span::kWait,
             std::string(what) + " (" + Ms(duration) + " ms, " + std::string(how) + ")");
}

void UserInserted(const TraceContext& trace, std::int64_t user_id) {
  RecordSpan(trace, span::kWrite, "users row " + std::to_string(user_id) + " inserted",
             {{"table", "users"}, {"id", user_id}});
}

void WelcomeEmailSent(const TraceContext& trace, std::int64_t user_id) {
  RecordSpan(trace, span::kWrite, "users " + std::to_string(user_id) + " welcome_email_sent = true",
             {{"table", "users"}, {"id", user_id}});
}

void UserWithdrawn(const TraceContext& trace, std::int64_t user_id) {
  RecordSpan(trace, span::kCompensate,
             "users row " + std::to_string(user_id) + " deleted (event not published)",
             {{"table", "users"}, {"id", user_id}});
}

void PaymentRecorded(const TraceContext& trace, const Payment& payment) {
  RecordSpan(trace, span::kWrite,
             "payments row " + payment.payment_id + " " + std::string(ToString(payment.status)),
             {{"table", "payments"}, {"id", payment.payment_id}});
}

void PaymentSettled(const TraceContext& trace, const std::string& payment_id,
                    PaymentStatus status) {
  RecordSpan(trace, span::kWrite, "payments " + payment_id + " -> " + std::string(ToString(status)),
             {{"table", "payments"}, {"id", payment_id}});
}

void PaymentWithdrawn(const TraceContext& trace, const std::string& payment_id) {
  RecordSpan(trace, span::kCompensate,
             "payments row " + payment_id + " deleted (event not published)",
             {{"table", "payments"}, {"id", payment_id}});
}

void ProductUpdated(const TraceContext& trace, const Product& product) {
  RecordSpan(trace, span::kWrite,
             "products " + std::to_string(product.id) + " updated (stock " +
                 std::to_string(product.stock) + ")",
             {{"table", "products"}, {"id", product.id}});
}

void ReportJobRecorded(const TraceContext& trace, const ReportJob& job) {
  RecordSpan(trace, span::kWrite,
             "report_jobs row " + job.job_id + " " + std::string(ToString(job.status)),
             {{"table", "report_jobs"}, {"id", job.job_id}});
}

void ReportJobMoved(const TraceContext& trace, const std::string& job_id, ReportStatus status) {
  RecordSpan(trace, span::kWrite, "report_jobs " + job_id + " -> " + std::string(ToString(status)),
             {{"table", "report_jobs"}, {"id", job_id}});
}

void ReportHashing(const TraceContext& trace, std::chrono::milliseconds cpu_time,
                   std::string_view where) {
  RecordSpan(trace, span::kCompute,
             "SHA-256 report (" + Ms(cpu_time) + " ms of CPU " + std::string(where) + ")");
}

void OrderCreated(const TraceContext& trace, const Order& order) {
  RecordSpan(trace, span::kWrite,
             "orders row " + std::to_string(order.id) + " " + std::string(ToString(order.status)) +
                 " (product " + std::to_string(order.product_id) + ", quantity " +
                 std::to_string(order.quantity) + ")",
             {{"table", "orders"}, {"id", order.id}, {"status", ToString(order.status)}});
}

void OrderMoved(const TraceContext& trace, std::int64_t order_id, OrderStatus status,
                std::string_view reason) {
  std::string text = "orders " + std::to_string(order_id) + " -> " + std::string(ToString(status));
  if (!reason.empty()) text += " (" + std::string(reason) + ")";
  RecordSpan(trace, status == OrderStatus::kFailed ? span::kCompensate : span::kWrite, text,
             {{"table", "orders"}, {"id", order_id}, {"status", ToString(status)}});
}

void StockReserved(const TraceContext& trace, std::int64_t product_id, std::int64_t reserved) {
  RecordSpan(trace, span::kWrite,
             "stock reserved: product " + std::to_string(product_id) + " reserved " +
                 std::to_string(reserved),
             {{"table", "inventory"}, {"product_id", product_id}, {"reserved", reserved}});
}

void StockReleased(const TraceContext& trace, std::int64_t product_id, std::int64_t reserved) {
  RecordSpan(trace, span::kCompensate,
             "stock released: product " + std::to_string(product_id) + " reserved back to " +
                 std::to_string(reserved),
             {{"table", "inventory"}, {"product_id", product_id}, {"reserved", reserved}});
}

void PaymentDecided(const TraceContext& trace, std::int64_t order_id, bool authorised) {
  RecordSpan(trace, span::kWrite,
             "payment_decisions row " + std::to_string(order_id) +
                 (authorised ? " authorised" : " declined"),
             {{"table", "payment_decisions"}, {"id", order_id}, {"authorised", authorised}});
}

}  // namespace flowbench::narrate
