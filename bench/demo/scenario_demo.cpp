#include "bench/demo/scenario_demo.hpp"

#include <future>
#include <map>
#include <memory>
#include <thread>

#include "bench/demo/demo_scenarios.hpp"
#include "bench/demo/eventual_state.hpp"
#include "bench/demo/narration.hpp"
#include "bench/demo/timeline.hpp"
#include "common/telemetry/trace.hpp"

namespace flowbench::demo {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kLogPoll{10};
constexpr std::chrono::milliseconds kStatePoll{20};

std::vector<std::filesystem::path> LogFiles(const DemoTarget& target) {
  std::vector<std::filesystem::path> logs;
  for (const RunningService& s : target.system->services) logs.push_back(s.log);
  if (target.gateway) logs.push_back(target.gateway->log);  // the gateway's hops too
  return logs;
}

}  // namespace

DemoOutcome RunScenarioDemo(const ScenarioSpec& scenario, const DemoTarget& target,
                            const DemoOptions& options, std::ostream& out) {
  const RunningSystem& system = *target.system;
  const Arch arch = system.arch;
  const std::string arch_name(ArchName(arch));
  Endpoints endpoints{[&system](std::string_view service) { return system.Service(service).port; },
                      target.amqp_url};
  const int service_port = system.Service(scenario.service).port;
  const int port = target.gateway ? target.gateway->port : service_port;
  DemoRequest request = MakeDemoRequest(scenario);
  TraceContext trace = TraceContext::NewRoot(/*sampled=*/true);
  std::map<std::string, std::string> headers{{"traceparent", trace.ToTraceparent()}};
  if (target.gateway) headers["Authorization"] = target.gateway->authorization;

  DemoOutcome outcome;
  outcome.trace_id = trace.trace_id;
  out << "== " << scenario.id << " (" << scenario.title << ") on the " << arch_name << " build ==\n"
      << "   " << WhatToWatch(scenario, arch) << "\n"
      << "   " << request.method << " http://127.0.0.1:" << port << request.target << " "
      << request.body << "\n";
  if (target.gateway) {
    out << "   through the API gateway (a customer's Bearer token), which forwards it to "
        << scenario.service << " on port " << service_port << "\n";
  }
  out << "   traceparent " << trace.ToTraceparent() << "\n\n" << std::flush;

  std::vector<StateWatch> watches;
  for (WatchedValue& v : WatchBeforeRequest(scenario, request.body, request.target, endpoints)) {
    watches.emplace_back(std::move(v));
  }
  for (StateWatch& w : watches) w.Poll();  // the "before" values

  TraceFollower follower(trace.trace_id, LogFiles(target));
  HopBalance balance;
  const SystemTime sent = std::chrono::system_clock::now();
  follower.Add(Hop{sent,
                   "",
                   "client",
                   std::string(kClientRequest),
                   std::string(scenario.method) + " " + request.target,
                   {}});
  std::future<JsonReply> answer = std::async(std::launch::async, [&] {
    return SendJson(port, request.method, request.target, request.body, headers,
                    options.answer_timeout);
  });

  auto emit = [&](std::vector<Hop> hops) {
    for (Hop& hop : hops) {
      out << NarrateHop(hop, sent) << "\n" << std::flush;
      balance.Add(hop);
      outcome.hops.push_back(std::move(hop));
      if (options.between_hops) options.between_hops();
    }
  };

  bool answered = false;
  auto deadline = SteadyClock::now() + options.answer_timeout + options.settle_timeout;
  auto next_state_poll = SteadyClock::now();
  for (;;) {
    emit(follower.Poll());
    if (!answered && answer.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      answered = true;
      outcome.answer = answer.get();
      follower.Add(Hop{std::chrono::system_clock::now(),
                       "",
                       "client",
                       std::string(kClientAnswer),
                       outcome.answer.Summary(),
                       {}});
      for (WatchedValue& v : WatchAfterAnswer(scenario, arch, outcome.answer, endpoints)) {
        watches.emplace_back(std::move(v));
      }
    }
    if (SteadyClock::now() >= next_state_poll) {
      for (StateWatch& w : watches) w.Poll();
      next_state_poll = SteadyClock::now() + kStatePoll;
    }
    bool settled = answered && balance.Closed();
    for (const StateWatch& w : watches) settled = settled && w.Settled();
    bool quiet = SteadyClock::now() - follower.last_hop_read() >= options.quiet;
    if (settled && quiet) {
      outcome.finished = true;
      break;
    }
    if (SteadyClock::now() > deadline) break;
    if (options.interrupted && *options.interrupted) break;
    std::this_thread::sleep_for(kLogPoll);
  }
  emit(follower.Drain());
  for (StateWatch& w : watches) w.Poll();  // the last word, after the last hop

  out << "\nEventual state (read through the read routes):\n";
  for (const StateWatch& w : watches) {
    outcome.eventual_state.push_back(w.Summary(sent));
    out << "   " << outcome.eventual_state.back() << "\n";
  }
  if (watches.empty()) out << "   (nothing to read for this scenario)\n";
  if (outcome.finished) {
    out << "Trace " << trace.trace_id << ": " << outcome.hops.size() << " hops, all work done.\n";
  } else {
    out << "Trace " << trace.trace_id << ": stopped waiting after "
        << std::chrono::duration_cast<std::chrono::seconds>(options.answer_timeout +
                                                            options.settle_timeout)
               .count()
        << " s: " << (answered ? "" : "no answer yet, ")
        << (balance.Closed() ? "" : std::to_string(balance.open()) + " hops still open, ")
        << "the timeline above may be incomplete.\n";
  }
  out << std::flush;
  return outcome;
}

}  // namespace flowbench::demo
