#include "asynchronous/runtime/outbox_relay.hpp"

#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <boost/json.hpp>
#include <pqxx/pqxx>
#include <vector>

#include "common/db/database.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/metrics.hpp"
#include "common/telemetry/span.hpp"
#include "common/telemetry/span_conventions.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench::async {
namespace {

// A batch is published within one confirm window of the publisher.
constexpr int kBatchSize = 100;
// The poll finds rows a previous process left behind; new rows ring Notify() at once.
constexpr std::chrono::milliseconds kPoll{500};
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};

prometheus::Labels Constant(const std::string& producer) {
  return {{"arch", "async"}, {"service", producer}};
}

}  // namespace

struct OutboxRelay::Row {
  std::int64_t id = 0;
  std::string type;
  OutgoingMessage message;
  double seconds_since_commit = 0;  // when read
};

void EnqueueOutbox(pqxx::transaction_base& tx, std::string_view producer, std::string_view type,
                   const OutgoingMessage& message) {
  boost::json::object headers;
  for (const auto& [name, value] : message.headers) headers[name] = value;
  tx.exec_params0(
      "INSERT INTO outbox (producer, message_id, type, exchange, routing_key, body, headers) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      std::string(producer), message.message_id, std::string(type), message.exchange,
      message.routing_key, message.body, boost::json::serialize(headers));
}

OutboxRelay::OutboxRelay(net::io_context& io, std::string producer, ConnectionPool& database,
                         net::thread_pool& db_threads, Publisher& publisher, Metrics& metrics)
    : io_(io),
      producer_(std::move(producer)),
      database_(database),
      db_threads_(db_threads),
      publisher_(publisher),
      wake_(io),
      pending_(prometheus::BuildGauge()
                   .Name("flowbench_outbox_pending")
                   .Help("Events committed to the outbox and not yet confirmed by the broker")
                   .Labels(Constant(producer_))
                   .Register(metrics.registry())
                   .Add({})),
      commit_to_confirm_(prometheus::BuildHistogram()
                             .Name("flowbench_outbox_commit_to_confirm_seconds")
                             .Help("From an event's commit in the outbox to the broker's confirm")
                             .Labels(Constant(producer_))
                             .Register(metrics.registry())
                             .Add({}, Metrics::LatencyBuckets())) {}

void OutboxRelay::Start() {
  finished_ = false;
  net::co_spawn(io_, Run(), [this](const std::exception_ptr& error) {
    finished_ = true;
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      log::Error("the outbox relay stopped", {{"error", e.what()}});
    }
  });
}

void OutboxRelay::Notify() {
  notified_ = true;
  // A refused batch is not retried at once because of a new row: that would defeat the
  // back-off while the broker refuses.
  if (!backing_off_) wake_.cancel();
}

void OutboxRelay::RequestStop() {
  stopping_ = true;
  wake_.cancel();
}

Task<void> OutboxRelay::Sleep(std::chrono::milliseconds duration) {
  if (notified_ || stopping_) co_return;
  wake_.expires_after(duration);
  boost::system::error_code ignored;  // cancelled by Notify()/RequestStop(), or expired
  co_await wake_.async_wait(net::redirect_error(net::use_awaitable, ignored));
}

Task<void> OutboxRelay::Run() {
  std::chrono::milliseconds backoff = kFirstBackoff;
  while (!stopping_) {
    notified_ = false;
    Relayed relayed = Relayed::kRefused;
    std::string failure;
    try {
      relayed = co_await RelayBatch();
    } catch (const std::exception& e) {  // the database is away: the rows wait, nothing lost
      failure = e.what();
    }
    if (!failure.empty()) {
      log::Warn("the outbox relay cannot read or update the outbox; retrying",
                {{"error", failure}, {"retry_in_ms", backoff.count()}});
    }
    if (relayed == Relayed::kMore && failure.empty()) {
      backoff = kFirstBackoff;
    } else if (relayed == Relayed::kAll && failure.empty()) {
      backoff = kFirstBackoff;
      co_await Sleep(kPoll);
    } else {
      notified_ = false;
      backing_off_ = true;
      co_await Sleep(backoff);
      backing_off_ = false;
      backoff = std::min(backoff * 2, kMaxBackoff);
    }
  }
}

