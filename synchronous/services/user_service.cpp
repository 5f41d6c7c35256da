// The user service, scenario 1 (fire-and-forget email, here not fire-and-forget at all):
// POST /register creates the user, then waits for the email service to send the welcome
// email, then answers 201. If the email service is down the user is still registered and
// told so (welcome_email_sent: false): the email is a side effect, not the point.
//
// Calls: email POST /send_email {"user_id", "email"} (not idempotent: never retried).
// Reads: GET /users/{id}.
#include "common/domain/errors.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/span.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

void AddRoutes(Service& service) {
  Downstream& email = service.Peer("email");

  service.Post("/register", [&](const Call& call) {
    Registration registration = ParseRegistration(call.body());
    User user = service.db().Transact([&](pqxx::work& tx) { return CreateUser(tx, registration); });
    RecordSpan(call.trace(), span::kWrite, "users row " + std::to_string(user.id) + " inserted",
               {{"table", "users"}, {"id", user.id}});
    try {
      email.Post("/send_email", {{"user_id", user.id}, {"email", user.email}}, call.trace(),
                 Idempotency::kNotIdempotent);
      service.db().Transact([&](pqxx::work& tx) { MarkWelcomeEmailSent(tx, user.id); });
      RecordSpan(call.trace(), span::kWrite,
                 "users " + std::to_string(user.id) + " welcome_email_sent = true",
                 {{"table", "users"}, {"id", user.id}});
      user.welcome_email_sent = true;
    } catch (const ServiceUnavailable& e) {
      log::Warn("welcome email not sent", {{"user_id", user.id}, {"cause", e.what()}},
                call.trace_id());
    }
    service.CompleteScenario("scenario1", call);
    boost::json::object body = ToJson(user);
    body["message"] = user.welcome_email_sent
                          ? "User registered, welcome email sent"
                          : "User registered; the welcome email could not be sent";
    return Reply{201, body};
  });

  service.Get("/users/{id}", [&](const Call& call) {
    std::int64_t id = call.PathId("user");
    auto user = service.db().Transact([&](pqxx::work& tx) { return FindUser(tx, id); });
    if (!user) throw NotFound("user " + std::to_string(id) + " does not exist");
    return Reply{200, ToJson(*user)};
  });
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("user", argc, argv, flowbench::sync::AddRoutes);
}
