// The scenarios' database steps against a real PostgreSQL: conflicts, not-found, atomic
// stock under concurrency, idempotent click batches and message records.
#include "common/scenarios/stores.hpp"

#include <gtest/gtest.h>

#include <future>

#include "common/db/database.hpp"
#include "common/db/schema.hpp"
#include "common/domain/errors.hpp"
#include "common/infra/testing/embedded_infra.hpp"

namespace flowbench {
namespace {

class Stores : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.url = testing::EmbeddedInfra::State().pg_url;
    settings_.schema = "stores";
    settings_.pool_size = 16;
    auto c = Connect(settings_);
    ResetSchema(*c, settings_.schema);
    pool_ = std::make_unique<ConnectionPool>(settings_);
  }

  template <typename Work>
  auto Tx(Work&& work) {
    return pool_->Transact(std::forward<Work>(work));
  }

  DatabaseSettings settings_;
  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(Stores, RegistrationCreatesAUserAndATakenEmailIsAConflict) {
  User u = Tx([](pqxx::work& tx) { return CreateUser(tx, {"ann@example.com"}); });
  EXPECT_FALSE(u.welcome_email_sent);
  try {
    Tx([](pqxx::work& tx) { CreateUser(tx, {"ann@example.com"}); });
    ADD_FAILURE() << "duplicate email accepted";
  } catch (const ClientError& e) {
    EXPECT_EQ(e.status(), 409);
  }
  Tx([&](pqxx::work& tx) { MarkWelcomeEmailSent(tx, u.id); });
  EXPECT_TRUE(Tx([&](pqxx::work& tx) { return FindUser(tx, u.id); })->welcome_email_sent);
  EXPECT_FALSE(Tx([](pqxx::work& tx) { return FindUser(tx, 999); }));
}

TEST_F(Stores, PaymentIsCreatedProcessingThenSettled) {
  Payment p = Tx([](pqxx::work& tx) { return CreatePayment(tx, {12.5, "EUR"}, "processing"); });
  Tx([&](pqxx::work& tx) { SettlePayment(tx, p.payment_id, "succeeded", "txn_1"); });
  std::optional<Payment> found = Tx([&](pqxx::work& tx) { return FindPayment(tx, p.payment_id); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, "succeeded");
  EXPECT_DOUBLE_EQ(found->amount, 12.5);
  EXPECT_EQ(found->transaction_id, "txn_1");
}

TEST_F(Stores, ProductUpdateChangesOnlyTheGivenFieldsAndUnknownIsNotFound) {
  Product p = Tx([](pqxx::work& tx) { return UpdateProduct(tx, 2, {std::nullopt, 5}); });
  EXPECT_EQ(p.name, "Smartphone");
  EXPECT_EQ(p.stock, 5);
  p = Tx([](pqxx::work& tx) { return UpdateProduct(tx, 2, {"Phone", std::nullopt}); });
  EXPECT_EQ(p.name, "Phone");
  EXPECT_EQ(p.stock, 5);
  EXPECT_THROW(Tx([](pqxx::work& tx) { UpdateProduct(tx, 4, {"x", 1}); }), ClientError);
  EXPECT_EQ(Tx([](pqxx::work& tx) { return ListProducts(tx); }).size(), 3u);
}

TEST_F(Stores, ReportJobGoesQueuedRunningCompleted) {
  ReportJob job = Tx([](pqxx::work& tx) { return CreateReportJob(tx, {"monthly"}, "queued"); });
  Tx([&](pqxx::work& tx) { MarkReportRunning(tx, job.job_id); });
  EXPECT_EQ(Tx([&](pqxx::work& tx) { return FindReportJob(tx, job.job_id); })->status, "running");
  ReportResult result = GenerateReport("monthly", Milliseconds(1));
  Tx([&](pqxx::work& tx) { CompleteReportJob(tx, job.job_id, result); });
  std::optional<ReportJob> done = Tx([&](pqxx::work& tx) { return FindReportJob(tx, job.job_id); });
  EXPECT_EQ(done->status, "completed");
  ASSERT_TRUE(done->result);
  EXPECT_EQ(done->result->report_hash, result.report_hash);
}

TEST_F(Stores, OrderForAnUnknownProductIsNotFoundAndWritesNothing) {
  EXPECT_THROW(Tx([](pqxx::work& tx) { CreateOrder(tx, {99, 1}); }), ClientError);
  Order o = Tx([](pqxx::work& tx) { return CreateOrder(tx, {1, 2}); });
  EXPECT_EQ(o.status, "pending");
  EXPECT_EQ(o.id, 1);  // the failed insert used no row
  EXPECT_TRUE(Tx([&](pqxx::work& tx) { return SetOrderStatus(tx, o.id, "failed"); }));
  EXPECT_FALSE(Tx([&](pqxx::work& tx) { return SetOrderStatus(tx, o.id, "failed"); }));
}

TEST_F(Stores, ConcurrentReservationsAndReleasesLoseNoUpdate) {
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::future<void>> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.push_back(std::async(std::launch::async, [this] {
      for (int i = 0; i < kPerThread; ++i) {
        Tx([](pqxx::work& tx) { ReserveStock(tx, 1, 2); });
      }
    }));
  }
  for (auto& w : workers) w.get();
  EXPECT_EQ(Tx([](pqxx::work& tx) { return FindReserved(tx, 1); }), kThreads * kPerThread * 2);

  workers.clear();
  for (int t = 0; t < kThreads; ++t) {
    workers.push_back(std::async(std::launch::async, [this] {
      for (int i = 0; i < kPerThread; ++i) {
        Tx([](pqxx::work& tx) { ReleaseStock(tx, 1, 2); });
      }
    }));
  }
  for (auto& w : workers) w.get();
  EXPECT_EQ(Tx([](pqxx::work& tx) { return FindReserved(tx, 1); }), 0);
  EXPECT_THROW(Tx([](pqxx::work& tx) { ReserveStock(tx, 42, 1); }), ClientError);
}

TEST_F(Stores, ClickBatchSkipsRowsWhoseMessageWasWrittenBefore) {
  auto now = std::chrono::system_clock::now();
  std::vector<ClickRow> batch{{{1, "/a"}, now, "m1"}, {{2, "/b'quoted"}, now, "m2"}};
  EXPECT_EQ(Tx([&](pqxx::work& tx) { return InsertClicks(tx, batch); }), 2u);
  batch.push_back({{3, "/c"}, now, "m3"});
  EXPECT_EQ(Tx([&](pqxx::work& tx) { return InsertClicks(tx, batch); }), 1u);  // redelivery
  std::vector<ClickRow> sync_rows{{{4, "/d"}, now, ""}, {{4, "/d"}, now, ""}};
  EXPECT_EQ(Tx([&](pqxx::work& tx) { return InsertClicks(tx, sync_rows); }), 2u);
  EXPECT_EQ(Tx([](pqxx::work& tx) { return CountClicks(tx); }), 5);
}

TEST_F(Stores, MessageIsRecordedOncePerConsumer) {
  EXPECT_TRUE(Tx([](pqxx::work& tx) { return MarkMessageProcessed(tx, "inventory", "m"); }));
  EXPECT_FALSE(Tx([](pqxx::work& tx) { return MarkMessageProcessed(tx, "inventory", "m"); }));
  EXPECT_TRUE(Tx([](pqxx::work& tx) { return MarkMessageProcessed(tx, "order", "m"); }));
}

}  // namespace
}  // namespace flowbench
