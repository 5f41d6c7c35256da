// The contract's requests and checks (CONTRACT.md §3): bodies the services accept, unique
// emails, product ids 1-3, and each architecture's status and body rules.
#include "bench/load/scenario_requests.hpp"

#include <gtest/gtest.h>

#include <set>

#include "common/domain/requests.hpp"

namespace flowbench::load {
namespace {

const ScenarioSpec& Spec(std::string_view id) { return *FindScenario(id); }

TEST(ScenarioRequests, BodiesParseAsTheServicesParseThem) {
  std::mt19937_64 rng(1);
  std::set<std::string> emails;
  std::set<std::string> product_targets;
  for (int i = 0; i < 100; ++i) {
    HttpRequestSpec r1 = ScenarioRequestFactory(Spec("scenario1"))(rng, i);
    EXPECT_EQ(r1.target, "/register");
    emails.insert(ParseRegistration(r1.body).email);
    HttpRequestSpec r3 = ScenarioRequestFactory(Spec("scenario3"))(rng, i);
    EXPECT_EQ(r3.method, "PUT");
    product_targets.insert(r3.target);
    ParseProductUpdate(r3.body);
    OrderRequest order = ParseOrderRequest(ScenarioRequestFactory(Spec("scenario5"))(rng, i).body);
    EXPECT_GE(order.product_id, 1);
    EXPECT_LE(order.product_id, 3);
  }
  EXPECT_EQ(emails.size(), 100u) << "emails must be unique (409 otherwise)";
  EXPECT_EQ(product_targets, (std::set<std::string>{"/products/1", "/products/2", "/products/3"}));
  EXPECT_EQ(ParsePaymentRequest(ScenarioRequestFactory(Spec("scenario2"))(rng, 0).body).amount,
            100.0);
  EXPECT_EQ(ParseReportRequest(ScenarioRequestFactory(Spec("scenario4"))(rng, 0).body).report_type,
            "monthly");
  EXPECT_EQ(ParseClickRequest(ScenarioRequestFactory(Spec("scenario6"))(rng, 0).body).page,
            "/products");
}

TEST(ScenarioChecks, StatusAndBodyRulesPerArchitecture) {
  using stats::ErrorKind;
  auto sync1 = ScenarioCheck(Spec("scenario1"), Arch::kSync);
  EXPECT_EQ(sync1({201, R"({"id":1,"email":"a@b.c","message":"x"})"}), std::nullopt);
  EXPECT_EQ(sync1({202, R"({"id":1,"email":"a@b.c"})"}), ErrorKind::kStatus);
  EXPECT_EQ(sync1({201, R"({"email":"a@b.c"})"}), ErrorKind::kCheck);

  auto async2 = ScenarioCheck(Spec("scenario2"), Arch::kAsync);
  EXPECT_EQ(async2({202, R"({"payment_id":"p","status":"processing"})"}), std::nullopt);
  EXPECT_EQ(async2({202, R"({"payment_id":"p","status":"success"})"}), ErrorKind::kCheck);

  auto sync5 = ScenarioCheck(Spec("scenario5"), Arch::kSync);
  EXPECT_EQ(sync5({201, R"({"order_id":1,"status":"confirmed"})"}), std::nullopt);
  EXPECT_EQ(
      sync5({400, R"({"detail":{"status":"failed","order_id":1,"compensation_executed":true}})"}),
      std::nullopt);
  EXPECT_EQ(sync5({400, R"({"error":"bad","detail":"x"})"}), ErrorKind::kCheck);
  auto async5 = ScenarioCheck(Spec("scenario5"), Arch::kAsync);
  EXPECT_EQ(async5({400, R"({"detail":{"compensation_executed":true}})"}), ErrorKind::kStatus);
  EXPECT_EQ(async5({202, R"({"id":1,"product_id":1,"quantity":1,"status":"pending"})"}),
            std::nullopt);

  auto click = ScenarioCheck(Spec("scenario6"), Arch::kSync);
  EXPECT_EQ(click({200, R"({"status":"tracked"})"}), std::nullopt);
  EXPECT_EQ(click({200, "not json"}), ErrorKind::kCheck);
  EXPECT_EQ(click({500, ""}), ErrorKind::kStatus);
}

}  // namespace
}  // namespace flowbench::load
