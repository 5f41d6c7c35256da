#include "common/scenarios/reads.hpp"

#include <algorithm>
#include <string_view>

#include "common/domain/errors.hpp"
#include "common/scenarios/stores.hpp"

namespace flowbench {
namespace {

// Payment and job ids are UUIDs the services made. The sync front URL-decodes the path, so
// a path id may hold any byte: one that is not letters, digits and '-' (at most 64) names
// nothing, and is neither sent to the database (which refuses what is not UTF-8) nor echoed.
void RequireTextId(std::string_view what, std::string_view id) {
  bool plain = !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
  if (!plain) {
    throw NotFound("no " + std::string(what) + " has that id (ids are letters, digits and '-')");
  }
}

}  // namespace

Reply UserReply(pqxx::work& tx, std::int64_t user_id) {
  std::optional<User> user = FindUser(tx, user_id);
  if (!user) throw DoesNotExist("user", std::to_string(user_id));
  return {200, ToJson(*user)};
}

Reply PaymentReply(pqxx::work& tx, const std::string& payment_id) {
  RequireTextId("payment", payment_id);
  std::optional<Payment> payment = FindPayment(tx, payment_id);
  if (!payment) throw DoesNotExist("payment", payment_id);
  return {200, ToJson(*payment)};
}

Reply ProductReply(pqxx::work& tx, std::int64_t product_id) {
  std::optional<Product> product = FindProduct(tx, product_id);
  if (!product) throw DoesNotExist("product", std::to_string(product_id));
  return {200, ToJson(*product)};
}

Reply ProductListReply(pqxx::work& tx) {
  boost::json::array products;
  for (const Product& p : ListProducts(tx)) products.push_back(ToJson(p));
  std::size_t count = products.size();
  return {200, {{"products", std::move(products)}, {"count", count}}};
}

Reply ReportJobReply(pqxx::work& tx, const std::string& job_id) {
  RequireTextId("report job", job_id);
  std::optional<ReportJob> job = FindReportJob(tx, job_id);
  if (!job) throw DoesNotExist("report job", job_id);
  return {200, ToJson(*job)};
}

Reply OrderReply(pqxx::work& tx, std::int64_t order_id) {
  std::optional<Order> order = FindOrder(tx, order_id);
  if (!order) throw DoesNotExist("order", std::to_string(order_id));
  return {200, ToJson(*order)};
}

Reply StockReply(pqxx::work& tx, std::int64_t product_id) {
  std::optional<std::int64_t> reserved = FindReserved(tx, product_id);
  if (!reserved) throw DoesNotExist("product", std::to_string(product_id));
  return {200, {{"product_id", product_id}, {"reserved", *reserved}}};
}

Reply ClickCountReply(pqxx::work& tx) { return {200, {{"count", CountClicks(tx)}}}; }

}  // namespace flowbench
