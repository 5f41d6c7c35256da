// user (scenario 1, welcome email on registration): POST /register writes the user, then
// calls the email service and waits while it sends the welcome email, then answers 201. If
// the email service is down the user is still registered and told so
// (welcome_email_sent: false): the email is a side effect, not the point.
// GET /users/{id} reads the user.
//
// Calls: email POST /send_email {"user_id", "email"} (not idempotent: never retried).
#include "common/domain/errors.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/log.hpp"
#include "synchronous/runtime/service.hpp"

namespace flowbench::sync {
namespace {

Reply Register(Service& service, const Request& request) {
  Registration registration = ParseRegistration(request.body());
  User user = service.Transact([&](pqxx::work& tx) { return CreateUser(tx, registration); });
  narrate::UserInserted(request.trace(), user.id);
  // The welcome email, waited for: this request holds its thread until SMTP is done.
  try {
    service.Peer("email").Post("/send_email", {{"user_id", user.id}, {"email", user.email}},
                               request.origin(), Idempotency::kNotIdempotent);
    service.Transact([&](pqxx::work& tx) { MarkWelcomeEmailSent(tx, user.id); });
    narrate::WelcomeEmailSent(request.trace(), user.id);
    user.welcome_email_sent = true;
  } catch (const ServiceUnavailable& e) {
    log::Warn("welcome email not sent", {{"user_id", user.id}, {"cause", e.what()}},
              request.trace_id());
  }
  // Registered either way; without the email the work ended degraded.
  service.CompleteScenario(scenario::kEmailOnRegistration, request,
                           user.welcome_email_sent ? WorkOutcome::kDone : WorkOutcome::kDegraded);
  boost::json::object body = ToJson(user);
  body["message"] = user.welcome_email_sent
                        ? "User registered, welcome email sent"
                        : "User registered; the welcome email could not be sent";
  return Reply{201, body};
}

Reply GetUser(Service& service, const Request& request) {
  std::int64_t id = request.PathId("user");
  return service.Transact([&](pqxx::work& tx) { return UserReply(tx, id); });
}

void AddRoutes(Service& service) {
  service.AddPeer("email");
  service.Post("/register", Register);
  service.Get("/users/{id}", GetUser);
}

}  // namespace
}  // namespace flowbench::sync

int main(int argc, char** argv) {
  return flowbench::sync::RunService("user", argc, argv, flowbench::sync::AddRoutes);
}
