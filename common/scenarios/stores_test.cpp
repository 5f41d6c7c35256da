// The scenarios' database steps against a real PostgreSQL: conflicts, not-found, withdrawn
// registrations and payments, atomic stock under concurrency, one payment decision per order
// under concurrency, idempotent click batches and message records.
#include "common/scenarios/stores.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

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

TEST_F(Stores, WithdrawnRegistrationFreesTheEmailAndIsNotMarkedSent) {
  User u = Tx([](pqxx::work& tx) { return CreateUser(tx, {"bo@example.com"}); });
  EXPECT_TRUE(Tx([&](pqxx::work& tx) { return DeleteUser(tx, u.id); }));
  EXPECT_FALSE(Tx([&](pqxx::work& tx) { return DeleteUser(tx, u.id); }));
  EXPECT_FALSE(Tx([&](pqxx::work& tx) { return FindUser(tx, u.id); }));
  EXPECT_FALSE(Tx([&](pqxx::work& tx) { return MarkWelcomeEmailSentIfRegistered(tx, u.id); }));
  EXPECT_THROW(Tx([&](pqxx::work& tx) { MarkWelcomeEmailSent(tx, u.id); }), ClientError);
  User again = Tx([](pqxx::work& tx) { return CreateUser(tx, {"bo@example.com"}); });
  EXPECT_NE(again.id, u.id);
  EXPECT_TRUE(Tx([&](pqxx::work& tx) { return MarkWelcomeEmailSentIfRegistered(tx, again.id); }));
}

TEST_F(Stores, WithdrawnPaymentIsGoneAndCannotBeSettled) {
  Payment p = Tx([](pqxx::work& tx) {
    return CreatePayment(tx, {5, "USD"}, PaymentStatus::kProcessing);
  });
  EXPECT_TRUE(Tx([&](pqxx::work& tx) { return DeletePayment(tx, p.payment_id); }));
  EXPECT_FALSE(Tx([&](pqxx::work& tx) { return DeletePayment(tx, p.payment_id); }));
  EXPECT_FALSE(Tx([&](pqxx::work& tx) { return FindPayment(tx, p.payment_id); }));
  EXPECT_FALSE(Tx([&](pqxx::work& tx) {
    return SettlePaymentIfRecorded(tx, p.payment_id, PaymentStatus::kSucceeded, "txn_2");
  }));
  EXPECT_THROW(Tx([&](pqxx::work& tx) {
                 SettlePayment(tx, p.payment_id, PaymentStatus::kSucceeded, "txn_2");
               }),
               ClientError);
}

