#include "bench/run/rabbitmq_management.hpp"

#include <boost/json.hpp>
#include <map>
#include <stdexcept>

#include "common/http/json_client.hpp"

namespace flowbench::run {

RabbitManagement::RabbitManagement(const std::string& url) {
  const std::string scheme = "http://";
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("--rabbitmq-management-url '" + url + "': " + why +
                                 "; expected http://[USER:PASSWORD@]HOST[:PORT][/VHOST], e.g. "
                                 "http://guest:guest@rabbitmq.example:15672");
  };
  if (url.rfind(scheme, 0) != 0) throw bad("only http:// is supported");
  std::string rest = url.substr(scheme.size());
  std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  vhost_ = slash == std::string::npos ? "" : rest.substr(slash + 1);
  while (!vhost_.empty() && vhost_.back() == '/') vhost_.pop_back();
  if (vhost_.empty()) vhost_ = "%2F";
  if (vhost_.find('/') != std::string::npos) throw bad("a vhost is one path segment (%2F for /)");

  std::size_t at = authority.rfind('@');
  std::string host_port = at == std::string::npos ? authority : authority.substr(at + 1);
  if (host_port.empty()) throw bad("no host");
  user_ = "guest";
  password_ = "guest";
  if (at != std::string::npos) {
    std::string userinfo = authority.substr(0, at);
    std::size_t colon = userinfo.find(':');
    user_ = userinfo.substr(0, colon);
    password_ = colon == std::string::npos ? "" : userinfo.substr(colon + 1);
  }
  scheme_host_port_ = scheme + host_port;
  display_url_ = scheme + (at == std::string::npos ? "" : user_ + "@") + host_port + "/" + vhost_;
}

std::string RabbitManagement::Get(const std::string& path) const {
  http::JsonClient client(scheme_host_port_);
  client.BasicAuth(user_, password_);
  http::JsonResponse r = client.Get(path);
  // Named by the display URL, never by scheme_host_port_ + path: no password in a message.
  std::string where = "the RabbitMQ management API at " + display_url_ + " (GET " + path + ")";
  if (r.status == 0) throw std::runtime_error(where + ": no answer (" + r.error + ")");
  if (r.status == 401) {
    throw std::runtime_error(where + ": 401, the user " + user_ +
                             " was refused: give USER:PASSWORD@ in the URL");
  }
  if (r.status != 200) {
    throw std::runtime_error(where + ": status " + std::to_string(r.status) + " " +
                             r.body.substr(0, 200));
  }
  return std::move(r.body);
}

std::string RabbitManagement::Version() const {
  boost::json::error_code ec;
  boost::json::value overview = boost::json::parse(Get("/api/overview"), ec);
  const boost::json::value* version =
      !ec && overview.is_object() ? overview.get_object().if_contains("rabbitmq_version") : nullptr;
  if (version == nullptr || !version->is_string()) {
    throw std::runtime_error("the RabbitMQ management API at " + display_url_ +
                             " answered /api/overview without a rabbitmq_version: is it one?");
  }
  return std::string(version->get_string());
}

std::vector<std::pair<std::string, std::uint64_t>> RabbitManagement::QueueDepths(
    const std::vector<std::string>& queues) const {
  std::string path = "/api/queues/" + vhost_ + "?columns=name,messages_ready";
  boost::json::error_code ec;
  boost::json::value listed = boost::json::parse(Get(path), ec);
  if (ec || !listed.is_array()) {
    throw std::runtime_error("the RabbitMQ management API at " + display_url_ + " answered " +
                             path + " with something other than a list of queues");
  }
  std::map<std::string, std::uint64_t, std::less<>> ready;
  for (const boost::json::value& q : listed.get_array()) {
    const boost::json::object* o = q.if_object();
    const boost::json::value* name = o ? o->if_contains("name") : nullptr;
    const boost::json::value* messages = o ? o->if_contains("messages_ready") : nullptr;
    if (name == nullptr || !name->is_string()) continue;
    // A queue declared since the broker's last statistics has no figure yet: nothing ready.
    ready[std::string(name->get_string())] =
        messages && messages->is_number() ? messages->to_number<std::uint64_t>() : 0;
  }
  std::vector<std::pair<std::string, std::uint64_t>> depths;
  for (const std::string& q : queues) {
    auto it = ready.find(q);
    depths.emplace_back(q, it == ready.end() ? 0 : it->second);
  }
  return depths;
}

}  // namespace flowbench::run
