#include "synchronous/runtime/error_reply.hpp"

#include <pqxx/pqxx>

#include "common/domain/errors.hpp"

namespace flowbench::sync {

boost::json::object ErrorBody(std::string_view error, std::string_view detail) {
  return {{"error", error}, {"detail", detail}};
}

ErrorReply ToErrorReply(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const ClientError& e) {
    return {e.status(), ErrorBody(e.error(), e.detail()), false};
  } catch (const ServiceUnavailable& e) {
    return {503, ErrorBody("service_unavailable", e.what()), false};
  } catch (const pqxx::broken_connection&) {
    return {503, ErrorBody("service_unavailable", "database unreachable"), false};
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == "57014") {  // query_canceled: our statement_timeout struck
      return {503, ErrorBody("service_unavailable", "database too slow: statement timed out"),
              false};
    }
    return {500, ErrorBody("internal_error", e.what()), true};
  } catch (const std::exception& e) {
    return {500, ErrorBody("internal_error", e.what()), true};
  } catch (...) {
    return {500, ErrorBody("internal_error", "unknown exception"), true};
  }
}

}  // namespace flowbench::sync
