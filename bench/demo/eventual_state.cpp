#include "bench/demo/eventual_state.hpp"

#include <memory>
#include <optional>

#include "bench/demo/narration.hpp"
#include "bench/run/samplers.hpp"
#include "common/amqp/connection.hpp"
#include "common/domain/scenario_ids.hpp"

namespace flowbench::demo {
namespace {

// GET `path` on `service` and return `field` of the answer as text.
std::function<std::string()> FieldReader(const Endpoints& endpoints, std::string service,
                                         std::string path, std::string field) {
  return [port = endpoints.port, service = std::move(service), path = std::move(path),
          field = std::move(field)] {
    JsonReply reply = GetJson(port(service), path);
    if (reply.status == 0) return "(no answer: " + reply.error + ")";
    if (reply.status != 200) return "(" + std::to_string(reply.status) + ")";
    const boost::json::value* value = reply.json.if_contains(field);
    return value ? JsonText(*value) : "(no field " + field + ")";
  };
}

std::optional<long long> AsNumber(const std::string& text) {
  try {
    std::size_t end = 0;
    long long n = std::stoll(text, &end);
    return end == text.size() ? std::optional(n) : std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The id the answer names under any of `keys` (scenario 5's sync 400 nests it in "detail").
std::optional<std::string> AnswerId(const JsonReply& answer,
                                    std::initializer_list<const char*> keys) {
  std::vector<const boost::json::object*> places{&answer.json};
  if (const boost::json::value* detail = answer.json.if_contains("detail");
      detail && detail->is_object()) {
    places.push_back(&detail->get_object());
  }
  for (const boost::json::object* place : places) {
    for (const char* key : keys) {
      if (const boost::json::value* v = place->if_contains(key)) return JsonText(*v);
    }
  }
  return std::nullopt;
}

WatchedValue QueueBacklog(const std::string& amqp_url) {
  // One connection for the whole watch (a passive declare per queue per poll).
  auto connection = std::make_shared<std::unique_ptr<AmqpConnection>>();
  return WatchedValue{"ready messages in all queues",
                      [amqp_url, connection]() -> std::string {
                        try {
                          if (!*connection) {
                            *connection = std::make_unique<AmqpConnection>(
                                amqp_url, std::chrono::seconds(3), "flowbench-demo");
                          }
                          std::uint64_t ready = 0;
                          for (const std::string& queue : run::ContractQueues()) {
                            ready += (*connection)->QueueDepth(queue).value_or(0);
                          }
                          return std::to_string(ready);
                        } catch (const std::exception& e) {
                          connection->reset();  // reconnect at the next poll
                          return std::string("(broker: ") + e.what() + ")";
                        }
                      },
                      [](const std::string& v) { return v == "0"; }};
}

}  // namespace

void StateWatch::Poll() {
  std::string now = value_.read();
  if (history_.empty() || history_.back().value != now) {
    history_.push_back({std::move(now), std::chrono::system_clock::now()});
  }
}

bool StateWatch::Settled() const {
  if (!value_.settled) return true;
  return !history_.empty() && value_.settled(history_.back().value);
}

const std::string& StateWatch::last() const {
  static const std::string kNothing = "(not read)";
  return history_.empty() ? kNothing : history_.back().value;
}

std::string StateWatch::Summary(SystemTime request_sent) const {
  std::string text = value_.label + ": ";
  for (std::size_t i = 0; i < history_.size(); ++i) {
    if (i > 0) text += " -> ";
    text += history_[i].value;
    if (history_[i].at < request_sent) {
      text += " (before)";
    } else {
      text += " (" + CompactRelativeTime(history_[i].at, request_sent) + ")";
    }
  }
  if (!Settled()) text += "   [not settled yet]";
  return text;
}

std::vector<WatchedValue> WatchBeforeRequest(const ScenarioSpec& scenario,
                                             const std::string& request_body,
                                             const std::string& request_target,
                                             const Endpoints& endpoints) {
  std::vector<WatchedValue> watched;
  boost::json::object body;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(request_body, ec);
  if (!ec && parsed.is_object()) body = parsed.get_object();

  if (scenario.id == scenario::kProductFanOut) {
    std::string product = request_target.substr(request_target.rfind('/') + 1);
    std::string stock = body.contains("stock") ? JsonText(body.at("stock")) : "";
    watched.push_back({"product " + product + " stock",
                       FieldReader(endpoints, "product", "/products/" + product, "stock"),
                       [stock](const std::string& v) { return stock.empty() || v == stock; }});
  } else if (scenario.id == scenario::kOrderSaga && body.contains("product_id")) {
    std::string product = JsonText(body.at("product_id"));
    watched.push_back({"product " + product + " stock reserved",
                       FieldReader(endpoints, "inventory", "/inventory/" + product, "reserved"),
                       {}});
  } else if (scenario.id == scenario::kClickBuffering) {
    auto read = FieldReader(endpoints, "analytics", "/clicks/count", "count");
    std::optional<long long> before = AsNumber(read());
    watched.push_back({"clicks written", read, [before](const std::string& v) {
                         std::optional<long long> now = AsNumber(v);
                         return before && now && *now > *before;
                       }});
  }
  return watched;
}

std::vector<WatchedValue> WatchAfterAnswer(const ScenarioSpec& scenario, Arch arch,
                                           const JsonReply& answer, const Endpoints& endpoints) {
  std::vector<WatchedValue> watched;
  const std::string_view id = scenario.id;
  if (id == scenario::kEmailOnRegistration) {
    if (auto user = AnswerId(answer, {"id"})) {
      watched.push_back({"user " + *user + " welcome_email_sent",
                         FieldReader(endpoints, "user", "/users/" + *user, "welcome_email_sent"),
                         [](const std::string& v) { return v == "true"; }});
    }
  } else if (id == scenario::kBackgroundPayment) {
    if (auto payment = AnswerId(answer, {"payment_id"})) {
      watched.push_back({"payment " + *payment + " status",
                         FieldReader(endpoints, "payment", "/payments/" + *payment, "status"),
                         [](const std::string& v) { return v == "succeeded" || v == "failed"; }});
    }
  } else if (id == scenario::kReportJob) {
    if (auto job = AnswerId(answer, {"job_id"})) {
      watched.push_back({"report job " + *job + " status",
                         FieldReader(endpoints, "report", "/jobs/" + *job, "status"),
                         [](const std::string& v) { return v == "completed"; }});
    }
  } else if (id == scenario::kOrderSaga) {
    if (auto order = AnswerId(answer, {"order_id", "id"})) {
      watched.push_back({"order " + *order + " status",
                         FieldReader(endpoints, "order", "/orders/" + *order, "status"),
                         [](const std::string& v) { return v == "confirmed" || v == "failed"; }});
    }
  }
  if (arch == Arch::kAsync && !endpoints.amqp_url.empty()) {
    watched.push_back(QueueBacklog(endpoints.amqp_url));
  }
  return watched;
}

}  // namespace flowbench::demo
