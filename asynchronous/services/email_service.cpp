// email (scenario 1): sends the welcome email of each user_registered, which takes
// email_delay of waiting (an SMTP server, here a timer), and marks it sent. A user whose
// email went out already is a duplicate: no second email. The sending is claimed once per
// user before it happens (effect_claims): a redelivery, even one handled while the first
// copy is still sending, never sends again; it only marks the email sent. A user that does not
// exist was withdrawn by the user service (its publish answered 503, although the broker may have
// kept the event): refused, no email.
//
// Consumes: user_registered_queue.
#include "asynchronous/runtime/service.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/step_names.hpp"
#include "common/scenarios/stores.hpp"

namespace flowbench::async {
namespace {

Task<Outcome> SendWelcomeEmail(Service& service, const IncomingMessage& message) {
  auto event = PayloadAs<UserRegistered>(message.envelope);
  std::optional<User> user =
      co_await service.Transact([&](pqxx::work& tx) { return FindUser(tx, event.user_id); });
  if (!user) co_return Outcome::kWithdrawn;
  if (user->welcome_email_sent) co_return Outcome::kDuplicate;
  const std::string user_key = std::to_string(event.user_id);
  EffectClaim claim = co_await service.Transact(
      [&](pqxx::work& tx) { return ClaimEffect(tx, effect::kWelcomeEmail, user_key); });
  if (claim.first_time) co_await Wait(message.trace, "SMTP send", service.workload().email_delay);
  Outcome sent = co_await service.Transact([&](pqxx::work& tx) {
    if (!MarkMessageProcessed(tx, step::kWelcomeEmail, message.envelope.message_id)) {
      return Outcome::kDuplicate;
    }
    // Gone: withdrawn while the email was on its way.
    return MarkWelcomeEmailSentIfRegistered(tx, event.user_id) ? Outcome::kDone
                                                               : Outcome::kWithdrawn;
  });
  if (sent != Outcome::kDone) co_return sent;
  narrate::WelcomeEmailSent(message.trace, event.user_id);
  service.CompleteScenario(scenario::kEmailOnRegistration, message, WorkOutcome::kDone);
  co_return Outcome::kDone;
}

void AddRoutes(Service& service) {
  service.Consume(topology::kUserRegisteredQueue, SendWelcomeEmail);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("email", argc, argv, flowbench::async::AddRoutes);
}
