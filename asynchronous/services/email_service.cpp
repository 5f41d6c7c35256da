// email (scenario 1): sends the welcome email of each user_registered (a waiting step: a
// timer) and marks it sent. A user whose email went out already is a duplicate: no second
// email. A user that does not exist was withdrawn by the user service (its publish answered
// 503, although the broker may have kept the event): refused, no email.
#include "asynchronous/runtime/service.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"

using namespace flowbench;
using namespace flowbench::async;

int main(int argc, char** argv) {
  return RunService("email", argc, argv, [](ServiceContext& ctx) {
    ctx.Consume(
        topology::kUserRegisteredQueue, [&ctx](const IncomingMessage& message) -> Task<Outcome> {
          auto event = PayloadAs<UserRegistered>(message.envelope);
          std::optional<User> user =
              co_await ctx.Transact([&](pqxx::work& tx) { return FindUser(tx, event.user_id); });
          if (!user) co_return Outcome::kWithdrawn;
          if (user->welcome_email_sent) co_return Outcome::kDuplicate;

          RecordSpan(message.trace, span::kWait,
                     "SMTP send (" + std::to_string(ctx.workload().email_delay.count()) +
                         " ms, a timer: no thread waits)");
          co_await Wait(ctx.workload().email_delay);  // the SMTP call

          Outcome sent = co_await ctx.Transact([&](pqxx::work& tx) {
            if (!MarkMessageProcessed(tx, "email", message.envelope.message_id)) {
              return Outcome::kDuplicate;
            }
            // Gone: withdrawn while the email was on its way.
            return MarkWelcomeEmailSentIfRegistered(tx, event.user_id) ? Outcome::kDone
                                                                       : Outcome::kWithdrawn;
          });
          if (sent != Outcome::kDone) co_return sent;
          RecordSpan(message.trace, span::kWrite,
                     "users " + std::to_string(event.user_id) + " welcome_email_sent = true",
                     {{"table", "users"}, {"id", event.user_id}});
          ctx.ObserveCompletion("scenario1", message.envelope.accepted_at);
          co_return Outcome::kDone;
        });
  });
}
