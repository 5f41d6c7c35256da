#include "common/db/schema.hpp"

#include <stdexcept>

namespace flowbench {
namespace {

// Any fixed number: all migrations take this transaction-scoped lock, so concurrent
// CREATE ... IF NOT EXISTS from several services never collide in the catalogue.
constexpr long long kMigrationLock = 0x666c6f77;  // "flow"

constexpr const char* kTables = R"sql(
CREATE TABLE IF NOT EXISTS users (
  id                 BIGSERIAL PRIMARY KEY,
  email              TEXT NOT NULL UNIQUE,
  welcome_email_sent BOOLEAN NOT NULL DEFAULT FALSE,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  email_sent_at      TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS payments (
  payment_id     TEXT PRIMARY KEY,
  amount         NUMERIC(16, 2) NOT NULL CHECK (amount > 0),
  currency       TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('processing', 'succeeded', 'failed')),
  transaction_id TEXT,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  settled_at     TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS products (
  id         BIGINT PRIMARY KEY,
  name       TEXT NOT NULL,
  stock      BIGINT NOT NULL CHECK (stock >= 0),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS report_jobs (
  job_id                   TEXT PRIMARY KEY,
  report_type              TEXT NOT NULL,
  status                   TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed')),
  report_hash              TEXT,
  iterations               BIGINT,
  computation_time_seconds DOUBLE PRECISION,
  created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at             TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS orders (
  id         BIGSERIAL PRIMARY KEY,
  product_id BIGINT NOT NULL REFERENCES products (id),
  quantity   BIGINT NOT NULL CHECK (quantity > 0),
  status     TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS inventory (
  product_id BIGINT PRIMARY KEY REFERENCES products (id),
  reserved   BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0)
);
CREATE TABLE IF NOT EXISTS clicks (
  id         BIGSERIAL PRIMARY KEY,
  user_id    BIGINT NOT NULL,
  page       TEXT NOT NULL,
  clicked_at TIMESTAMPTZ NOT NULL,
  message_id TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS processed_messages (
  consumer     TEXT NOT NULL,
  message_id   TEXT NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);
-- The saga's payment authorisation, decided once per order: a redelivered stock_reserved
-- republishes this decision instead of drawing a new one.
CREATE TABLE IF NOT EXISTS payment_decisions (
  order_id   BIGINT PRIMARY KEY,
  authorised BOOLEAN NOT NULL,
  decided_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Effects outside the database (an email, a gateway call, a report's hashing), claimed once
-- per key before they happen: a redelivered message finds the claim and does not repeat them.
CREATE TABLE IF NOT EXISTS effect_claims (
  effect     TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL DEFAULT '',
  claimed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (effect, key)
);
)sql";

// --- The transactional outbox (async build; CONTRACT §4.5) --------------------------------
// A front's event, committed in the same transaction as its row, until the producer's relay
// (asynchronous/runtime/outbox_relay.*) has it confirmed by the broker and deletes it. Empty
// in the sync build's schema.
constexpr const char* kOutbox = R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  id          BIGSERIAL PRIMARY KEY,
  producer    TEXT NOT NULL,
  message_id  TEXT NOT NULL,
  type        TEXT NOT NULL,
  exchange    TEXT NOT NULL,
  routing_key TEXT NOT NULL,
  body        TEXT NOT NULL,
  headers     TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS outbox_by_producer ON outbox (producer, id);
)sql";
// --- end of the outbox ----------------------------------------------------------------------

constexpr const char* kSeed = R"sql(
INSERT INTO products (id, name, stock) VALUES
  (1, 'Laptop', 100), (2, 'Smartphone', 200), (3, 'Headphones', 300)
ON CONFLICT (id) DO NOTHING;
INSERT INTO inventory (product_id, reserved) VALUES (1, 0), (2, 0), (3, 0)
ON CONFLICT (product_id) DO NOTHING;
)sql";

void RequirePlainName(const std::string& schema) {
  bool plain =
      !schema.empty() && schema.size() < 64 &&
      schema.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos &&
      !(schema[0] >= '0' && schema[0] <= '9');
  if (!plain) throw std::invalid_argument("schema name '" + schema + "' is not [a-z_][a-z0-9_]*");
}

void InSchema(pqxx::work& tx, const std::string& schema) {
  RequirePlainName(schema);
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
  tx.exec0("CREATE SCHEMA IF NOT EXISTS " + tx.quote_name(schema));
  tx.exec0("SET LOCAL search_path TO " + tx.quote_name(schema));
}

}  // namespace

void MigrateSchema(pqxx::connection& connection, const std::string& schema) {
  pqxx::work tx(connection);
  InSchema(tx, schema);
  tx.exec0(kTables);
  tx.exec0(kOutbox);
  tx.exec0(kSeed);
  tx.commit();
}

void ResetSchema(pqxx::connection& connection, const std::string& schema) {
  MigrateSchema(connection, schema);
  pqxx::work tx(connection);
  InSchema(tx, schema);
  tx.exec0(
      "TRUNCATE users, payments, report_jobs, orders, inventory, clicks, processed_messages, "
      "payment_decisions, effect_claims, outbox, products RESTART IDENTITY CASCADE");
  tx.exec0(kSeed);
  tx.commit();
}

}  // namespace flowbench
