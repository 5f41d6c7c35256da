// A private PostgreSQL server from the Debian binaries: its own data directory, a free port,
// loopback only, no Unix socket. Never touches a system-wide cluster.
#pragma once

#include <sys/types.h>

#include <boost/json.hpp>
#include <filesystem>
#include <string>

namespace flowbench::infra {

struct PostgresInstance {
  std::filesystem::path dir;  // holds data/ and postgres.log
  std::filesystem::path bin_dir;
  std::string run_as;  // "postgres" when we are root (initdb refuses root), else empty
  int port = 0;
  pid_t pid = 0;         // the postmaster
  std::string url;       // postgresql://postgres@127.0.0.1:PORT/flowbench?passfile=DIR/pgpass
  std::string password;  // the superuser's, generated at initdb (also in DIR/pgpass, 0600)
};

// initdb, start, wait until it answers, create database "flowbench". `dir` is created; as
// root, when the postgres user cannot reach it, a directory under /tmp is used instead.
PostgresInstance StartPostgres(std::filesystem::path dir);
// Fast shutdown (pg_ctl -m fast), then the data directory is removed.
void StopPostgres(const PostgresInstance& instance);
// Fast shutdown, keeping the data directory (a planned stop the server comes back from).
void StopPostgresServer(const PostgresInstance& instance);
// Starts a stopped or crashed server again on its port and data directory (what it held is
// there again, after crash recovery); returns the instance with the new postmaster pid.
PostgresInstance StartPostgresAgain(PostgresInstance instance);

boost::json::object ToJson(const PostgresInstance& instance);
PostgresInstance PostgresFromJson(const boost::json::object& json);

// Throws with the apt-get line to run when the server binaries are missing.
std::filesystem::path FindPostgresBinDir();

}  // namespace flowbench::infra
