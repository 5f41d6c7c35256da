// The one blocking HTTP client for JSON (and text) services that the driver, the demo and the
// integration tests share: cpp-httplib underneath, explicit timeouts, and answers or errors
// that name the method, the URL and the status.
//
//   http::JsonClient user("http://127.0.0.1:8001");
//   http::JsonResponse r = user.Post("/register", R"({"email": "a@b.c"})");
//   if (!r.Ok()) std::cerr << r.Describe() << "\n";   // "POST http://...: status 409 {...}"
//   boost::json::value settings = user.GetJson("/settings");  // throws HttpError unless 200
//
// Send() and its verbs never throw for a missing or failed answer: a caller that narrates
// failures (the demo) or asserts on them (the tests) reads them off the response. GetJson()
// and GetText() throw HttpError for callers that need the answer.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flowbench::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Timeouts {
  std::chrono::milliseconds connect{std::chrono::seconds(2)};
  std::chrono::milliseconds read{std::chrono::seconds(5)};  // and write: per socket operation
};

struct JsonResponse {
  std::string method;  // "GET"
  std::string url;     // "http://127.0.0.1:8001/health"
  int status = 0;      // 0: no answer (see error)
  std::string body;
  boost::json::value json;  // the body parsed; null when it is not JSON
  std::string error;        // why there was no answer (cpp-httplib's words: "Connection", ...)
  Headers headers;          // the answer's headers

  bool Ok() const { return status >= 200 && status < 300; }
  // The body as a JSON object; nullptr when it is something else.
  const boost::json::object* Object() const { return json.if_object(); }
  // A header of the answer by its name in any case ("" when absent): "Retry-After".
  std::string Header(std::string_view name) const;
  // One line for a message: "GET http://...: no answer (Connection)" or
  // "GET http://...: status 503 {...}" (the body cut at max_body characters).
  std::string Describe(std::size_t max_body = 200) const;
};

// A GetJson()/GetText() that got no answer, a status other than 200, or (GetJson) no JSON.
class HttpError : public std::runtime_error {
 public:
  explicit HttpError(const JsonResponse& response, const std::string& why = {});
  int status() const { return status_; }  // 0: no answer

 private:
  int status_;
};

class JsonClient {
 public:
  // `base_url`: http://HOST[:PORT] (an IPv6 host in brackets); paths are added to it.
  explicit JsonClient(std::string base_url, Timeouts timeouts = {});
  JsonClient(const std::string& host, int port, Timeouts timeouts = {});

  // Every request from now on carries HTTP basic authentication.
  JsonClient& BasicAuth(std::string user, std::string password);

  // `method`: GET, POST, PUT, PATCH or DELETE (std::invalid_argument for another). A body is
  // sent as application/json.
  JsonResponse Send(std::string_view method, const std::string& path, const std::string& body = {},
                    const Headers& headers = {}) const;
  JsonResponse Get(const std::string& path, const Headers& headers = {}) const {
    return Send("GET", path, {}, headers);
  }
  JsonResponse Post(const std::string& path, const std::string& body,
                    const Headers& headers = {}) const {
    return Send("POST", path, body, headers);
  }
  JsonResponse Put(const std::string& path, const std::string& body,
                   const Headers& headers = {}) const {
    return Send("PUT", path, body, headers);
  }
  JsonResponse Delete(const std::string& path, const Headers& headers = {}) const {
    return Send("DELETE", path, {}, headers);
  }

  // GET whose body the caller reads itself: `json` stays null (no JSON document is built,
  // e.g. for the driver's completion pages, one record per request: CompletionPageFromText).
  JsonResponse GetUnparsed(const std::string& path) const;

  // GET that must answer 200 with a JSON body; HttpError otherwise.
  boost::json::value GetJson(const std::string& path) const;
  // GET that must answer 200 (a /metrics scrape); the body, HttpError otherwise.
  std::string GetText(const std::string& path) const;

  const std::string& base_url() const { return base_url_; }

 private:
  // Send() without parsing the body.
  JsonResponse Transfer(std::string_view method, const std::string& path, const std::string& body,
                        const Headers& headers) const;

  std::string base_url_;
  Timeouts timeouts_;
  std::optional<std::pair<std::string, std::string>> basic_auth_;
};

// http://host:port, an IPv6 host in brackets.
std::string BaseUrl(const std::string& host, int port);

}  // namespace flowbench::http
