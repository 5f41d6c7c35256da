// The email service: "sends" the welcome email, which takes email_delay of waiting (an SMTP
// server), during which the calling user service's worker thread waits too.
//
// Serves: POST /send_email {"user_id", "email"} -> 200 {"sent": true}.
#include <thread>

#include "common/domain/json_fields.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

void AddRoutes(Service& service) {
  service.Post("/send_email", [&](const Call& call) {
    boost::json::object json = ParseJsonObject(call.body());
    JsonFields fields(json);
    std::int64_t user_id = fields.Integer("user_id");
    std::string address = fields.String("email");
    RecordSpan(call.trace(), span::kWait,
               "SMTP send (" + std::to_string(service.workload().email_delay.count()) +
                   " ms, blocking this thread)");
    std::this_thread::sleep_for(service.workload().email_delay);
    log::Info("welcome email sent", {{"user_id", user_id}, {"email", address}}, call.trace_id());
    return Reply{200, {{"sent", true}, {"user_id", user_id}}};
  });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("email", argc, argv, flowbench::sync::AddRoutes);
}
