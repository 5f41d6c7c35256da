#include "bench/demo/rate_limit_burst.hpp"

#include <algorithm>
#include <cstdio>
#include <future>
#include <latch>
#include <random>
#include <stdexcept>
#include <vector>

#include "bench/load/scenario_requests.hpp"
#include "common/telemetry/prometheus_text.hpp"

namespace flowbench::demo {
namespace {

using SteadyClock = std::chrono::steady_clock;

// gateway/gateway_server.cpp's counter of its 429s (the driver does not link the gateway).
constexpr std::string_view kRateLimitedMetric = "flowbench_gateway_rate_limited_total";

double GatewayRateLimited(const GatewayAccess& gateway) {
  JsonReply scrape = GetJson(gateway.port, "/metrics");
  if (scrape.status != 200) {
    throw std::runtime_error("the gateway's /metrics did not answer: " + scrape.Summary());
  }
  return prometheus_text::ParseText(scrape.body).Sum(kRateLimitedMetric);
}

struct BurstAnswer {
  JsonReply reply;
  bool accepted = false;
  double ms = 0;
};

}  // namespace

BurstTally SendBurst(const ScenarioSpec& scenario, Arch arch, const GatewayAccess& gateway,
                     int requests) {
  load::RequestFactory make = load::ScenarioRequestFactory(scenario);
  load::ResponseCheck check = load::ScenarioCheck(scenario, arch);
  std::mt19937_64 rng{std::random_device{}()};
  std::vector<load::HttpRequestSpec> specs;
  for (int i = 0; i < requests; ++i) specs.push_back(make(rng, static_cast<std::uint64_t>(i)));

  double counted_before = GatewayRateLimited(gateway);
  // Every thread waits at the latch, so the requests leave together: a burst, not a ramp.
  std::latch go(requests + 1);
  std::vector<std::future<BurstAnswer>> answers;
  for (const load::HttpRequestSpec& spec : specs) {
    answers.push_back(std::async(std::launch::async, [&go, &gateway, &check, spec] {
      go.arrive_and_wait();
      auto started = SteadyClock::now();
      BurstAnswer answer;
      answer.reply = SendJson(gateway.port, spec.method, spec.target, spec.body,
                              {{"Authorization", gateway.authorization}}, std::chrono::seconds(60));
      answer.ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - started).count();
      answer.accepted = !check(load::HttpAnswer{answer.reply.status, answer.reply.body});
      return answer;
    }));
  }
  go.arrive_and_wait();

  BurstTally tally;
  tally.arch = std::string(ArchName(arch));
  for (std::future<BurstAnswer>& future : answers) {
    BurstAnswer answer = future.get();
    ++tally.sent;
    if (answer.reply.status == 429) {
      ++tally.rate_limited;
      tally.slowest_rate_limited_ms = std::max(tally.slowest_rate_limited_ms, answer.ms);
      if (!answer.reply.retry_after.empty()) {
        ++tally.with_retry_after;
        tally.retry_after = answer.reply.retry_after;
      }
    } else if (answer.accepted) {
      ++tally.accepted;
      tally.slowest_accepted_ms = std::max(tally.slowest_accepted_ms, answer.ms);
    } else {
      ++tally.other;
    }
  }
  tally.gateway_counted = GatewayRateLimited(gateway) - counted_before;
  return tally;
}

std::string DescribeBurst(const BurstTally& t) {
  std::string retry_after = t.retry_after.empty() ? "" : " (" + t.retry_after + " s)";
  char line[512];
  std::snprintf(line, sizeof line,
                "  %-5s: %d answered as the contract says (slowest %.1f ms); %d refused 429 "
                "by the gateway (slowest %.1f ms), %d of them with Retry-After%s; %d other "
                "answers. The gateway counted %.0f 429s.\n",
                t.arch.c_str(), t.accepted, t.slowest_accepted_ms, t.rate_limited,
                t.slowest_rate_limited_ms, t.with_retry_after, retry_after.c_str(), t.other,
                t.gateway_counted);
  return line;
}

}  // namespace flowbench::demo
