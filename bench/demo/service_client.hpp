// The demo's view of one JSON request to one service on this machine (over the shared
// common/http/json_client.hpp): an answer that says what went wrong instead of throwing (the
// demo narrates failures too), with a short summary for one line of output.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>

namespace flowbench::demo {

struct JsonReply {
  int status = 0;  // 0: no answer (see error)
  std::string body;
  boost::json::object json;  // empty when the body is not a JSON object
  std::string error;         // the transport error
  std::string retry_after;   // its Retry-After header (a gateway's 429), "" when none

  bool ok() const { return status >= 200 && status < 300; }
  // Short, for one line of output: "201 {...}" or "no answer: Connection".
  std::string Summary(std::size_t max_body = 160) const;
};

// `demo --gateway`: the build's API gateway, which the demo's own requests go through (the
// read-backs of the eventual state go to the services, as the driver's scrapes do).
struct GatewayAccess {
  int port = 0;
  std::string authorization;  // "Bearer <jwt>", a customer token minted for the demo
  std::filesystem::path log;  // its span lines join the timeline
};

JsonReply SendJson(int port, const std::string& method, const std::string& target,
                   const std::string& body = {},
                   const std::map<std::string, std::string>& headers = {},
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

inline JsonReply GetJson(int port, const std::string& target) {
  return SendJson(port, "GET", target, {}, {}, std::chrono::seconds(5));
}

// Text of a JSON value for display: strings unquoted, anything else serialised.
std::string JsonText(const boost::json::value& value);

}  // namespace flowbench::demo
