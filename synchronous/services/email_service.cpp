// email (scenario 1): sends the welcome email, which takes email_delay of waiting (an SMTP
// server), during which the calling user service's worker thread waits too.
//
// Serves (internal): POST /send_email {"user_id", "email"} -> 200 {"sent": true}.
#include "common/domain/json_fields.hpp"
#include "common/telemetry/log.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

Reply SendWelcomeEmail(Service& service, const Request& request) {
  boost::json::object json = ParseJsonObject(request.body());
  JsonFields fields(json);
  std::int64_t user_id = fields.Integer("user_id");
  std::string address = fields.String("email");
  Wait(request.trace(), "SMTP send", service.workload().email_delay);
  log::Info("welcome email sent", {{"user_id", user_id}, {"email", address}}, request.trace_id());
  return Reply{200, {{"sent", true}, {"user_id", user_id}}};
}

void AddRoutes(Service& service) { service.Post("/send_email", SendWelcomeEmail); }

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("email", argc, argv, flowbench::sync::AddRoutes);
}
