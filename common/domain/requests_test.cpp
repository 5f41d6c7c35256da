// Request parsing: every contract body accepted, every kind of bad input rejected with the
// contract's status and a detail that names the problem.
#include "common/domain/requests.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <vector>

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

// The payments column is NUMERIC(16, 2) CHECK (amount > 0): 0.001 would be rounded to 0.00
// and refused by the database, 1.005 stored as another amount than the one asked for.
TEST(Requests, AmountIsWholeCentsFromOneCent) {
  EXPECT_DOUBLE_EQ(ParsePaymentRequest(R"({"amount":0.01})").amount, 0.01);
  EXPECT_DOUBLE_EQ(ParsePaymentRequest(R"({"amount":100.1})").amount, 100.1);
  EXPECT_DOUBLE_EQ(ParsePaymentRequest(R"({"amount":19.99})").amount, 19.99);
  EXPECT_DOUBLE_EQ(ParsePaymentRequest(R"({"amount":999999999999.99})").amount, 999999999999.99);
  EXPECT_DOUBLE_EQ(ParsePaymentRequest(R"({"amount":1e12})").amount, 1e12);
  for (const char* body : {R"({"amount":0.001})", R"({"amount":0.009})", R"({"amount":1.005})",
                           R"({"amount":100.123})", R"({"amount":1e-7})"}) {
    ClientError e = Rejection([&] { ParsePaymentRequest(body); });
    EXPECT_EQ(e.status(), 422) << body;
    EXPECT_EQ(e.error(), "validation_error") << body;
    EXPECT_NE(e.detail().find("'amount'"), std::string::npos) << body << ": " << e.detail();
  }
}

// libpq sends text as C strings: a NUL would cut the value short, and no stored text needs
// any other control character either.
TEST(Requests, ControlCharactersInTextFieldsAre422AndNameTheField) {
  struct Case {
    std::function<void()> parse;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[] { ParseRegistration(R"({"email":"a\u0000b@example.com"})"); }, "'email'"},
      {[] { ParsePaymentRequest(R"({"amount":5,"currency":"US\u0000"})"); }, "'currency'"},
      {[] { ParseProductUpdate(R"({"name":"Laptop\u0000 Pro"})"); }, "'name'"},
      {[] { ParseProductUpdate(R"({"name":"Laptop\nPro"})"); }, "'name'"},
      {[] { ParseProductUpdate(R"({"name":"Laptop\u007f"})"); }, "'name'"},
      {[] { ParseProductUpdate(R"({"name":"Laptop\u0085"})"); }, "'name'"},  // C1 (NEL)
      {[] { ParseReportRequest(R"({"report_type":"monthly\u0000"})"); }, "'report_type'"},
      {[] { ParseReportRequest(R"({"report_type":"\tmonthly"})"); }, "'report_type'"},
      {[] { ParseClickRequest(R"({"user_id":1,"page":"/home\u0000/x"})"); }, "'page'"},
      {[] { ParseClickRequest(R"({"user_id":1,"page":"/home\r\n"})"); }, "'page'"},
  };
  for (const Case& c : cases) {
    ClientError e = Rejection(c.parse);
    EXPECT_EQ(e.status(), 422) << c.field;
    EXPECT_NE(e.detail().find(c.field), std::string::npos) << e.detail();
  }
  // Text beyond ASCII is fine.
  EXPECT_EQ(ParseProductUpdate(R"({"name":"Kopfhörer – \u00e9 日本"})").name, "Kopfhörer – é 日本");
  EXPECT_EQ(ParseClickRequest(R"({"user_id":1,"page":"/ü"})").page, "/ü");
}

// Every integer column is BIGINT: a number beyond 64 bits is refused as out of range, with
// the field's name, not stored, wrapped or rounded.
TEST(Requests, IntegersBeyondSixtyFourBitsAre422AndSaySo) {
  struct Case {
    std::function<void()> parse;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[] { ParseOrderRequest(R"({"product_id":1,"quantity":9e18})"); }, "'quantity'"},
      {[] { ParseOrderRequest(R"({"product_id":1,"quantity":9223372036854775808})"); },
       "'quantity'"},
      {[] { ParseOrderRequest(R"({"product_id":1e19,"quantity":1})"); }, "'product_id'"},
      {[] { ParseOrderRequest(R"({"product_id":18446744073709551615,"quantity":1})"); },
       "'product_id'"},
      {[] { ParseClickRequest(R"({"user_id":9223372036854775808,"page":"/"})"); }, "'user_id'"},
      {[] { ParseClickRequest(R"({"user_id":-9223372036854775809,"page":"/"})"); }, "'user_id'"},
      {[] { ParseProductUpdate(R"({"stock":1e300})"); }, "'stock'"},
  };
  for (const Case& c : cases) {
    ClientError e = Rejection(c.parse);
    EXPECT_EQ(e.status(), 422) << c.field;
    EXPECT_NE(e.detail().find(c.field), std::string::npos) << e.detail();
    EXPECT_NE(e.detail().find("out of range"), std::string::npos) << e.detail();
  }
  EXPECT_EQ(ParseClickRequest(R"({"user_id":9223372036854775807,"page":"/"})").user_id, INT64_MAX);
  EXPECT_EQ(Rejection([] { ParseProductUpdate(R"({"stock":1000000001})"); }).status(), 422);
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
