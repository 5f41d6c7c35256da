#include "common/scenarios/stores.hpp"

#include <openssl/rand.h>

#include <set>
#include <vector>

#include "common/domain/errors.hpp"
#include "common/domain/events.hpp"
#include "common/scenarios/step_names.hpp"

namespace flowbench {
namespace {

std::string RandomHex(int bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  unsigned char buffer[32];
  if (RAND_bytes(buffer, bytes) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
  std::string hex;
  for (int i = 0; i < bytes; ++i) {
    hex += kDigits[buffer[i] >> 4];
    hex += kDigits[buffer[i] & 0xf];
  }
  return hex;
}

std::string TextOrEmpty(const pqxx::field& f) { return f.is_null() ? "" : f.as<std::string>(); }

// A status column: one of the enum's texts (the schema's CHECK), else the row is corrupt.
template <typename Status>
Status StatusOf(const pqxx::field& f, std::optional<Status> (*parse)(std::string_view)) {
  std::string text = f.as<std::string>();
  std::optional<Status> status = parse(text);
  if (!status) throw std::runtime_error("unknown status '" + text + "' in the database");
  return *status;
}

User ReadUser(const pqxx::row& r) {
  return User{r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<bool>()};
}

Payment ReadPayment(const pqxx::row& r) {
  return Payment{r[0].as<std::string>(), r[1].as<double>(), r[2].as<std::string>(),
                 StatusOf(r[3], ParsePaymentStatus), TextOrEmpty(r[4])};
}

Product ReadProduct(const pqxx::row& r) {
  return Product{r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::int64_t>()};
}

Order ReadOrder(const pqxx::row& r) {
  return Order{r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(),
               StatusOf(r[3], ParseOrderStatus)};
}

std::int64_t ChangeReserved(pqxx::work& tx, std::int64_t product_id, std::int64_t delta) {
  // GREATEST keeps the CHECK (reserved >= 0) from failing a release that raced a reset.
  pqxx::result r = tx.exec_params(
      "UPDATE inventory SET reserved = GREATEST(reserved + $2, 0) WHERE product_id = $1 "
      "RETURNING reserved",
      product_id, delta);
  if (r.empty()) throw NotFound("product " + std::to_string(product_id) + " does not exist");
  return r[0][0].as<std::int64_t>();
}

}  // namespace

// --- Scenario 1 ---------------------------------------------------------------------------
User CreateUser(pqxx::work& tx, const Registration& registration) {
  pqxx::result r = tx.exec_params(
      "INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) DO NOTHING "
      "RETURNING id, email, welcome_email_sent",
      registration.email);
  if (r.empty()) throw Conflict("a user with email " + registration.email + " already exists");
  return ReadUser(r[0]);
}

void MarkWelcomeEmailSent(pqxx::work& tx, std::int64_t user_id) {
  if (!MarkWelcomeEmailSentIfRegistered(tx, user_id)) {
    throw NotFound("user " + std::to_string(user_id) + " does not exist");
  }
}

bool MarkWelcomeEmailSentIfRegistered(pqxx::work& tx, std::int64_t user_id) {
  pqxx::result r = tx.exec_params(
      "UPDATE users SET welcome_email_sent = TRUE, email_sent_at = now() WHERE id = $1", user_id);
  return r.affected_rows() == 1;
}

bool DeleteUser(pqxx::work& tx, std::int64_t user_id) {
  return tx.exec_params("DELETE FROM users WHERE id = $1", user_id).affected_rows() == 1;
}

std::optional<User> FindUser(pqxx::work& tx, std::int64_t id) {
  pqxx::result r =
      tx.exec_params("SELECT id, email, welcome_email_sent FROM users WHERE id = $1", id);
  if (r.empty()) return std::nullopt;
  return ReadUser(r[0]);
}

boost::json::object ToJson(const User& u) {
  return {{"id", u.id}, {"email", u.email}, {"welcome_email_sent", u.welcome_email_sent}};
}

// --- Scenario 2 ---------------------------------------------------------------------------
std::string NewTransactionId() { return "txn_" + RandomHex(12); }

Payment CreatePayment(pqxx::work& tx, const PaymentRequest& request, PaymentStatus status,
                      const std::string& transaction_id) {
  Payment payment{NewMessageId(), request.amount, request.currency, status, transaction_id};
  tx.exec_params(
      "INSERT INTO payments (payment_id, amount, currency, status, transaction_id, settled_at) "
      "VALUES ($1, $2, $3, $4, NULLIF($5, ''), CASE WHEN $4 = 'processing' THEN NULL ELSE now() "
      "END)",
      payment.payment_id, payment.amount, payment.currency, std::string(ToString(payment.status)),
      transaction_id);
  return payment;
}

void SettlePayment(pqxx::work& tx, const std::string& payment_id, PaymentStatus status,
                   const std::string& transaction_id) {
  if (!SettlePaymentIfRecorded(tx, payment_id, status, transaction_id)) {
    throw DoesNotExist("payment", payment_id);
  }
}

bool SettlePaymentIfRecorded(pqxx::work& tx, const std::string& payment_id, PaymentStatus status,
                             const std::string& transaction_id) {
  pqxx::result r = tx.exec_params(
      "UPDATE payments SET status = $2, transaction_id = $3, settled_at = now() "
      "WHERE payment_id = $1",
      payment_id, std::string(ToString(status)), transaction_id);
  return r.affected_rows() == 1;
}

bool DeletePayment(pqxx::work& tx, const std::string& payment_id) {
  return tx.exec_params("DELETE FROM payments WHERE payment_id = $1", payment_id).affected_rows() ==
         1;
}

std::optional<Payment> FindPayment(pqxx::work& tx, const std::string& payment_id) {
  pqxx::result r = tx.exec_params(
      "SELECT payment_id, amount, currency, status, transaction_id FROM payments "
      "WHERE payment_id = $1",
      payment_id);
  if (r.empty()) return std::nullopt;
  return ReadPayment(r[0]);
}

boost::json::object ToJson(const Payment& p) {
  boost::json::object json{{"payment_id", p.payment_id},
                           {"status", ToString(p.status)},
                           {"amount", p.amount},
                           {"currency", p.currency}};
  if (!p.transaction_id.empty()) json["transaction_id"] = p.transaction_id;
  return json;
}

// --- Scenario 3 ---------------------------------------------------------------------------
Product UpdateProduct(pqxx::work& tx, std::int64_t id, const ProductUpdate& update) {
  pqxx::result r = tx.exec_params(
      "UPDATE products SET name = CASE WHEN $2 THEN $3 ELSE name END, "
      "stock = CASE WHEN $4 THEN $5::bigint ELSE stock END, updated_at = now() "
      "WHERE id = $1 RETURNING id, name, stock",
      id, update.name.has_value(), update.name.value_or(""), update.stock.has_value(),
      update.stock.value_or(0));
  if (r.empty()) throw NotFound("product " + std::to_string(id) + " does not exist");
  return ReadProduct(r[0]);
}

std::optional<Product> FindProduct(pqxx::work& tx, std::int64_t id) {
  pqxx::result r = tx.exec_params("SELECT id, name, stock FROM products WHERE id = $1", id);
  if (r.empty()) return std::nullopt;
  return ReadProduct(r[0]);
}

std::vector<Product> ListProducts(pqxx::work& tx) {
  std::vector<Product> products;
  for (const pqxx::row& r : tx.exec("SELECT id, name, stock FROM products ORDER BY id")) {
    products.push_back(ReadProduct(r));
  }
  return products;
}

boost::json::object ToJson(const Product& p) {
  return {{"id", p.id}, {"name", p.name}, {"stock", p.stock}};
}

// --- Scenario 4 ---------------------------------------------------------------------------
ReportJob CreateReportJob(pqxx::work& tx, const ReportRequest& request, ReportStatus status) {
  ReportJob job{NewMessageId(), request.report_type, status, std::nullopt};
  tx.exec_params("INSERT INTO report_jobs (job_id, report_type, status) VALUES ($1, $2, $3)",
                 job.job_id, job.report_type, std::string(ToString(job.status)));
  return job;
}

void MarkReportRunning(pqxx::work& tx, const std::string& job_id) {
  tx.exec_params(
      "UPDATE report_jobs SET status = 'running' WHERE job_id = $1 AND status = 'queued'", job_id);
}

void CompleteReportJob(pqxx::work& tx, const std::string& job_id, const ReportResult& result) {
  pqxx::result r = tx.exec_params(
      "UPDATE report_jobs SET status = 'completed', report_hash = $2, iterations = $3, "
      "computation_time_seconds = $4, completed_at = now() WHERE job_id = $1",
      job_id, result.report_hash, static_cast<std::int64_t>(result.iterations),
      result.computation_time_seconds);
  if (r.affected_rows() == 0) throw NotFound("report job " + job_id + " does not exist");
}

std::optional<ReportJob> FindReportJob(pqxx::work& tx, const std::string& job_id) {
  pqxx::result r = tx.exec_params(
      "SELECT job_id, report_type, status, report_hash, iterations, computation_time_seconds "
      "FROM report_jobs WHERE job_id = $1",
      job_id);
  if (r.empty()) return std::nullopt;
  const pqxx::row& row = r[0];
  ReportJob job{row[0].as<std::string>(), row[1].as<std::string>(),
                StatusOf(row[2], ParseReportStatus), std::nullopt};
  if (!row[3].is_null()) {
    ReportResult result;
    result.report_hash = row[3].as<std::string>();
    result.iterations = row[4].is_null() ? 0 : row[4].as<std::uint64_t>();
    result.computation_time_seconds = row[5].is_null() ? 0 : row[5].as<double>();
    job.result = result;
  }
  return job;
}

boost::json::object ToJson(const ReportJob& job) {
  boost::json::object json{
      {"job_id", job.job_id}, {"report_type", job.report_type}, {"status", ToString(job.status)}};
  if (job.result) {
    json["report_hash"] = job.result->report_hash;
    json["iterations"] = job.result->iterations;
    json["computation_time_seconds"] = job.result->computation_time_seconds;
  }
  return json;
}

// --- Scenario 5 ---------------------------------------------------------------------------
Order CreateOrder(pqxx::work& tx, const OrderRequest& request) {
  pqxx::result r = tx.exec_params(
      "INSERT INTO orders (product_id, quantity, status) "
      "SELECT id, $2, 'pending' FROM products WHERE id = $1 "
      "RETURNING id, product_id, quantity, status",
      request.product_id, request.quantity);
  if (r.empty()) {
    throw NotFound("product " + std::to_string(request.product_id) + " does not exist");
  }
  return ReadOrder(r[0]);
}

bool SetOrderStatus(pqxx::work& tx, std::int64_t order_id, OrderStatus status) {
  pqxx::result r = tx.exec_params(
      "UPDATE orders SET status = $2, updated_at = now() WHERE id = $1 AND status = 'pending' "
      "RETURNING id",
      order_id, std::string(ToString(status)));
  if (!r.empty()) return true;
  if (!FindOrder(tx, order_id)) {
    throw NotFound("order " + std::to_string(order_id) + " does not exist");
  }
  return false;
}

std::optional<Order> FindOrder(pqxx::work& tx, std::int64_t id) {
  pqxx::result r =
      tx.exec_params("SELECT id, product_id, quantity, status FROM orders WHERE id = $1", id);
  if (r.empty()) return std::nullopt;
  return ReadOrder(r[0]);
}

std::vector<Order> FindPendingOrdersOlderThan(pqxx::work& tx, std::chrono::milliseconds age,
                                              std::size_t limit) {
  pqxx::result r = tx.exec_params(
      "SELECT id, product_id, quantity, status FROM orders WHERE status = 'pending' "
      "AND created_at < now() - $1 * interval '1 millisecond' ORDER BY created_at, id LIMIT $2",
      static_cast<std::int64_t>(age.count()), static_cast<std::int64_t>(limit));
  std::vector<Order> orders;
  orders.reserve(r.size());
  for (const pqxx::row& row : r) orders.push_back(ReadOrder(row));
  return orders;
}

boost::json::object ToJson(const Order& o) {
  return {{"id", o.id},
          {"product_id", o.product_id},
          {"quantity", o.quantity},
          {"status", ToString(o.status)}};
}

std::int64_t ReserveStock(pqxx::work& tx, std::int64_t product_id, std::int64_t quantity) {
  return ChangeReserved(tx, product_id, quantity);
}

std::int64_t ReleaseStock(pqxx::work& tx, std::int64_t product_id, std::int64_t quantity) {
  return ChangeReserved(tx, product_id, -quantity);
}

std::optional<std::int64_t> FindReserved(pqxx::work& tx, std::int64_t product_id) {
  pqxx::result r =
      tx.exec_params("SELECT reserved FROM inventory WHERE product_id = $1", product_id);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

PaymentDecision RecordPaymentDecision(pqxx::work& tx, std::int64_t order_id, bool authorised) {
  pqxx::result inserted = tx.exec_params(
      "INSERT INTO payment_decisions (order_id, authorised) VALUES ($1, $2) "
      "ON CONFLICT (order_id) DO NOTHING",
      order_id, authorised);
  if (inserted.affected_rows() == 1) return {authorised, true};
  // A concurrent insert of the same order made ours wait until it committed; this statement's
  // fresh snapshot (READ COMMITTED) sees the decision it recorded.
  std::optional<bool> recorded = FindPaymentDecision(tx, order_id);
  if (!recorded) {
    throw std::logic_error("payment decision of order " + std::to_string(order_id) +
                           " conflicted but cannot be read");
  }
  return {*recorded, false};
}

std::optional<bool> FindPaymentDecision(pqxx::work& tx, std::int64_t order_id) {
  pqxx::result r =
      tx.exec_params("SELECT authorised FROM payment_decisions WHERE order_id = $1", order_id);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<bool>();
}

namespace {
std::string AuthorisationKey(std::int64_t order_id) { return "order-" + std::to_string(order_id); }

bool IsVoided(pqxx::work& tx, std::int64_t order_id) {
  return !tx.exec_params("SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2",
                         std::string(step::kPaymentVoid), AuthorisationKey(order_id))
              .empty();
}
}  // namespace

std::optional<AuthorisationState> FindAuthorisation(pqxx::work& tx, std::int64_t order_id) {
  std::optional<bool> decision = FindPaymentDecision(tx, order_id);
  if (!decision) return std::nullopt;
  if (IsVoided(tx, order_id)) return AuthorisationState::kVoided;
  return *decision ? AuthorisationState::kAuthorized : AuthorisationState::kDeclined;
}

AuthorisationState RecordAuthorisation(pqxx::work& tx, std::int64_t order_id, bool authorised) {
  PaymentDecision decision = RecordPaymentDecision(tx, order_id, authorised);
  // A void committed before our insert left its tombstone (the insert found it) and its mark,
  // which this statement's fresh snapshot sees. A void still running waits on our row and
  // voids it once we commit.
  if (!decision.first_time && IsVoided(tx, order_id)) return AuthorisationState::kVoided;
  return decision.authorised ? AuthorisationState::kAuthorized : AuthorisationState::kDeclined;
}

bool VoidAuthorisation(pqxx::work& tx, std::int64_t order_id) {
  if (!MarkMessageProcessed(tx, step::kPaymentVoid, AuthorisationKey(order_id))) return false;
  RecordPaymentDecision(tx, order_id, false);  // the tombstone, when nothing was decided yet
  return true;
}

// --- Scenario 6 ---------------------------------------------------------------------------
std::vector<bool> InsertClicks(pqxx::transaction_base& tx, const std::vector<ClickRow>& rows) {
  if (rows.empty()) return {};
  // One multi-row INSERT for the whole batch (libpqxx 6 cannot bind a variable number of
  // parameters, so the values are quoted by the connection's own escaping).
  std::string sql = "INSERT INTO clicks (user_id, page, clicked_at, message_id) VALUES ";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ClickRow& row = rows[i];
    if (i > 0) sql += ", ";
    sql += "(" + std::to_string(row.click.user_id) + ", " + tx.quote(row.click.page) + ", " +
           tx.quote(FormatTimestamp(row.clicked_at)) + "::timestamptz, " +
           (row.message_id.empty() ? std::string("NULL") : tx.quote(row.message_id)) + ")";
  }
  sql += " ON CONFLICT (message_id) DO NOTHING RETURNING message_id";
  std::set<std::string> inserted;
  for (const pqxx::row& r : tx.exec(sql)) {
    if (!r[0].is_null()) inserted.insert(r[0].as<std::string>());
  }
  // A row without a message id has nothing to conflict with: written. Of the rows with one,
  // the first with an id the INSERT returned is the one written (the same id twice in a
  // batch is a redelivery: one row).
  std::vector<bool> written(rows.size(), false);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    written[i] = rows[i].message_id.empty() || inserted.erase(rows[i].message_id) == 1;
  }
  return written;
}

std::int64_t CountClicks(pqxx::work& tx) {
  return tx.exec1("SELECT count(*) FROM clicks")[0].as<std::int64_t>();
}

EffectClaim ClaimEffect(pqxx::work& tx, std::string_view effect, const std::string& key,
                        const std::string& value, std::optional<std::chrono::milliseconds> lease) {
  // With a lease, a lapsed claim is taken over by the same statement (the row lock makes two
  // concurrent takers agree: the second sees the first's fresh claimed_at).
  pqxx::result claimed =
      lease ? tx.exec_params(
                  "INSERT INTO effect_claims (effect, key, value) VALUES ($1, $2, $3) "
                  "ON CONFLICT (effect, key) DO UPDATE SET value = EXCLUDED.value, "
                  "claimed_at = now() WHERE effect_claims.claimed_at < "
                  "now() - make_interval(secs => $4::double precision / 1000) "
                  "RETURNING value",
                  std::string(effect), key, value, lease->count())
            : tx.exec_params(
                  "INSERT INTO effect_claims (effect, key, value) VALUES ($1, $2, $3) "
                  "ON CONFLICT (effect, key) DO NOTHING RETURNING value",
                  std::string(effect), key, value);
  if (!claimed.empty()) return {true, claimed[0][0].as<std::string>()};
  // A concurrent claim made ours wait until it committed; this statement's fresh snapshot
  // (READ COMMITTED) sees it.
  pqxx::result held = tx.exec_params(
      "SELECT value FROM effect_claims WHERE effect = $1 AND key = $2", std::string(effect), key);
  if (held.empty()) {
    throw std::logic_error("claim " + std::string(effect) + "/" + key +
                           " conflicted but cannot be read");
  }
  return {false, held[0][0].as<std::string>()};
}

bool MarkMessageProcessed(pqxx::work& tx, std::string_view consumer,
                          const std::string& message_id) {
  pqxx::result r = tx.exec_params(
      "INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) "
      "ON CONFLICT DO NOTHING",
      std::string(consumer), message_id);
  return r.affected_rows() == 1;
}

}  // namespace flowbench
