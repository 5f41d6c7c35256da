// What both HTTP fronts allow a client at the connection level (CONTRACT §3.8), one struct
// bound to the same flags in both builds: how many connections a service holds at once, and
// how long one request may take to arrive.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <string>

namespace CLI {
class App;
}

namespace flowbench {

struct ConnectionLimits {
  // Connections open at once (being served, idle between requests, or arriving). Past it a
  // new connection is answered 503 and closed at once. 1024: several times the connections
  // any load profile opens to one service (CONTRACT §6), and below the descriptors a
  // process may open (a soft RLIMIT_NOFILE of 1024 is common, so the cap is reached first
  // only with a raised limit; the accept loop backs off on EMFILE either way).
  int max_connections = 1024;
  // From a request's first byte to its last (head and body): a client that trickles a
  // request in, however steadily, is cut off after this (slowloris). Waiting for the first
  // byte of the next request on a keep-alive connection is the idle timeout's business.
  std::chrono::milliseconds request_deadline{10'000};
};

// --max-connections, --request-deadline-ms; FLOWBENCH_MAX_CONNECTIONS, ... alike.
void BindConnectionLimits(CLI::App& app, ConnectionLimits& limits, const char* group);

// Added to a build's transport settings at GET /settings.
void AddToJson(boost::json::object& transport, const ConnectionLimits& limits);

// The whole answer both fronts write to a connection past the cap (a 503 that closes).
const std::string& ConnectionCapAnswer();

}  // namespace flowbench
