// The eventual state of a demo request, read through the contract's read routes (CONTRACT
// §3) while the work runs: each watched value is polled and every change is kept with its
// time, so the class sees e.g. "order 17 status: pending (+3 ms) -> failed (+561 ms)" and,
// on the sync build, the stock reserved while the request was still open.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bench/demo/service_client.hpp"
#include "common/domain/catalogue.hpp"
#include "common/domain/events.hpp"

namespace flowbench::demo {

struct WatchedValue {
  std::string label;                  // "order 17 status"
  std::function<std::string()> read;  // the value now, or "(404)", "(no answer: ...)"
  // The value the work ends with; empty: the value is only followed (the stock reserved
  // goes up and down again; its last value is the end).
  std::function<bool(const std::string&)> settled;
};

class StateWatch {
 public:
  explicit StateWatch(WatchedValue value) : value_(std::move(value)) {}

  void Poll();  // reads once; keeps the value when it changed
  bool Settled() const;
  // "order 17 status: pending (+3.1 ms) -> failed (+561.0 ms)"; a value read before the
  // request says "(before)".
  std::string Summary(SystemTime request_sent) const;
  const std::string& last() const;

 private:
  struct Seen {
    std::string value;
    SystemTime at;
  };
  WatchedValue value_;
  std::vector<Seen> history_;
};

// Where the read routes are: a service's port in the build being shown, and (async) the
// broker, for the depth of the queues.
struct Endpoints {
  std::function<int(std::string_view service)> port;
  std::string amqp_url;  // empty: no queue depths
};

// Values known from the request alone, read before it is sent (they may change because of
// it): the stock reserved for the ordered product, the product being updated, the click count.
std::vector<WatchedValue> WatchBeforeRequest(const ScenarioSpec& scenario,
                                             const std::string& request_body,
                                             const std::string& request_target,
                                             const Endpoints& endpoints);

// Values the answer names: the user, payment, report job or order it created; on the async
// build also the ready messages in every queue (the backlog drains to 0).
std::vector<WatchedValue> WatchAfterAnswer(const ScenarioSpec& scenario, Arch arch,
                                           const JsonReply& answer, const Endpoints& endpoints);

}  // namespace flowbench::demo
