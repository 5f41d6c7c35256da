// user (scenario 1, welcome email on registration): POST /register writes the user and its
// user_registered event in one transaction (the outbox) and answers 202; the relay publishes
// the event and the email service sends the welcome email later, even if the broker is away
// at the time of the request.
// GET /users/{id} reads the user (welcome_email_sent turns true once the email went out).
//
// Publishes: user_registered {"user_id", "email"} to user_registered_queue.
#include "asynchronous/runtime/service.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/stores.hpp"

namespace flowbench::async {
namespace {

Task<Reply> Register(Service& service, const Request& request) {
  Registration registration = ParseRegistration(request.body());
  auto insert = [&](pqxx::work& tx) { return CreateUser(tx, registration); };
  // The welcome email, published: the email service sends it after this answer.
  auto welcome = [](const User& user) { return UserRegistered{user.id, user.email}; };
  User user =
      co_await service.TransactWithEvent(request, topology::kUserRegistered, insert, welcome);
  narrate::UserInserted(request.trace(), user.id);
  co_return Reply{202,
                  {{"id", user.id},
                   {"email", user.email},
                   {"message", "registered; the welcome email will follow"},
                   {"event_published", true}}};
}

Task<Reply> GetUser(Service& service, const Request& request) {
  std::int64_t id = request.PathId("user");
  co_return co_await service.Transact([&](pqxx::work& tx) { return UserReply(tx, id); });
}

void AddRoutes(Service& service) {
  service.UseOutbox();
  service.Post("/register", Register);
  service.Get("/users/{id}", GetUser);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("user", argc, argv, flowbench::async::AddRoutes);
}
