// payment (scenario 2, and the order saga's payment step).
//  - POST /process_payment records the payment as processing, waits for the gateway
//    (payment_gateway_delay), settles it and answers 200 with the transaction;
//  - GET /payments/{id} reads it;
//  - in the saga, POST /authorize waits saga_payment_delay, then authorises or declines
//    (probability payment_failure_rate of declining).
//
// Serves (internal): POST /authorize {"order_id", "product_id", "quantity"}
//   -> 200 {"authorized": true|false}. Not idempotent (a charge): callers never retry it.
#include "common/domain/json_fields.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/stores.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

Reply ProcessPayment(Service& service, const Request& request) {
  PaymentRequest payment_request = ParsePaymentRequest(request.body());
  Payment payment = service.Transact([&](pqxx::work& tx) {
    return CreatePayment(tx, payment_request, PaymentStatus::kProcessing);
  });
  narrate::PaymentRecorded(request.trace(), payment);
  // The gateway, waited for inside the request.
  Wait(request.trace(), "payment gateway", service.workload().payment_gateway_delay);
  std::string transaction_id = NewTransactionId();
  service.Transact([&](pqxx::work& tx) {
    SettlePayment(tx, payment.payment_id, PaymentStatus::kSucceeded, transaction_id);
  });
  narrate::PaymentSettled(request.trace(), payment.payment_id, PaymentStatus::kSucceeded);
  service.CompleteScenario(scenario::kBackgroundPayment, request, WorkOutcome::kDone);
  return Reply{200,
               {{"status", "success"},
                {"payment_id", payment.payment_id},
                {"transaction_id", transaction_id},
                {"amount", payment.amount},
                {"currency", payment.currency}}};
}

Reply GetPayment(Service& service, const Request& request) {
  std::string id = request.PathParam();
  return service.Transact([&](pqxx::work& tx) { return PaymentReply(tx, id); });
}

// The saga's authorisation of one order, asked by the order service.
Reply Authorize(Service& service, const Request& request) {
  boost::json::object json = ParseJsonObject(request.body());
  std::int64_t order_id = JsonFields(json).Integer("order_id");
  Wait(request.trace(), "payment authorisation", service.workload().saga_payment_delay);
  bool authorized = AuthorisePayment(service.workload().payment_failure_rate);
  boost::json::object body{{"order_id", order_id}, {"authorized", authorized}};
  if (!authorized) body["reason"] = "payment declined";
  return Reply{200, body};
}

void AddRoutes(Service& service) {
  service.Post("/process_payment", ProcessPayment);
  service.Get("/payments/{id}", GetPayment);
  service.Post("/authorize", Authorize);
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("payment", argc, argv, flowbench::sync::AddRoutes);
}