TEST_F(Stores, PaymentIsCreatedProcessingThenSettled) {
  Payment p = Tx([](pqxx::work& tx) {
    return CreatePayment(tx, {12.5, "EUR"}, PaymentStatus::kProcessing);
  });
  Tx([&](pqxx::work& tx) { SettlePayment(tx, p.payment_id, PaymentStatus::kSucceeded, "txn_1"); });
  std::optional<Payment> found = Tx([&](pqxx::work& tx) { return FindPayment(tx, p.payment_id); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, PaymentStatus::kSucceeded);
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
  ReportJob job =
      Tx([](pqxx::work& tx) { return CreateReportJob(tx, {"monthly"}, ReportStatus::kQueued); });
  Tx([&](pqxx::work& tx) { MarkReportRunning(tx, job.job_id); });
  EXPECT_EQ(Tx([&](pqxx::work& tx) { return FindReportJob(tx, job.job_id); })->status,
            ReportStatus::kRunning);
  ReportResult result = GenerateReport("monthly", Milliseconds(1));
  Tx([&](pqxx::work& tx) { CompleteReportJob(tx, job.job_id, result); });
  std::optional<ReportJob> done = Tx([&](pqxx::work& tx) { return FindReportJob(tx, job.job_id); });
  EXPECT_EQ(done->status, ReportStatus::kCompleted);
  ASSERT_TRUE(done->result);
  EXPECT_EQ(done->result->report_hash, result.report_hash);
}

TEST_F(Stores, OrderForAnUnknownProductIsNotFoundAndWritesNothing) {
  EXPECT_THROW(Tx([](pqxx::work& tx) { CreateOrder(tx, {99, 1}); }), ClientError);
  Order o = Tx([](pqxx::work& tx) { return CreateOrder(tx, {1, 2}); });
  EXPECT_EQ(o.status, OrderStatus::kPending);
  EXPECT_EQ(o.id, 1);  // the failed insert used no row
  EXPECT_TRUE(Tx([&](pqxx::work& tx) { return SetOrderStatus(tx, o.id, OrderStatus::kFailed); }));
  EXPECT_FALSE(Tx([&](pqxx::work& tx) { return SetOrderStatus(tx, o.id, OrderStatus::kFailed); }));
}

TEST_F(Stores, OrderStatusChangesOnlyFromPending) {
  Order o = Tx([](pqxx::work& tx) { return CreateOrder(tx, {1, 1}); });
  EXPECT_TRUE(Tx([&](pqxx::work& tx) { return SetOrderStatus(tx, o.id, OrderStatus::kFailed); }));
  EXPECT_FALSE(
      Tx([&](pqxx::work& tx) { return SetOrderStatus(tx, o.id, OrderStatus::kConfirmed); }));
  EXPECT_EQ(Tx([&](pqxx::work& tx) { return FindOrder(tx, o.id); })->status, OrderStatus::kFailed);
  EXPECT_THROW(Tx([](pqxx::work& tx) { SetOrderStatus(tx, 999, OrderStatus::kFailed); }),
               ClientError);
}

TEST_F(Stores, AnEffectIsClaimedOncePerKeyAndKeepsTheFirstValue) {
  EffectClaim first =
      Tx([](pqxx::work& tx) { return ClaimEffect(tx, "payment_gateway", "p1", "txn_a"); });
  EXPECT_TRUE(first.first_time);
  EXPECT_EQ(first.value, "txn_a");
  EffectClaim again =
      Tx([](pqxx::work& tx) { return ClaimEffect(tx, "payment_gateway", "p1", "txn_b"); });
  EXPECT_FALSE(again.first_time);
  EXPECT_EQ(again.value, "txn_a");
  EXPECT_TRUE(
      Tx([](pqxx::work& tx) { return ClaimEffect(tx, "payment_gateway", "p2"); }).first_time);
  EXPECT_TRUE(Tx([](pqxx::work& tx) { return ClaimEffect(tx, "welcome_email", "p1"); }).first_time);
}

TEST_F(Stores, AClaimWithALeaseIsTakenOverOnlyOnceItLapsed) {
  const std::chrono::milliseconds lease{200};
  EXPECT_TRUE(Tx([&](pqxx::work& tx) {
                return ClaimEffect(tx, "report_hashing", "j1", {}, lease);
              }).first_time);
  EXPECT_FALSE(Tx([&](pqxx::work& tx) {
                 return ClaimEffect(tx, "report_hashing", "j1", {}, lease);
               }).first_time);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(Tx([&](pqxx::work& tx) {
                return ClaimEffect(tx, "report_hashing", "j1", {}, lease);
              }).first_time);
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

TEST_F(Stores, PaymentDecisionIsRecordedOnceAndALaterOneGetsTheRecordedDecision) {
  EXPECT_FALSE(Tx([](pqxx::work& tx) { return FindPaymentDecision(tx, 7); }));
  PaymentDecision first = Tx([](pqxx::work& tx) { return RecordPaymentDecision(tx, 7, false); });
  EXPECT_TRUE(first.first_time);
  EXPECT_FALSE(first.authorised);
  PaymentDecision second = Tx([](pqxx::work& tx) { return RecordPaymentDecision(tx, 7, true); });
  EXPECT_FALSE(second.first_time);
  EXPECT_FALSE(second.authorised) << "a later decision replaced the recorded one";
  EXPECT_EQ(Tx([](pqxx::work& tx) { return FindPaymentDecision(tx, 7); }), false);
}

TEST_F(Stores, ConcurrentPaymentDecisionsOfOneOrderAgree) {
  constexpr int kOrders = 50, kHandlers = 4;
  for (int order = 1; order <= kOrders; ++order) {
    std::vector<std::future<PaymentDecision>> handlers;
    for (int h = 0; h < kHandlers; ++h) {
      // Opposite proposals: only the recorded decision may come back.
      handlers.push_back(std::async(std::launch::async, [this, order, h] {
        return Tx([&](pqxx::work& tx) { return RecordPaymentDecision(tx, order, h % 2 == 0); });
      }));
    }
    std::vector<PaymentDecision> decisions;
    for (auto& h : handlers) decisions.push_back(h.get());
    int first_times = 0;
    for (const PaymentDecision& d : decisions) {
      first_times += d.first_time ? 1 : 0;
      EXPECT_EQ(d.authorised, decisions[0].authorised) << "order " << order;
    }
    EXPECT_EQ(first_times, 1) << "order " << order;
    EXPECT_EQ(Tx([&](pqxx::work& tx) { return FindPaymentDecision(tx, order); }),
              decisions[0].authorised);
  }
}

TEST_F(Stores, AnAuthorisationIsVoidedOnceAndAVoidBeforeItRefusesItForGood) {
  EXPECT_FALSE(Tx([](pqxx::work& tx) { return FindAuthorisation(tx, 7); }));
  EXPECT_EQ(Tx([](pqxx::work& tx) { return RecordAuthorisation(tx, 7, true); }),
            AuthorisationState::kAuthorized);
  EXPECT_EQ(Tx([](pqxx::work& tx) { return RecordAuthorisation(tx, 7, false); }),
            AuthorisationState::kAuthorized)
      << "a repeated authorisation answers the recorded one";
  EXPECT_TRUE(Tx([](pqxx::work& tx) { return VoidAuthorisation(tx, 7); }));
  EXPECT_FALSE(Tx([](pqxx::work& tx) { return VoidAuthorisation(tx, 7); }));
  EXPECT_EQ(Tx([](pqxx::work& tx) { return FindAuthorisation(tx, 7); }),
            AuthorisationState::kVoided);
  EXPECT_EQ(Tx([](pqxx::work& tx) { return RecordAuthorisation(tx, 7, true); }),
            AuthorisationState::kVoided);

  // Voided before it was decided: the tombstone refuses the late authorisation.
  EXPECT_TRUE(Tx([](pqxx::work& tx) { return VoidAuthorisation(tx, 8); }));
  EXPECT_EQ(Tx([](pqxx::work& tx) { return RecordAuthorisation(tx, 8, true); }),
            AuthorisationState::kVoided);
  EXPECT_EQ(Tx([](pqxx::work& tx) { return FindAuthorisation(tx, 8); }),
            AuthorisationState::kVoided);
}

TEST_F(Stores, ConcurrentAuthorisationAndVoidNeverLeaveALiveAuthorisation) {
  for (int order = 1; order <= 40; ++order) {
    auto authorise = std::async(std::launch::async, [this, order] {
      return Tx([&](pqxx::work& tx) { return RecordAuthorisation(tx, order, true); });
    });
    auto cancel = std::async(std::launch::async, [this, order] {
      return Tx([&](pqxx::work& tx) { return VoidAuthorisation(tx, order); });
    });
    authorise.get();
    EXPECT_TRUE(cancel.get());
    EXPECT_EQ(Tx([&](pqxx::work& tx) { return FindAuthorisation(tx, order); }),
              AuthorisationState::kVoided)
        << "order " << order;
  }
}

TEST_F(Stores, OnlyPendingOrdersOlderThanTheAgeAreFoundForCompensation) {
  Order old_pending = Tx([](pqxx::work& tx) { return CreateOrder(tx, {1, 2}); });
  Order old_confirmed = Tx([](pqxx::work& tx) { return CreateOrder(tx, {1, 1}); });
  Tx([&](pqxx::work& tx) {
    SetOrderStatus(tx, old_confirmed.id, OrderStatus::kConfirmed);
    tx.exec0("UPDATE orders SET created_at = now() - interval '1 hour'");
  });
  Order fresh = Tx([](pqxx::work& tx) { return CreateOrder(tx, {2, 1}); });
  std::vector<Order> stale = Tx(
      [](pqxx::work& tx) { return FindPendingOrdersOlderThan(tx, std::chrono::minutes(1), 10); });
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].id, old_pending.id);
  EXPECT_EQ(stale[0].quantity, 2);
  EXPECT_NE(stale[0].id, fresh.id);
}

