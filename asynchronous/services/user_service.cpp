// user (scenario 1, fire-and-forget): POST /register writes the user and publishes
// user_registered; the email service sends the welcome email later. GET /users/{id} shows
// welcome_email_sent turning true. A registration whose event the broker did not take is
// withdrawn (503): no user stays without its welcome email, and the email is free again.
#include "asynchronous/runtime/service.hpp"
#include "common/domain/errors.hpp"
#include "common/scenarios/stores.hpp"
#include "common/telemetry/span.hpp"

using namespace flowbench;
using namespace flowbench::async;

int main(int argc, char** argv) {
  return RunService("user", argc, argv, [](ServiceContext& ctx) {
    ctx.Post("/register", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      Registration registration = ParseRegistration(request.body);
      User user =
          co_await ctx.Transact([&](pqxx::work& tx) { return CreateUser(tx, registration); });
      RecordSpan(request.trace, span::kWrite, "users row " + std::to_string(user.id) + " inserted",
                 {{"table", "users"}, {"id", user.id}});
      std::string not_published;  // why, when the broker did not take the event
      try {
        UserRegistered event{user.id, user.email};
        Origin origin = Origin::Of(request);
        co_await ctx.PublishAccepted(topology::kUserRegistered, event, origin);
      } catch (const ServiceUnavailable& e) {
        not_published = e.what();
      }
      if (!not_published.empty()) {
        // Withdrawn in a compensating transaction (C++ cannot co_await inside a catch).
        co_await ctx.Transact([&user](pqxx::work& tx) { DeleteUser(tx, user.id); });
        RecordSpan(request.trace, span::kCompensate,
                   "users row " + std::to_string(user.id) + " deleted (event not published)",
                   {{"table", "users"}, {"id", user.id}});
        throw ServiceUnavailable(not_published + "; nothing was registered, " + user.email +
                                 " can register again");
      }
      co_return JsonResponse(202, {{"id", user.id},
                                   {"email", user.email},
                                   {"message", "registered; the welcome email will follow"},
                                   {"event_published", true}});
    });

    ctx.Get("/users/{id}", [&ctx](const HttpRequest& request) -> Task<HttpResponse> {
      std::int64_t id = request.IdParam("id");
      std::optional<User> user =
          co_await ctx.Transact([&](pqxx::work& tx) { return FindUser(tx, id); });
      if (!user) throw NotFound("user " + std::to_string(id) + " does not exist");
      co_return JsonResponse(200, ToJson(*user));
    });
  });
}
