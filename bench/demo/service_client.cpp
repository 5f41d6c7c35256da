#include "bench/demo/service_client.hpp"

#include <httplib.h>

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
  httplib::Client client("127.0.0.1", port);
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  httplib::Headers http_headers(headers.begin(), headers.end());
  if (method != "GET" && method != "POST" && method != "PUT") {
    throw std::invalid_argument("SendJson: no method " + method);
  }
  httplib::Result result = method == "GET" ? client.Get(target, http_headers)
                           : method == "POST"
                               ? client.Post(target, http_headers, body, "application/json")
                               : client.Put(target, http_headers, body, "application/json");
  JsonReply reply;
  if (!result) {
    reply.error = httplib::to_string(result.error());
    return reply;
  }
  reply.status = result->status;
  reply.body = result->body;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(reply.body, ec);
  if (!ec && parsed.is_object()) reply.json = std::move(parsed.get_object());
  return reply;
}

std::string JsonText(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  return boost::json::serialize(value);
}

}  // namespace flowbench::demo