TEST_F(Stores, ClickBatchSkipsRowsWhoseMessageWasWrittenBeforeAndSaysWhich) {
  auto now = std::chrono::system_clock::now();
  using Written = std::vector<bool>;
  std::vector<ClickRow> batch{{{1, "/a"}, now, "m1", ""}, {{2, "/b'quoted"}, now, "m2", ""}};
  EXPECT_EQ(Tx([&](pqxx::work& tx) { return InsertClicks(tx, batch); }), (Written{true, true}));
  // A redelivery of m1 and m2 with a new click, and m3 twice in one batch: only the first of
  // each id is written, and only it counts as this batch's work.
  batch.push_back({{3, "/c"}, now, "m3", ""});
  batch.push_back({{3, "/c"}, now, "m3", ""});
  EXPECT_EQ(Tx([&](pqxx::work& tx) { return InsertClicks(tx, batch); }),
            (Written{false, false, true, false}));
  std::vector<ClickRow> sync_rows{{{4, "/d"}, now, "", ""}, {{4, "/d"}, now, "", ""}};
  EXPECT_EQ(Tx([&](pqxx::work& tx) { return InsertClicks(tx, sync_rows); }), (Written{true, true}));
  EXPECT_EQ(Tx([](pqxx::work& tx) { return CountClicks(tx); }), 5);
}

// The sync build writes its click with one INSERT in autocommit.
TEST_F(Stores, ClickRowIsWrittenInAutocommit) {
  std::vector<ClickRow> rows{{{5, "/e"}, std::chrono::system_clock::now(), "", ""}};
  EXPECT_EQ(pool_->Autocommit([&](pqxx::nontransaction& tx) { return InsertClicks(tx, rows); }),
            std::vector<bool>{true});
  EXPECT_EQ(Tx([](pqxx::work& tx) { return CountClicks(tx); }), 1);
}

TEST_F(Stores, MessageIsRecordedOncePerConsumer) {
  EXPECT_TRUE(Tx([](pqxx::work& tx) { return MarkMessageProcessed(tx, "inventory", "m"); }));
  EXPECT_FALSE(Tx([](pqxx::work& tx) { return MarkMessageProcessed(tx, "inventory", "m"); }));
  EXPECT_TRUE(Tx([](pqxx::work& tx) { return MarkMessageProcessed(tx, "order", "m"); }));
}

}  // namespace
}  // namespace flowbench
