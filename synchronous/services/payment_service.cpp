// The payment service.
// Scenario 2: POST /process_payment records the payment as processing, waits for the
// gateway (payment_gateway_delay), settles it and answers 200 with the transaction.
// Scenario 5: POST /authorize is the order saga's payment step: waits saga_payment_delay,
// then authorises or declines (probability payment_failure_rate of declining).
//
// Serves (internal): POST /authorize {"order_id", "product_id", "quantity"}
//   -> 200 {"authorized": true|false}. Not idempotent (a charge): callers never retry it.
// Reads: GET /payments/{id}.
#include <thread>

#include "common/domain/errors.hpp"
#include "common/domain/json_fields.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

void AddRoutes(Service& service) {
  service.Post("/process_payment", [&](const Call& call) {
    PaymentRequest request = ParsePaymentRequest(call.body());
    Payment payment = service.db().Transact(
        [&](pqxx::work& tx) { return CreatePayment(tx, request, "processing"); });
    RecordSpan(call.trace(), span::kWrite, "payments row " + payment.payment_id + " processing",
               {{"table", "payments"}, {"id", payment.payment_id}});
    RecordSpan(call.trace(), span::kWait,
               "payment gateway (" +
                   std::to_string(service.workload().payment_gateway_delay.count()) +
                   " ms, blocking this thread)");
    std::this_thread::sleep_for(service.workload().payment_gateway_delay);
    std::string transaction_id = NewTransactionId();
    service.db().Transact([&](pqxx::work& tx) {
      SettlePayment(tx, payment.payment_id, "succeeded", transaction_id);
    });
    RecordSpan(call.trace(), span::kWrite, "payments " + payment.payment_id + " -> succeeded",
               {{"table", "payments"}, {"id", payment.payment_id}});
    service.CompleteScenario("scenario2", call);
    return Reply{200,
                 {{"status", "success"},
                  {"payment_id", payment.payment_id},
                  {"transaction_id", transaction_id},
                  {"amount", payment.amount},
                  {"currency", payment.currency}}};
  });

  service.Get("/payments/{id}", [&](const Call& call) {
    std::string payment_id = call.PathParam();
    auto payment =
        service.db().Transact([&](pqxx::work& tx) { return FindPayment(tx, payment_id); });
    if (!payment) throw NotFound("payment '" + payment_id + "' does not exist");
    return Reply{200, ToJson(*payment)};
  });

  service.Post("/authorize", [&](const Call& call) {
    boost::json::object json = ParseJsonObject(call.body());
    std::int64_t order_id = JsonFields(json).Integer("order_id");
    RecordSpan(call.trace(), span::kWait,
               "payment authorisation (" +
                   std::to_string(service.workload().saga_payment_delay.count()) +
                   " ms, blocking this thread)");
    std::this_thread::sleep_for(service.workload().saga_payment_delay);
    bool authorized = AuthorisePayment(service.workload().payment_failure_rate);
    boost::json::object body{{"order_id", order_id}, {"authorized", authorized}};
    if (!authorized) body["reason"] = "payment declined";
    return Reply{200, body};
  });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("payment", argc, argv, flowbench::sync::AddRoutes);
}
