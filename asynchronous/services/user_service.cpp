// user (scenario 1, welcome email on registration): POST /register writes the user, then
// publishes user_registered and answers 202; the email service sends the welcome email
// later. If the broker does not take the event the registration is withdrawn (503): no
// user stays without its welcome email, and the email is free again.
// GET /users/{id} reads the user (welcome_email_sent turns true once the email went out).
//
// Publishes: user_registered {"user_id", "email"} to user_registered_queue.
#include "asynchronous/runtime/service.hpp"
#include "common/domain/errors.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/scenarios/narration.hpp"
#include "common/scenarios/reads.hpp"
#include "common/scenarios/stores.hpp"

namespace flowbench::async {
namespace {

Task<Reply> Register(Service& service, const Request& request) {
  Registration registration = ParseRegistration(request.body());
  User user =
      co_await service.Transact([&](pqxx::work& tx) { return CreateUser(tx, registration); });
  narrate::UserInserted(request.trace(), user.id);
  // The welcome email, published: the email service sends it after this answer.
  UserRegistered event{user.id, user.email};
  auto withdraw = [&](pqxx::work& tx) {
    DeleteUser(tx, user.id);
    narrate::UserWithdrawn(request.trace(), user.id);
  };
  std::string consequence = "nothing was registered, " + user.email + " can register again";
  co_await service.PublishOrWithdraw(topology::kUserRegistered, event, request, withdraw,
                                     consequence);
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
  service.Post("/register", Register);
  service.Get("/users/{id}", GetUser);
}

}  // namespace
}  // namespace flowbench::async

int main(int argc, char** argv) {
  return flowbench::async::RunService("user", argc, argv, flowbench::async::AddRoutes);
}