Task<OutboxRelay::Relayed> OutboxRelay::RelayBatch() {
  const std::string& producer = producer_;
  std::vector<Row> rows = co_await RunOn(db_threads_, [this, &producer] {
    return database_.Transact([&producer](pqxx::work& tx) {
      std::vector<Row> read;
      for (const pqxx::row& r :
           tx.exec_params("SELECT id, type, message_id, exchange, routing_key, body, headers, "
                          "extract(epoch FROM clock_timestamp() - created_at)::float8 "
                          "FROM outbox WHERE producer = $1 ORDER BY id LIMIT $2",
                          producer, kBatchSize)) {
        Row row;
        row.id = r[0].as<std::int64_t>();
        row.type = r[1].as<std::string>();
        row.message.message_id = r[2].as<std::string>();
        row.message.exchange = r[3].as<std::string>();
        row.message.routing_key = r[4].as<std::string>();
        row.message.body = r[5].as<std::string>();
        // Named: a range-for over a member of a temporary would dangle.
        boost::json::value headers = boost::json::parse(r[6].as<std::string>());
        for (const auto& [name, value] : headers.as_object()) {
          row.message.headers.emplace(name, boost::json::value_to<std::string>(value));
        }
        row.seconds_since_commit = r[7].as<double>();
        read.push_back(std::move(row));
      }
      return read;
    });
  });
  if (rows.empty()) {
    pending_.Set(0);
    co_return Relayed::kAll;
  }
  // A sampled row's traceparent names the span that wrote it (the request's): its publish
  // is a PRODUCER span of its own, child of that one, and the consumer's parent.
  std::vector<Span> publish_spans(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string& traceparent = rows[i].message.headers["traceparent"];
    std::optional<TraceContext> writer = ParseTraceparent(traceparent);
    if (!writer || !writer->Sampled()) continue;
    TraceContext publish = writer->NewChild();
    traceparent = publish.ToTraceparent();
    publish_spans[i] = Span(publish, writer->parent_id, SpanKind::kProducer);
    const OutgoingMessage& m = rows[i].message;
    DescribePublishSpan(publish_spans[i], m.exchange, m.routing_key, m.message_id, rows[i].type);
  }
  std::vector<OutgoingMessage> messages;
  messages.reserve(rows.size());
  for (const Row& row : rows) messages.push_back(row.message);
  auto started = std::chrono::steady_clock::now();
  std::vector<std::optional<std::string>> errors =
      co_await publisher_.PublishBatch(std::move(messages));
  double publish_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::string sent;  // a PostgreSQL array literal of the ids confirmed
  std::string first_error;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (errors[i]) {
      if (first_error.empty()) first_error = *errors[i];
      publish_spans[i].SetError(*errors[i]);  // the row stays: a later publish tries again
      continue;
    }
    publish_spans[i].End();
    sent += (sent.empty() ? "{" : ",") + std::to_string(rows[i].id);
    commit_to_confirm_.Observe(rows[i].seconds_since_commit + publish_seconds);
    std::optional<TraceContext> trace = ParseTraceparent(rows[i].message.headers["traceparent"]);
    if (trace && (trace->flags & 0x01) != 0) {
      const OutgoingMessage& m = rows[i].message;
      std::string where =
          m.exchange.empty() ? "queue " + m.routing_key : "fan-out exchange " + m.exchange;
      RecordSpan(*trace, span::kPublish,
                 std::string(kOutboxRelaySpan) + ": " + rows[i].type + " to " + where +
                     " (confirmed by the broker)",
                 {{"type", rows[i].type},
                  {"exchange", rows[i].message.exchange},
                  {"routing_key", rows[i].message.routing_key},
                  {"commit_to_confirm_seconds", rows[i].seconds_since_commit + publish_seconds}});
    }
  }
  std::int64_t left = co_await RunOn(db_threads_, [this, &sent, &producer] {
    return database_.Transact([&](pqxx::work& tx) {
      if (!sent.empty()) {
        tx.exec_params0("DELETE FROM outbox WHERE id = ANY($1::bigint[])", sent + "}");
      }
      return tx.exec_params1("SELECT count(*) FROM outbox WHERE producer = $1", producer)[0]
          .as<std::int64_t>();
    });
  });
  pending_.Set(static_cast<double>(left));
  if (!first_error.empty()) {
    log::Warn("the broker did not take events from the outbox; they wait for the next try",
              {{"error", first_error}, {"not_sent", left}});
    co_return Relayed::kRefused;
  }
  co_return left == 0 ? Relayed::kAll : Relayed::kMore;
}

}  // namespace flowbench::async
