// payment (scenario 2, and the order saga's payment step).
//  - POST /process_payment records the payment as processing, waits for the gateway
//    (payment_gateway_delay), settles it and answers 200 with the transaction;
//  - GET /payments/{id} reads it;
//  - in the saga, POST /authorize waits saga_payment_delay, then authorises or declines
//    (probability payment_failure_rate of declining). The authorisation's id is its order id:
//    it is decided once per order (payment_decisions), so a repeated call answers the recorded
//    decision at once and never charges twice;
//  - POST /void cancels an order's authorisation; one that has not arrived yet is refused
//    when it does (a tombstone). GET /authorizations/{id} says which state it is in.
//
// Serves (internal): POST /authorize {"order_id", "product_id", "quantity"}
//   -> 200 {"order_id", "authorized": true|false, "state", "reason"?}. Idempotent per order,
//   but the order service still calls it once: a retry would wait saga_payment_delay again.
// POST /void {"order_id"} -> 200 {"order_id", "state": "voided", "applied": true|false}.
// GET /authorizations/{order_id} -> 200 {"order_id", "state"}, 404 when nothing is recorded.
#include "common/domain/errors.hpp"
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

std::int64_t ParseOrderId(std::string_view body) {
  boost::json::object json = ParseJsonObject(body);
  return JsonFields(json).Integer("order_id");
}

Reply AuthorisationReply(std::int64_t order_id, AuthorisationState state) {
  boost::json::object body{{"order_id", order_id},
                           {"authorized", state == AuthorisationState::kAuthorized},
                           {"state", ToString(state)}};
  if (state == AuthorisationState::kDeclined) body["reason"] = "payment declined";
  if (state == AuthorisationState::kVoided) body["reason"] = "authorisation voided";
  return Reply{200, body};
}

// The saga's authorisation of one order, asked by the order service: the recorded one, if
// this order has one (a repeated call); else a new decision after the authorisation call,
// recorded unless a void came while it waited.
Reply Authorize(Service& service, const Request& request) {
  std::int64_t order_id = ParseOrderId(request.body());
  std::optional<AuthorisationState> recorded =
      service.Transact([&](pqxx::work& tx) { return FindAuthorisation(tx, order_id); });
  if (recorded) return AuthorisationReply(order_id, *recorded);
  Wait(request.trace(), "payment authorisation", service.workload().saga_payment_delay);
  bool authorised = AuthorisePayment(service.workload().payment_failure_rate);
  AuthorisationState state = service.Transact(
      [&](pqxx::work& tx) { return RecordAuthorisation(tx, order_id, authorised); });
  narrate::PaymentDecided(request.trace(), order_id, state == AuthorisationState::kAuthorized);
  return AuthorisationReply(order_id, state);
}

// Cancels an order's authorisation (the order service gave up on it, or compensates the
// order): taken or not, arrived or not, it is never answered as authorised again.
Reply Void(Service& service, const Request& request) {
  std::int64_t order_id = ParseOrderId(request.body());
  bool applied = service.Transact([&](pqxx::work& tx) { return VoidAuthorisation(tx, order_id); });
  return Reply{200,
               {{"order_id", order_id},
                {"state", ToString(AuthorisationState::kVoided)},
                {"applied", applied}}};
}

Reply GetAuthorisation(Service& service, const Request& request) {
  std::int64_t order_id = request.PathId("authorization");
  std::optional<AuthorisationState> state =
      service.Transact([&](pqxx::work& tx) { return FindAuthorisation(tx, order_id); });
  if (!state) throw DoesNotExist("authorization", std::to_string(order_id));
  return Reply{200, {{"order_id", order_id}, {"state", ToString(*state)}}};
}

void AddRoutes(Service& service) {
  service.Post("/process_payment", ProcessPayment);
  service.Get("/payments/{id}", GetPayment);
  service.Post("/authorize", Authorize);
  service.Post("/void", Void);
  service.Get("/authorizations/{id}", GetAuthorisation);
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("payment", argc, argv, flowbench::sync::AddRoutes);
}
