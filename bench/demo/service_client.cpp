#include "bench/demo/service_client.hpp"

#include <stdexcept>

#include "common/http/json_client.hpp"

namespace flowbench::demo {

std::string JsonReply::Summary(std::size_t max_body) const {
  if (status == 0) return "no answer: " + error;
  std::string text = std::to_string(status) + " " + body;
  if (text.size() > max_body) text = text.substr(0, max_body) + "...";
  return text;
}

JsonReply SendJson(int port, const std::string& method, const std::string& target,
                   const std::string& body, const std::map<std::string, std::string>& headers,
                   std::chrono::milliseconds timeout) {
  if (method != "GET" && method != "POST" && method != "PUT") {
    throw std::invalid_argument("SendJson: no method " + method);
  }
  http::JsonClient client("127.0.0.1", port, {std::chrono::seconds(2), timeout});
  http::JsonResponse response =
      client.Send(method, target, body, http::Headers(headers.begin(), headers.end()));
  JsonReply reply;
  reply.status = response.status;
  reply.error = std::move(response.error);
  reply.body = std::move(response.body);
  reply.retry_after = response.Header("Retry-After");
  if (boost::json::object* object = response.json.if_object()) reply.json = std::move(*object);
  return reply;
}

std::string JsonText(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  return boost::json::serialize(value);
}

}  // namespace flowbench::demo
