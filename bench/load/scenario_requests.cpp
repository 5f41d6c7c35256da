#include "bench/load/scenario_requests.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <initializer_list>

#include "common/domain/events.hpp"
#include "common/domain/scenario_ids.hpp"

namespace flowbench::load {
namespace json = boost::json;
namespace {

int ProductId(std::mt19937_64& rng) { return std::uniform_int_distribution<int>(1, 3)(rng); }

HttpRequestSpec Post(std::string_view target, const json::object& body) {
  return HttpRequestSpec{"POST", std::string(target), json::serialize(body), "application/json"};
}

// The body is a JSON object with each of `fields` (and `string_field` equal to `value`, when
// given); anything else is a failed check.
bool BodyHas(std::string_view body, std::initializer_list<std::string_view> fields,
             std::string_view string_field = {}, std::string_view value = {}) {
  // Answers are small: parsed into a buffer on the stack, not a malloc per JSON node.
  unsigned char buffer[1024];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::error_code ec;
  json::value document = json::parse(body, ec, &arena);
  if (ec || !document.is_object()) return false;
  const json::object& o = document.get_object();
  for (std::string_view field : fields) {
    if (!o.contains(field)) return false;
  }
  if (string_field.empty()) return true;
  const json::value* v = o.if_contains(string_field);
  return v && v->is_string() && v->get_string() == value;
}

bool CompensatedOrder(std::string_view body) {
  json::error_code ec;
  json::value document = json::parse(body, ec);
  if (ec || !document.is_object()) return false;
  const json::value* detail = document.get_object().if_contains("detail");
  if (detail == nullptr || !detail->is_object()) return false;
  const json::value* compensated = detail->get_object().if_contains("compensation_executed");
  return compensated && compensated->is_bool() && compensated->get_bool();
}

}  // namespace

RequestFactory ScenarioRequestFactory(const ScenarioSpec& scenario) {
  const std::string_view id = scenario.id;
  if (id == scenario::kEmailOnRegistration) {
    return [](std::mt19937_64&, std::uint64_t) {
      return Post("/register", {{"email", "load-" + NewMessageId() + "@example.com"}});
    };
  }
  if (id == scenario::kBackgroundPayment) {
    return [](std::mt19937_64&, std::uint64_t) {
      return Post("/process_payment", {{"amount", 100.0}, {"currency", "USD"}});
    };
  }
  if (id == scenario::kProductFanOut) {
    return [](std::mt19937_64& rng, std::uint64_t iteration) {
      int product = ProductId(rng);
      json::object body{{"name", "Product " + std::to_string(product)},
                        {"stock", static_cast<std::int64_t>(100 + iteration % 900)}};
      return HttpRequestSpec{"PUT", "/products/" + std::to_string(product), json::serialize(body),
                             "application/json"};
    };
  }
  if (id == scenario::kReportJob) {
    return [](std::mt19937_64&, std::uint64_t) {
      return Post("/generate_report", {{"report_type", "monthly"}});
    };
  }
  if (id == scenario::kOrderSaga) {
    return [](std::mt19937_64& rng, std::uint64_t) {
      return Post("/create_order", {{"product_id", ProductId(rng)}, {"quantity", 1}});
    };
  }
  // Clicks are the scenario driven hardest (thousands a second on the driver's own cores), so
  // their body is written by hand: what json::serialize writes for {"user_id": N, "page":
  // "/products"}, without an object built and serialized per request.
  return [](std::mt19937_64& rng, std::uint64_t) {
    constexpr std::string_view kHead = R"({"user_id":)";
    constexpr std::string_view kTail = R"(,"page":"/products"})";
    char digits[12];
    const int user = std::uniform_int_distribution<int>(1, 1000)(rng);
    char* end = std::to_chars(digits, digits + sizeof digits, user).ptr;
    HttpRequestSpec spec{"POST", "/track_click", {}, "application/json"};
    spec.body.reserve(kHead.size() + static_cast<std::size_t>(end - digits) + kTail.size());
    spec.body.append(kHead).append(digits, end).append(kTail);
    return spec;
  };
}

ResponseCheck ScenarioCheck(const ScenarioSpec& scenario, Arch arch) {
  const std::string id(scenario.id);
  const int expected = scenario.Status(arch);
  const int failure = arch == Arch::kSync ? scenario.sync_failure_status : 0;
  const bool sync = arch == Arch::kSync;
  return [id, expected, failure, sync](const HttpAnswer& a) -> std::optional<stats::ErrorKind> {
    if (failure != 0 && a.status == failure) {  // scenario 5: a compensated saga is an answer too
      return CompensatedOrder(a.body) ? std::nullopt : std::optional(stats::ErrorKind::kCheck);
    }
    if (a.status != expected) return stats::ErrorKind::kStatus;
    bool ok = true;
    if (id == scenario::kEmailOnRegistration) {
      ok = BodyHas(a.body, {"id", "email"});
    } else if (id == scenario::kBackgroundPayment) {
      ok = sync ? BodyHas(a.body, {"transaction_id"}, "status", "success")
                : BodyHas(a.body, {"payment_id"}, "status", "processing");
    } else if (id == scenario::kProductFanOut) {
      ok = BodyHas(a.body, {"id", "name", "stock"});
    } else if (id == scenario::kReportJob) {
      ok = sync ? BodyHas(a.body, {"report_hash"}, "status", "completed")
                : BodyHas(a.body, {"job_id"}, "status", "queued");
    } else if (id == scenario::kOrderSaga) {
      ok = sync ? BodyHas(a.body, {"order_id"}, "status", "confirmed")
                : BodyHas(a.body, {"id"}, "status", "pending");
    } else if (id == scenario::kClickBuffering) {
      ok = BodyHas(a.body, {}, "status", "tracked");
    }
    return ok ? std::nullopt : std::optional(stats::ErrorKind::kCheck);
  };
}

}  // namespace flowbench::load
