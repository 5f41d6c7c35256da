#include "common/infra/embedded_postgres.hpp"

#include <cctype>
#include <fstream>
#include <pqxx/pqxx>
#include <stdexcept>
#include <thread>

#include "common/domain/json_fields.hpp"
#include "common/domain/secrets.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/process.hpp"

namespace flowbench::infra {
namespace fs = std::filesystem;
namespace {

std::vector<std::string> Command(const PostgresInstance& pg, const std::string& program,
                                 std::vector<std::string> args) {
  std::vector<std::string> argv;
  if (!pg.run_as.empty()) argv = AsUser(pg.run_as);
  argv.push_back((pg.bin_dir / program).string());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

void Run(const PostgresInstance& pg, const std::string& program, std::vector<std::string> args) {
  CommandResult r = RunCommand(Command(pg, program, std::move(args)));
  if (r.exit_code != 0) {
    throw std::runtime_error(program + " failed (exit " + std::to_string(r.exit_code) + "):\n" +
                             r.output + "log:\n" + Tail(pg.dir / "postgres.log"));
  }
}

// As root, PostgreSQL runs as "postgres": it needs a directory it owns and can reach (a
// state directory under /root is not reachable for it).
fs::path PrepareDirectory(fs::path dir, const std::string& run_as) {
  fs::create_directories(dir);
  if (run_as.empty()) return dir;
  RunCommand({"chown", run_as + ":", dir.string()});
  if (RunCommand({"runuser", "-u", run_as, "--", "test", "-w", dir.string()}).exit_code == 0) {
    return dir;
  }
  fs::path fallback =
      fs::temp_directory_path() / ("flowbench-pg-" + std::to_string(FindFreePort()));
  fs::create_directories(fallback);
  RunCommand({"chown", run_as + ":", fallback.string()});
  return fallback;
}

// A file path as a URL query value: everything but the unreserved characters and '/'
// percent-encoded (libpq decodes it).
std::string UrlEncoded(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

// The superuser's password, set at initdb from a file (never on a command line, where `ps`
// shows it) that is removed right after.
void InitDataDirectory(const PostgresInstance& pg, const fs::path& data) {
  fs::path password_file = pg.dir / "initdb-password";
  WritePrivateFile(password_file, pg.password + "\n");
  if (!pg.run_as.empty()) RunCommand({"chown", pg.run_as + ":", password_file.string()});
  try {
    // scram-sha-256 for every connection: no local user gets in without the password.
    Run(pg, "initdb",
        {"-D", data.string(), "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
         "--pwfile=" + password_file.string(), "-U", "postgres", "--no-sync", "-E", "UTF8",
         "--locale=C"});
  } catch (...) {
    fs::remove(password_file);
    throw;
  }
  fs::remove(password_file);
}

}  // namespace

fs::path FindPostgresBinDir() {
  if (const char* dir = std::getenv("FLOWBENCH_PG_BIN_DIR")) return dir;
  fs::path best;
  if (fs::exists("/usr/lib/postgresql")) {
    int best_version = 0;
    for (const fs::directory_entry& e : fs::directory_iterator("/usr/lib/postgresql")) {
      int version = std::atoi(e.path().filename().c_str());
      if (version > best_version && fs::exists(e.path() / "bin" / "initdb")) {
        best_version = version;
        best = e.path() / "bin";
      }
    }
  }
  if (best.empty()) {
    throw std::runtime_error(
        "PostgreSQL server binaries not found under /usr/lib/postgresql. Install them with "
        "`sudo apt-get install postgresql` (or run compose/install-deps.sh), or point "
        "FLOWBENCH_PG_BIN_DIR at a bin directory with initdb and pg_ctl, or give --pg-url.");
  }
  return best;
}

PostgresInstance StartPostgres(fs::path dir) {
  PostgresInstance pg;
  pg.bin_dir = FindPostgresBinDir();
  pg.run_as = RunningAsRoot() ? "postgres" : "";
  pg.dir = PrepareDirectory(std::move(dir), pg.run_as);
  pg.port = FindFreePort();
  fs::path data = pg.dir / "data";
  // Leftovers of a crashed instance, or a data directory of an older flowbench that trusted
  // every local connection: either way initialised afresh, with a new password.
  if (fs::exists(data)) fs::remove_all(data);

  pg.password = RandomSecret();
  InitDataDirectory(pg, data);
  // The services and the driver read the password from a pgpass file named in the URL
  // (libpq's passfile): the URL passed on their command lines carries no secret.
  fs::path pgpass = pg.dir / "pgpass";
  WritePrivateFile(pgpass,
                   "127.0.0.1:" + std::to_string(pg.port) + ":*:postgres:" + pg.password + "\n");
  std::string passfile = "?passfile=" + UrlEncoded(pgpass.string());
  {
    std::ofstream conf(data / "postgresql.conf", std::ios::app);
    conf << "\n# flowbench: a private server on loopback only, no Unix socket\n"
         << "port = " << pg.port << "\n"
         << "listen_addresses = '127.0.0.1'\n"
         << "unix_socket_directories = ''\n"
         // Ten services per build, each with its own pool, both builds at once.
         << "max_connections = 400\n";
  }
  Run(pg, "pg_ctl",
      {"-D", data.string(), "-l", (pg.dir / "postgres.log").string(), "-w", "-t", "60", "start"});

  std::ifstream pid_file(data / "postmaster.pid");
  pid_file >> pg.pid;
  std::string admin_url =
      "postgresql://postgres@127.0.0.1:" + std::to_string(pg.port) + "/postgres" + passfile;
  {
    pqxx::connection admin(admin_url);
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE DATABASE flowbench");
  }
  pg.url = "postgresql://postgres@127.0.0.1:" + std::to_string(pg.port) + "/flowbench" + passfile;
  return pg;
}

void StopPostgresServer(const PostgresInstance& pg) {
  if (!IsAlive(pg.pid)) return;
  CommandResult r = RunCommand(Command(
      pg, "pg_ctl", {"-D", (pg.dir / "data").string(), "-m", "fast", "-w", "-t", "30", "stop"}));
  if (r.exit_code != 0) Terminate(pg.pid, std::chrono::seconds(10));
}

void StopPostgres(const PostgresInstance& pg) {
  StopPostgresServer(pg);
  std::error_code ignored;  // a directory that is already gone is what we want
  fs::remove_all(pg.dir / "data", ignored);
  fs::remove(pg.dir / "pgpass", ignored);
}

PostgresInstance StartPostgresAgain(PostgresInstance pg) {
  fs::path data = pg.dir / "data";
  if (!fs::exists(data / "PG_VERSION")) {
    throw std::runtime_error("no PostgreSQL data in " + data.string() + " to start again");
  }
  if (IsAlive(pg.pid))
    throw std::runtime_error("PostgreSQL still runs (pid " + std::to_string(pg.pid) + ")");
  // After a SIGKILL of the postmaster its backends notice and exit on their own, and until
  // they have, a new postmaster refuses the shared memory they still hold: try a few times.
  std::vector<std::string> start = {"-D", data.string(), "-l", (pg.dir / "postgres.log").string(),
                                    "-w", "-t",          "60", "start"};
  CommandResult r;
  for (int attempt = 0; attempt < 10; ++attempt) {
    r = RunCommand(Command(pg, "pg_ctl", start));
    if (r.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  if (r.exit_code != 0) {
    throw std::runtime_error("pg_ctl start failed (exit " + std::to_string(r.exit_code) + "):\n" +
                             r.output + "log:\n" + Tail(pg.dir / "postgres.log"));
  }
  std::ifstream pid_file(data / "postmaster.pid");
  pid_file >> pg.pid;
  return pg;
}

boost::json::object ToJson(const PostgresInstance& pg) {
  return {{"dir", pg.dir.string()}, {"bin_dir", pg.bin_dir.string()},
          {"run_as", pg.run_as},    {"port", pg.port},
          {"pid", pg.pid},          {"url", pg.url},
          {"password", pg.password}};
}

PostgresInstance PostgresFromJson(const boost::json::object& json) {
  JsonFields f(json);
  PostgresInstance pg;
  pg.dir = f.String("dir");
  pg.bin_dir = f.String("bin_dir");
  pg.run_as = f.String("run_as");
  pg.port = static_cast<int>(f.Integer("port"));
  pg.pid = static_cast<pid_t>(f.Integer("pid"));
  pg.url = f.String("url");
  // A state file of an older flowbench (a trust-authenticated server) has none.
  pg.password = f.OptionalString("password").value_or("");
  return pg;
}

}  // namespace flowbench::infra
