#include "common/http/json_client.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace flowbench::http {

std::string JsonResponse::Header(std::string_view name) const {
  auto lower = [](unsigned char c) { return std::tolower(c); };
  for (const auto& [key, value] : headers) {
    if (std::ranges::equal(key, name, {}, lower, lower)) return value;
  }
  return {};
}

std::string JsonResponse::Describe(std::size_t max_body) const {
  std::string what = method + " " + url + ": ";
  if (status == 0) return what + "no answer (" + error + ")";
  std::string text = what + "status " + std::to_string(status);
  if (!body.empty()) text += " " + body.substr(0, max_body);
  if (body.size() > max_body) text += "...";
  return text;
}

HttpError::HttpError(const JsonResponse& response, const std::string& why)
    : std::runtime_error(why.empty() ? response.Describe() : response.Describe() + ": " + why),
      status_(response.status) {}

std::string BaseUrl(const std::string& host, int port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

JsonClient::JsonClient(std::string base_url, Timeouts timeouts)
    : base_url_(std::move(base_url)), timeouts_(timeouts) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

JsonClient::JsonClient(const std::string& host, int port, Timeouts timeouts)
    : JsonClient(BaseUrl(host, port), timeouts) {}

JsonClient& JsonClient::BasicAuth(std::string user, std::string password) {
  basic_auth_.emplace(std::move(user), std::move(password));
  return *this;
}

JsonResponse JsonClient::Send(std::string_view method, const std::string& path,
                              const std::string& body, const Headers& headers) const {
  JsonResponse response = Transfer(method, path, body, headers);
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(response.body, ec);
  if (!ec) response.json = std::move(parsed);  // not JSON: stays null, the body tells
  return response;
}

JsonResponse JsonClient::Transfer(std::string_view method, const std::string& path,
                                  const std::string& body, const Headers& headers) const {
  // A fresh connection per request, as every caller had: requests are seconds apart (polls,
  // scrapes, test steps), and a kept-alive socket a service closed would be one more failure.
  httplib::Client client(base_url_);
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(timeouts_.connect);
  client.set_read_timeout(timeouts_.read);
  client.set_write_timeout(timeouts_.read);
  if (basic_auth_) client.set_basic_auth(basic_auth_->first, basic_auth_->second);
  httplib::Headers http_headers(headers.begin(), headers.end());
  const char* json = "application/json";
  auto send = [&]() -> httplib::Result {
    if (method == "GET") return client.Get(path, http_headers);
    if (method == "POST") return client.Post(path, http_headers, body, json);
    if (method == "PUT") return client.Put(path, http_headers, body, json);
    if (method == "PATCH") return client.Patch(path, http_headers, body, json);
    if (method == "DELETE") return client.Delete(path, http_headers);
    throw std::invalid_argument("JsonClient: no method " + std::string(method) + " (" + base_url_ +
                                path + ")");
  };
  httplib::Result result = send();
  JsonResponse response;
  response.method = std::string(method);
  response.url = base_url_ + path;
  if (!result) {
    response.error = httplib::to_string(result.error());
    return response;
  }
  response.status = result->status;
  response.body = std::move(result->body);
  response.headers.assign(result->headers.begin(), result->headers.end());
  return response;
}

JsonResponse JsonClient::GetUnparsed(const std::string& path) const {
  return Transfer("GET", path, {}, {});
}

boost::json::value JsonClient::GetJson(const std::string& path) const {
  JsonResponse r = GetUnparsed(path);  // parsed once, below
  if (r.status != 200) throw HttpError(r);
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(r.body, ec);
  if (ec) throw HttpError(r, "not JSON (" + ec.message() + ")");
  return parsed;
}

std::string JsonClient::GetText(const std::string& path) const {
  JsonResponse r = GetUnparsed(path);  // text: no JSON document to build
  if (r.status != 200) throw HttpError(r);
  return std::move(r.body);
}

}  // namespace flowbench::http
