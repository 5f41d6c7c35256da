#include "common/service/error_mapping.hpp"

#include <pqxx/pqxx>

#include "common/domain/errors.hpp"

namespace flowbench {
namespace {

// SQLSTATEs that say the database cannot serve now: connection exceptions (08), the server
// shutting down or starting (57P0x), too many connections (53300).
bool DatabaseCannotServe(const std::string& state) {
  return state.starts_with("08") || state.starts_with("57P0") || state == "53300";
}

}  // namespace

boost::json::object ErrorBody(std::string_view error, std::string_view detail) {
  return {{"error", error}, {"detail", detail}};
}

ErrorReply ToErrorReply(std::exception_ptr error) {
  // A dependency failure: one 503 shape, a detail written here (never the driver's text,
  // which goes to `cause` for the logs).
  auto unavailable = [](std::string_view detail, std::string cause) {
    return ErrorReply{{503, ErrorBody("service_unavailable", detail)}, false, std::move(cause)};
  };
  // A server fault: what was thrown (an SQL error names tables, columns and values) goes to
  // `cause` for the log; the client gets a fixed sentence, and the front adds the trace id
  // that finds the log line.
  auto fault = [](std::string cause) {
    return ErrorReply{
        {500,
         ErrorBody("internal_error", "an unexpected error in this service; its log has the cause")},
        true,
        std::move(cause)};
  };
  try {
    std::rethrow_exception(error);
  } catch (const ClientError& e) {
    return {{e.status(), ErrorBody(e.error(), e.detail())}, false, e.detail()};
  } catch (const ServiceUnavailable& e) {
    return unavailable(e.what(), e.what());
  } catch (const pqxx::broken_connection& e) {
    return unavailable("database unreachable", e.what());
  } catch (const pqxx::in_doubt_error& e) {
    return unavailable("database connection lost while committing: the outcome is unknown",
                       e.what());
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == "57014") {  // query_canceled: our statement_timeout struck
      return unavailable("database too slow: statement timed out", e.what());
    }
    if (DatabaseCannotServe(e.sqlstate())) return unavailable("database unavailable", e.what());
    return fault(e.what());
  } catch (const std::exception& e) {
    return fault(e.what());
  } catch (...) {
    return fault("unknown exception");
  }
}

}  // namespace flowbench
