// Request parsing: every contract body accepted, every kind of bad input rejected with the
// contract's status and a detail that names the problem.
#include "common/domain/requests.hpp"

#include <gtest/gtest.h>

#include "common/domain/errors.hpp"

namespace flowbench {
namespace {

// Runs `parse` and returns the ClientError it threw (fails the test if it threw none).
template <typename Parse>
ClientError Rejection(Parse parse) {
  try {
    parse();
  } catch (const ClientError& e) {
    return e;
  }
  ADD_FAILURE() << "no ClientError thrown";
  return ClientError(0, "", "");
}

TEST(Requests, ContractBodiesAreAccepted) {
  EXPECT_EQ(ParseRegistration(R"({"email":"a@example.com"})").email, "a@example.com");
  PaymentRequest p = ParsePaymentRequest(R"({"amount": 100.0, "currency": "USD"})");
  EXPECT_DOUBLE_EQ(p.amount, 100.0);
  EXPECT_EQ(p.currency, "USD");
  ProductUpdate u = ParseProductUpdate(R"({"name":"Laptop Pro","stock":7})");
  EXPECT_EQ(u.name, "Laptop Pro");
  EXPECT_EQ(u.stock, 7);
  EXPECT_EQ(ParseReportRequest(R"({"report_type":"monthly"})").report_type, "monthly");
  OrderRequest o = ParseOrderRequest(R"({"product_id":1,"quantity":2})");
  EXPECT_EQ(o.product_id, 1);
  EXPECT_EQ(o.quantity, 2);
  ClickRequest c = ParseClickRequest(R"({"user_id":7,"page":"/home"})");
  EXPECT_EQ(c.user_id, 7);
  EXPECT_EQ(c.page, "/home");
}

TEST(Requests, OptionalFieldsMayBeMissing) {
  EXPECT_EQ(ParsePaymentRequest(R"({"amount": 5})").currency, "USD");
  ProductUpdate only_stock = ParseProductUpdate(R"({"stock":0})");
  EXPECT_FALSE(only_stock.name.has_value());
  EXPECT_EQ(only_stock.stock, 0);
  EXPECT_FALSE(ParseProductUpdate("{}").stock.has_value());
}

TEST(Requests, MalformedJsonIs400) {
  ClientError e = Rejection([] { ParseRegistration("{\"email\": "); });
  EXPECT_EQ(e.status(), 400);
  EXPECT_EQ(e.error(), "malformed_json");
}

TEST(Requests, NonObjectBodyIs422) {
  EXPECT_EQ(Rejection([] { ParseClickRequest("[1,2]"); }).status(), 422);
}

TEST(Requests, MissingFieldIs422AndNamesIt) {
  ClientError e = Rejection([] { ParseOrderRequest(R"({"product_id":1})"); });
  EXPECT_EQ(e.status(), 422);
  EXPECT_NE(e.detail().find("'quantity'"), std::string::npos) << e.detail();
}

TEST(Requests, WrongTypeIs422AndNamesIt) {
  ClientError e = Rejection([] { ParsePaymentRequest(R"({"amount":"100"})"); });
  EXPECT_EQ(e.status(), 422);
  EXPECT_NE(e.detail().find("'amount' must be a number"), std::string::npos) << e.detail();
  EXPECT_EQ(Rejection([] { ParseOrderRequest(R"({"product_id":1.5,"quantity":1})"); }).status(),
            422);
  EXPECT_EQ(Rejection([] { ParseClickRequest(R"({"user_id":1,"page":3})"); }).status(), 422);
}

TEST(Requests, BadEmailIs422) {
  for (const char* body :
       {R"({"email":"not-an-email"})", R"({"email":"a@b"})", R"({"email":"a b@example.com"})",
        R"({"email":"@example.com"})", R"({"email":"a@@example.com"})", R"({"email":""})"}) {
    EXPECT_EQ(Rejection([&] { ParseRegistration(body); }).status(), 422) << body;
  }
}

TEST(Requests, NegativeOrZeroAmountIs422) {
  EXPECT_EQ(Rejection([] { ParsePaymentRequest(R"({"amount":-5})"); }).status(), 422);
  EXPECT_EQ(Rejection([] { ParsePaymentRequest(R"({"amount":0})"); }).status(), 422);
  EXPECT_EQ(Rejection([] { ParsePaymentRequest(R"({"amount":5,"currency":"usd"})"); }).status(),
            422);
}

TEST(Requests, NegativeQuantityOrStockIs422) {
  EXPECT_EQ(Rejection([] { ParseOrderRequest(R"({"product_id":1,"quantity":-1})"); }).status(),
            422);
  EXPECT_EQ(Rejection([] { ParseOrderRequest(R"({"product_id":1,"quantity":0})"); }).status(), 422);
  EXPECT_EQ(Rejection([] { ParseProductUpdate(R"({"stock":-3})"); }).status(), 422);
}

TEST(Requests, SlowdownIsZeroToAMinuteOfMilliseconds) {
  EXPECT_EQ(ParseSlowdown(R"({"extra_ms":250})"), Milliseconds(250));
  EXPECT_EQ(ParseSlowdown(R"({"extra_ms":0})"), Milliseconds(0));
  EXPECT_EQ(Rejection([] { ParseSlowdown(R"({"extra_ms":-1})"); }).status(), 422);
  EXPECT_EQ(Rejection([] { ParseSlowdown(R"({"extra_ms":60001})"); }).status(), 422);
  EXPECT_EQ(Rejection([] { ParseSlowdown(R"({})"); }).status(), 422);
}

TEST(Requests, IdsInPathsArePositiveIntegers) {
  EXPECT_EQ(ParseId("3"), 3);
  EXPECT_FALSE(ParseId("0"));
  EXPECT_FALSE(ParseId("-1"));
  EXPECT_FALSE(ParseId("1a"));
  EXPECT_FALSE(ParseId(""));
  EXPECT_FALSE(ParseId("99999999999999999999"));
}

}  // namespace
}  // namespace flowbench
