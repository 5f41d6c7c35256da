#include "common/service/error_mapping.hpp"

#include <pqxx/pqxx>

#include "common/domain/errors.hpp"

namespace flowbench {

boost::json::object ErrorBody(std::string_view error, std::string_view detail) {
  return {{"error", error}, {"detail", detail}};
}

ErrorReply ToErrorReply(std::exception_ptr error) {
  auto unavailable = [](std::string_view detail) {
    return ErrorReply{{503, ErrorBody("service_unavailable", detail)}, false};
  };
  auto fault = [](std::string_view detail) {
    return ErrorReply{{500, ErrorBody("internal_error", detail)}, true};
  };
  try {
    std::rethrow_exception(error);
  } catch (const ClientError& e) {
    return {{e.status(), ErrorBody(e.error(), e.detail())}, false};
  } catch (const ServiceUnavailable& e) {
    return unavailable(e.what());
  } catch (const pqxx::broken_connection&) {
    return unavailable("database unreachable");
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == "57014") {  // query_canceled: our statement_timeout struck
      return unavailable("database too slow: statement timed out");
    }
    return fault(e.what());
  } catch (const std::exception& e) {
    return fault(e.what());
  } catch (...) {
    return fault("unknown exception");
  }
}

}  // namespace flowbench
