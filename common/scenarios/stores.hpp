// The business steps of the six scenarios that touch the database, as plain functions on a
// transaction and typed values. The sync handlers and the async consumers call exactly
// these, so both builds do the same database work; only the transport around them differs.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "common/domain/requests.hpp"
#include "common/domain/statuses.hpp"
#include "common/domain/work.hpp"

namespace flowbench {

// --- Scenario 1: registration -------------------------------------------------------------
struct User {
  std::int64_t id = 0;
  std::string email;
  bool welcome_email_sent = false;
};
User CreateUser(pqxx::work& tx, const Registration& registration);  // 409 on a taken email
void MarkWelcomeEmailSent(pqxx::work& tx, std::int64_t user_id);    // 404 for an unknown user
// The same, false instead of a 404: the async build withdraws a registration whose event
// could not be published, so its email consumer can meet a user that no longer exists.
bool MarkWelcomeEmailSentIfRegistered(pqxx::work& tx, std::int64_t user_id);
// Withdraws a registration (the async build, when its event could not be published), so the
// email can register again. False when there was no such user.
bool DeleteUser(pqxx::work& tx, std::int64_t user_id);
std::optional<User> FindUser(pqxx::work& tx, std::int64_t id);
boost::json::object ToJson(const User& user);

// --- Scenario 2: payment ------------------------------------------------------------------
struct Payment {
  std::string payment_id;
  double amount = 0;
  std::string currency;
  PaymentStatus status = PaymentStatus::kProcessing;
  std::string transaction_id;
};
Payment CreatePayment(pqxx::work& tx, const PaymentRequest& request, PaymentStatus status,
                      const std::string& transaction_id = {});
void SettlePayment(pqxx::work& tx, const std::string& payment_id, PaymentStatus status,
                   const std::string& transaction_id);  // 404 for an unknown payment
// The same, false instead of a 404 (a payment withdrawn by the async build, see DeletePayment).
bool SettlePaymentIfRecorded(pqxx::work& tx, const std::string& payment_id, PaymentStatus status,
                             const std::string& transaction_id);
// Withdraws a payment (the async build, when its event could not be published). False when
// there was no such payment.
bool DeletePayment(pqxx::work& tx, const std::string& payment_id);
std::optional<Payment> FindPayment(pqxx::work& tx, const std::string& payment_id);
boost::json::object ToJson(const Payment& payment);
std::string NewTransactionId();  // "txn_" + 24 hex digits

// --- Scenario 3: product update -----------------------------------------------------------
struct Product {
  std::int64_t id = 0;
  std::string name;
  std::int64_t stock = 0;
};
Product UpdateProduct(pqxx::work& tx, std::int64_t id, const ProductUpdate& update);  // 404
std::optional<Product> FindProduct(pqxx::work& tx, std::int64_t id);
std::vector<Product> ListProducts(pqxx::work& tx);
boost::json::object ToJson(const Product& product);

// --- Scenario 4: report job ---------------------------------------------------------------
struct ReportJob {
  std::string job_id;
  std::string report_type;
  ReportStatus status = ReportStatus::kQueued;
  std::optional<ReportResult> result;
};
ReportJob CreateReportJob(pqxx::work& tx, const ReportRequest& request, ReportStatus status);
void MarkReportRunning(pqxx::work& tx, const std::string& job_id);
void CompleteReportJob(pqxx::work& tx, const std::string& job_id, const ReportResult& result);
std::optional<ReportJob> FindReportJob(pqxx::work& tx, const std::string& job_id);
boost::json::object ToJson(const ReportJob& job);

// --- Scenario 5: order saga ---------------------------------------------------------------
struct Order {
  std::int64_t id = 0;
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
  OrderStatus status = OrderStatus::kPending;
};
Order CreateOrder(pqxx::work& tx, const OrderRequest& request);  // 404 for an unknown product
// Moves a pending order to `status`; returns false, changing nothing, when the order is no
// longer pending (a `failed` order never becomes `confirmed`, nor the other way round). 404
// for an unknown order.
bool SetOrderStatus(pqxx::work& tx, std::int64_t order_id, OrderStatus status);
std::optional<Order> FindOrder(pqxx::work& tx, std::int64_t id);
boost::json::object ToJson(const Order& order);
// Pending orders created more than `age` ago, oldest first, at most `limit`: sagas that were
// interrupted (a crash of the sync order service mid-saga) and wait for compensation.
std::vector<Order> FindPendingOrdersOlderThan(pqxx::work& tx, std::chrono::milliseconds age,
                                              std::size_t limit);

// One atomic UPDATE each (no read-modify-write): concurrent reservations never lose one.
// Both return the new `reserved`; an unknown product is a 404.
std::int64_t ReserveStock(pqxx::work& tx, std::int64_t product_id, std::int64_t quantity);
std::int64_t ReleaseStock(pqxx::work& tx, std::int64_t product_id, std::int64_t quantity);
std::optional<std::int64_t> FindReserved(pqxx::work& tx, std::int64_t product_id);

// The saga's payment authorisation, decided once per order (async build: a redelivered
// stock_reserved must not draw a second, possibly different, decision).
struct PaymentDecision {
  bool authorised = false;
  bool first_time = false;  // false: an earlier (or concurrent) handling decided it
};
// Records `authorised` for the order unless a decision is recorded already, and returns the
// recorded one: two concurrent handlings of the same order always agree.
PaymentDecision RecordPaymentDecision(pqxx::work& tx, std::int64_t order_id, bool authorised);
std::optional<bool> FindPaymentDecision(pqxx::work& tx, std::int64_t order_id);

// The sync build's authorisation, identified by its order id: the payment decision above,
// which the order service can void. A void is recorded under (step::kPaymentVoid,
// "order-<id>") in processed_messages; a void that comes before any decision also records a
// declined decision (a tombstone), so a late authorisation finds it and is refused.
std::optional<AuthorisationState> FindAuthorisation(pqxx::work& tx, std::int64_t order_id);
// Records `authorised` unless the order has a decision already, and returns the state in
// force: the recorded decision, or kVoided when the order's authorisation was voided.
AuthorisationState RecordAuthorisation(pqxx::work& tx, std::int64_t order_id, bool authorised);
// Voids the order's authorisation, whether or not it exists yet. False when it was voided
// before (nothing changed).
bool VoidAuthorisation(pqxx::work& tx, std::int64_t order_id);

// --- Scenario 6: clicks -------------------------------------------------------------------
struct ClickRow {
  ClickRequest click;
  std::chrono::system_clock::time_point clicked_at;
  std::string message_id;  // empty in the sync build (no message)
  std::string request_id;  // the driver's X-Request-Id, for the completion record ("": none)
};
// One multi-row INSERT (one statement: autocommit is enough); rows whose message_id was written
// before are skipped (redelivery). Says, row by row, which ones this INSERT wrote: a skipped row's
// work was done before. Returns the number of rows written.
std::vector<bool> InsertClicks(pqxx::transaction_base& tx, const std::vector<ClickRow>& rows);
std::int64_t CountClicks(pqxx::work& tx);

// --- External effects claimed once --------------------------------------------------------
// An effect outside the database (an email, a gateway call, hashing a report) cannot commit
// with its record, so it is claimed first: a row (effect, key) inserted if absent, committed
// before the effect. A redelivered message finds the claim and does not do the work again;
// `value` is what the first claim recorded (the gateway's transaction id), so a redelivery
// carries on with the same result.
struct EffectClaim {
  bool first_time = false;  // this call made the claim (or took over a lapsed one)
  std::string value;        // the value recorded by the claim in force
};
// `lease`: a claim older than this may be taken over (its claimant is presumed to have
// stopped before finishing); none: a claim is for good.
EffectClaim ClaimEffect(pqxx::work& tx, std::string_view effect, const std::string& key,
                        const std::string& value = {},
                        std::optional<std::chrono::milliseconds> lease = std::nullopt);

// --- Idempotent consumers -----------------------------------------------------------------
// Records that `consumer` handled `message_id`, in the caller's transaction, so the record
// and the effect commit together. False when it was recorded before: skip the effect.
bool MarkMessageProcessed(pqxx::work& tx, std::string_view consumer, const std::string& message_id);

}  // namespace flowbench
