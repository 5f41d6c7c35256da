#include "common/infra/testing/hostile_input.hpp"

#include <httplib.h>

namespace flowbench::testing {

const std::vector<HostileBody>& HostileBodies() {
  static const std::vector<HostileBody> kBodies = {
      // NUMERIC(16, 2) CHECK (amount > 0): rounded to 0.00, or to another amount.
      {"payment", "POST", "/process_payment", R"({"amount": 0.001})", "'amount'"},
      {"payment", "POST", "/process_payment", R"({"amount": 12.345, "currency": "USD"})",
       "'amount'"},
      // Control characters, the NUL first: libpq would store the text cut short.
      {"user", "POST", "/register", R"({"email": "nul\u0000@example.com"})", "'email'"},
      {"payment", "POST", "/process_payment", R"({"amount": 5, "currency": "US\u0000"})",
       "'currency'"},
      {"product", "PUT", "/products/1", R"({"name": "Laptop\u0000 Pro"})", "'name'"},
      {"product", "PUT", "/products/1", R"({"name": "Laptop\n Pro"})", "'name'"},
      {"report", "POST", "/generate_report", R"({"report_type": "monthly\u0000x"})",
       "'report_type'"},
      {"analytics", "POST", "/track_click", R"({"user_id": 1, "page": "/home\u0000/admin"})",
       "'page'"},
      // Integers beyond the BIGINT columns.
      {"product", "PUT", "/products/1", R"({"stock": 9223372036854775808})", "'stock'"},
      {"order", "POST", "/create_order", R"({"product_id": 1, "quantity": 9e18})", "'quantity'"},
      {"order", "POST", "/create_order", R"({"product_id": 9223372036854775808, "quantity": 1})",
       "'product_id'"},
      {"analytics", "POST", "/track_click", R"({"user_id": 9223372036854775808, "page": "/"})",
       "'user_id'"},
      {"analytics", "POST", "/track_click", R"({"user_id": 1e19, "page": "/"})", "'user_id'"},
  };
  return kBodies;
}

const std::vector<std::pair<std::string, std::string>>& PathsNamingNoTextId() {
  static const std::vector<std::pair<std::string, std::string>> kPaths = {
      {"payment", "/payments/%FF%FE"},
      {"payment", "/payments/ab%00c"},
      {"payment", "/payments/%C2%85"},
      {"report", "/jobs/%FF"},
      {"report", "/jobs/%00"},
      {"report", "/jobs/a%0Ab"},
      {"report", "/jobs/" + std::string(300, 'a')},
  };
  return kPaths;
}

std::map<int, int> SendInventedMethodsAndPaths(const std::string& base_url,
                                               const std::string& known_path, int count) {
  httplib::Client client(base_url);  // no keep-alive: a connection per request
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(5, 0);
  std::map<int, int> statuses;
  auto send = [&](std::string method, std::string path) {
    httplib::Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    httplib::Result result = client.send(request);
    ++statuses[result ? result->status : 0];
  };
  for (int i = 0; i < count; ++i) {
    std::string n = std::to_string(i);
    send("INVENTED" + n, known_path);
    send("GET", "/invented/" + n);
    send("X" + n, "/invented/path/" + n);
  }
  return statuses;
}

}  // namespace flowbench::testing
