#include "bench/demo/outage.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "bench/demo/service_client.hpp"
#include "bench/load/scenario_requests.hpp"
#include "common/amqp/connection.hpp"
#include "common/domain/scenario_ids.hpp"
#include "common/domain/topology.hpp"
#include "common/telemetry/prometheus_text.hpp"

namespace flowbench::demo {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr OutageStory kStories[] = {
    {"email", scenario::kEmailOnRegistration, "user", topology::kUserRegisteredQueue,
     "welcome emails sent"},
    {"payment", scenario::kOrderSaga, "order", topology::kStockReservedQueue,
     "orders settled (confirmed or failed)"},
};

struct SentRequest {
  int status = 0;
  bool accepted = false;        // the contract's answer for this scenario and build
  bool done_in_answer = false;  // sync: the answer says the work is done (email sent)
  std::string id;               // the user or order it created
};

// The id the scenario's answer names (the sync saga's 400 nests it in "detail").
std::string CreatedId(const JsonReply& reply) {
  for (const boost::json::object* place :
       {&reply.json, reply.json.contains("detail") && reply.json.at("detail").is_object()
                         ? &reply.json.at("detail").get_object()
                         : nullptr}) {
    if (place == nullptr) continue;
    for (const char* key : {"order_id", "id"}) {
      if (const boost::json::value* v = place->if_contains(key)) return JsonText(*v);
    }
  }
  return {};
}

// A sync answer that also says its work was done: the registration whose welcome email went
// out (the user service answers 201 without it when email is away); a saga always ends in the
// request, confirmed or compensated.
bool DoneInAnswer(const OutageStory& story, const JsonReply& reply) {
  if (story.service != "email") return true;
  const boost::json::value* sent = reply.json.if_contains("welcome_email_sent");
  return sent && sent->is_bool() && sent->get_bool();
}

// `rate` requests per second to one build, open loop: each on its own thread, started on
// schedule whether or not the previous ones were answered (a blocked sync caller must not
// slow the load down, or it would hide what it does).
class LightLoad {
 public:
  LightLoad(const OutageStory& story, const ScenarioSpec& scenario, Arch arch, int port,
            std::map<std::string, std::string> headers, double rate)
      : story_(story),
        make_(load::ScenarioRequestFactory(scenario)),
        check_(load::ScenarioCheck(scenario, arch)),
        port_(port),
        headers_(std::move(headers)),
        interval_(std::chrono::duration_cast<SteadyClock::duration>(
            std::chrono::duration<double>(1.0 / rate))) {}
  ~LightLoad() { Stop(); }

  void Start() {
    scheduler_ = std::thread([this] {
      std::mt19937_64 rng{std::random_device{}()};
      auto next = SteadyClock::now();
      for (std::uint64_t i = 0; !stop_; ++i) {
        load::HttpRequestSpec spec = make_(rng, i);
        in_flight_.push_back(std::async(std::launch::async, [this, spec] { Send(spec); }));
        std::erase_if(in_flight_, [](const std::future<void>& f) {
          return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
        });
        next += interval_;
        std::this_thread::sleep_until(next);
      }
      for (std::future<void>& f : in_flight_) f.wait();  // every answer is counted
    });
  }
  void Stop() {
    stop_ = true;
    if (scheduler_.joinable()) scheduler_.join();
  }
  std::vector<SentRequest> Sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  void Send(const load::HttpRequestSpec& spec) {
    JsonReply reply =
        SendJson(port_, spec.method, spec.target, spec.body, headers_, std::chrono::seconds(30));
    bool accepted = !check_(load::HttpAnswer{reply.status, reply.body}).has_value();
    SentRequest sent{reply.status, accepted, accepted && DoneInAnswer(story_, reply),
                     CreatedId(reply)};
    std::lock_guard lock(mutex_);
    sent_.push_back(std::move(sent));
  }

  const OutageStory& story_;
  load::RequestFactory make_;
  load::ResponseCheck check_;
  int port_;                                    // the caller's, or its gateway's
  std::map<std::string, std::string> headers_;  // a gateway's: its Authorization
  SteadyClock::duration interval_;
  std::vector<std::future<void>> in_flight_;  // the scheduler's own
  mutable std::mutex mutex_;
  std::vector<SentRequest> sent_;
  std::atomic<bool> stop_{false};
  std::thread scheduler_;
};

// The work behind an accepted request is done: the email went out, the order settled.
bool WorkDone(const OutageStory& story, const RunningSystem& system, const std::string& id) {
  if (id.empty()) return false;
  if (story.service == "email") {
    JsonReply user = GetJson(system.Service("user").port, "/users/" + id);
    const boost::json::value* sent = user.json.if_contains("welcome_email_sent");
    return sent && sent->is_bool() && sent->get_bool();
  }
  JsonReply order = GetJson(system.Service("order").port, "/orders/" + id);
  const boost::json::value* status = order.json.if_contains("status");
  return status && status->is_string() &&
         (status->get_string() == "confirmed" || status->get_string() == "failed");
}

// Lines the caller logged about its breaker opening on calls to `target`, after `from`.
int BreakerOpenings(const std::filesystem::path& log, std::uintmax_t from,
                    std::string_view target) {
  std::ifstream in(log);
  in.seekg(static_cast<std::streamoff>(from));
  int openings = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"msg\":\"circuit breaker\"") != std::string::npos &&
        line.find("\"state\":\"open\"") != std::string::npos &&
        line.find("\"target\":\"" + std::string(target) + "\"") != std::string::npos) {
      ++openings;
    }
  }
  return openings;
}

std::string_view BreakerName(double state) {
  if (state == 1) return "OPEN";
  if (state == 2) return "half-open";
  return "closed";
}

// What one build shows in a row, read now.
struct BuildView {
  const OutageBuild* build;
  Arch arch;
  std::unique_ptr<LightLoad> load;
  std::size_t reported = 0;  // answers already counted in an earlier row
  std::unique_ptr<AmqpConnection> broker;
  std::uintmax_t caller_log_start = 0;
  double failures_at_start = 0;
  OutageTally tally;
};

double CallerMetric(const OutageStory& story, const RunningSystem& system,
                    std::string_view metric) {
  JsonReply scrape = GetJson(system.Service(story.caller).port, "/metrics");
  if (scrape.status != 200) return 0;
  return prometheus_text::ParseText(scrape.body)
      .Sum(metric, {{"target", std::string(story.service)}});
}

std::uint64_t QueueDepth(BuildView& view, const OutageStory& story) {
  try {
    if (!view.broker) {
      view.broker = std::make_unique<AmqpConnection>(view.build->amqp_url, std::chrono::seconds(3),
                                                     "flowbench-demo-outage");
    }
    return view.broker->QueueDepth(std::string(story.queue)).value_or(0);
  } catch (const std::exception&) {
    view.broker.reset();  // the row says "?" and the next one reconnects
    return UINT64_MAX;
  }
}

// One row: per build, the answers since the last row, then the caller's failed calls and
// breaker (sync) or the queue depth (async).
std::string Row(double seconds, std::string_view phase, std::vector<BuildView>& views,
                const OutageStory& story) {
  char text[256];
  std::string row;
  std::snprintf(text, sizeof text, "%5.0f s  %-11s", seconds, std::string(phase).c_str());
  row += text;
  for (BuildView& view : views) {
    std::vector<SentRequest> sent = view.load->Sent();
    int ok = 0, failed = 0, not_done = 0, limited = 0;
    for (std::size_t i = view.reported; i < sent.size(); ++i) {
      (sent[i].accepted ? ok : failed)++;
      if (sent[i].accepted && !sent[i].done_in_answer) ++not_done;
      if (sent[i].status == 429) ++limited;
    }
    view.reported = sent.size();
    if (view.arch == Arch::kSync) {
      double failures =
          CallerMetric(story, *view.build->system, "flowbench_downstream_failures_total");
      double breaker = CallerMetric(story, *view.build->system, "flowbench_circuit_breaker_state");
      std::snprintf(text, sizeof text, "| sync  %3d %8d %4d  %12.0f  %-9s ", ok, not_done, failed,
                    failures - view.failures_at_start, std::string(BreakerName(breaker)).c_str());
    } else {
      std::uint64_t depth = QueueDepth(view, story);
      if (depth != UINT64_MAX)
        view.tally.peak_queue_depth = std::max(view.tally.peak_queue_depth, depth);
      std::snprintf(text, sizeof text, "| async %3d %4d  %8s ", ok, failed,
                    depth == UINT64_MAX ? "?" : std::to_string(depth).c_str());
    }
    row += text;
    if (view.build->gateway) {
      std::snprintf(text, sizeof text, "%4d  ", limited);
      row += text;
    }
  }
  return row;
}

std::string Header(const OutageStory& story, const std::vector<BuildView>& views) {
  std::string header = "   time  " + std::string(story.service);
  header.resize(20, ' ');
  for (const BuildView& view : views) {
    header += view.arch == Arch::kSync ? "| sync   ok  not done  err  failed calls  breaker   "
                                       : "| async  ok  err    queued ";
    if (view.build->gateway) header += " 429  ";  // of the errors: refused by its gateway
  }
  return header;
}

// The rate-limit part: the same burst through each build's gateway, one build after the
// other (each has its own gateway and bucket; one at a time, they do not share the cores).
std::vector<BurstTally> RateLimitPart(const OutageOptions& options, const OutageStory& story,
                                      const ScenarioSpec& scenario,
                                      const std::vector<BuildView>& views, std::ostream& out) {
  out << "\nRate limit at the gateway (" << options.rate_limit
      << ", per token): " << options.burst_requests << " requests of " << scenario.id
      << " at once on each build.\n"
      << std::flush;
  std::vector<BurstTally> bursts;
  for (const BuildView& view : views) {
    if (!view.build->gateway) continue;
    bursts.push_back(SendBurst(scenario, view.arch, *view.build->gateway, options.burst_requests));
    out << DescribeBurst(bursts.back()) << std::flush;
  }
  out << "  What this shows: the limit is the gateway's, per token, the same in front of either "
         "build. The requests over it never reach "
      << story.caller
      << ": a fast 429 with Retry-After instead of a thread of the sync build held for the "
         "whole call chain. The async build gets the same 429s, though it answers 202 and "
         "queues what it cannot do yet (as above): there the limit caps the client; the build "
         "itself did not need it.\n";
  return bursts;
}

}  // namespace

const OutageStory& FindOutageStory(std::string_view service) {
  for (const OutageStory& story : kStories) {
    if (story.service == service) return story;
  }
  throw std::invalid_argument("the outage demo stops 'email' or 'payment', not '" +
                              std::string(service) + "'");
}

OutageReport RunOutageDemo(const OutageOptions& options, const std::vector<OutageBuild>& builds,
                           std::ostream& out) {
  const OutageStory& story = FindOutageStory(options.service);
  const ScenarioSpec& scenario = *FindScenario(story.scenario);
  std::vector<BuildView> views;
  for (const OutageBuild& build : builds) {
    BuildView view{&build, build.system->arch, nullptr, 0, nullptr, 0, 0, {}};
    view.tally.arch = std::string(ArchName(view.arch));
    // Through the gateway: the caller is reached as a client reaches it, with the token.
    int port = build.gateway ? build.gateway->port : build.system->Service(story.caller).port;
    std::map<std::string, std::string> headers;
    if (build.gateway) headers["Authorization"] = build.gateway->authorization;
    view.load = std::make_unique<LightLoad>(story, scenario, view.arch, port, std::move(headers),
                                            options.rate);
    std::error_code ec;
    view.caller_log_start = std::filesystem::file_size(build.system->Service(story.caller).log, ec);
    if (view.arch == Arch::kSync) {
      view.failures_at_start =
          CallerMetric(story, *build.system, "flowbench_downstream_failures_total");
    }
    views.push_back(std::move(view));
  }

  out << "Outage of " << story.service << ": " << options.rate << " requests/s of " << scenario.id
      << " (" << scenario.title << ") on each build; " << story.service << " stops after "
      << options.before.count() / 1000.0 << " s, comes back " << options.outage.count() / 1000.0
      << " s later.\n"
      << "  sync:  " << story.caller << " calls " << story.service
      << " and waits (failed calls, then its circuit breaker opens)\n"
      << "  async: " << story.caller << "'s messages wait in " << story.queue << " for "
      << story.service << "\n";
  if (std::any_of(builds.begin(), builds.end(),
                  [](const OutageBuild& b) { return b.gateway.has_value(); })) {
    out << "  Each build's requests go through its API gateway with one customer token"
        << (options.rate_limit.empty() ? "" : " (rate limit " + options.rate_limit + ")")
        << "; 429: refused by the gateway.\n";
  }
  out << "\n" << Header(story, views) << "\n" << std::flush;

  // The service is stopped and started in the background, so the rows go on meanwhile.
  auto for_each_build = [&](const std::function<void(const OutageBuild&)>& action) {
    return std::async(std::launch::async, [&builds, action] {
      for (const OutageBuild& build : builds) action(build);
    });
  };
  const auto start = SteadyClock::now();
  auto seconds = [&] { return std::chrono::duration<double>(SteadyClock::now() - start).count(); };
  for (BuildView& view : views) view.load->Start();

  std::future<void> stopping, restarting;
  std::string phase = "up";
  auto next_row = start + options.report_interval;
  auto interrupted = [&] { return options.interrupted && *options.interrupted; };
  // Waits for the next row's time, prints it; false once interrupted.
  auto tick = [&] {
    std::this_thread::sleep_until(next_row);
    next_row += options.report_interval;
    out << Row(seconds(), phase, views, story) << "\n" << std::flush;
    return !interrupted();
  };
  try {
    while (SteadyClock::now() < start + options.before && tick()) {
    }
    phase = "stopping";
    stopping = for_each_build(
        [&](const OutageBuild& b) { StopService(b.system->Service(story.service)); });
    while (stopping.wait_for(std::chrono::seconds(0)) != std::future_status::ready) tick();
    stopping.get();
    phase = "DOWN";
    auto back_at = SteadyClock::now() + options.outage;
    while (SteadyClock::now() < back_at && tick()) {
    }
    phase = "restarting";  // even when interrupted: never leave a service of `flowbench up` down
    restarting = for_each_build([&](const OutageBuild& b) {
      for (RunningService& s : b.system->services) {
        if (s.name == story.service) RestartService(s);
      }
      if (b.restarted) b.restarted();
    });
    while (restarting.wait_for(std::chrono::seconds(0)) != std::future_status::ready) tick();
    restarting.get();
    phase = "back";
    auto load_ends = SteadyClock::now() + options.after;
    while (SteadyClock::now() < load_ends && tick()) {
    }
  } catch (...) {
    for (BuildView& view : views) view.load->Stop();
    throw;
  }
  for (BuildView& view : views) view.load->Stop();

  // Catch-up: until every accepted request's work is done (or the timeout).
  phase = "catching up";
  auto catch_up_deadline = SteadyClock::now() + options.catch_up_timeout;
  for (;;) {
    bool all_done = true;
    for (BuildView& view : views) {
      view.tally.completed = 0;
      for (const SentRequest& r : view.load->Sent()) {
        if (r.accepted && WorkDone(story, *view.build->system, r.id)) ++view.tally.completed;
      }
      int accepted = 0;
      for (const SentRequest& r : view.load->Sent()) accepted += r.accepted;
      // The sync build never catches up: what it did not do during the outage, it never will.
      if (view.arch == Arch::kAsync && view.tally.completed < accepted) all_done = false;
    }
    if (all_done || SteadyClock::now() > catch_up_deadline || !tick()) break;
  }

  OutageReport report;
  out << "\nAfter the outage (every accepted request read back through the read routes):\n";
  for (BuildView& view : views) {
    OutageTally& t = view.tally;
    for (const SentRequest& r : view.load->Sent()) {
      ++t.sent;
      (r.accepted ? t.accepted : t.errors)++;
      if (r.status == 429) ++t.rate_limited;
    }
    const RunningSystem& system = *view.build->system;
    char line[512];
    if (view.arch == Arch::kSync) {
      t.downstream_failures = CallerMetric(story, system, "flowbench_downstream_failures_total") -
                              view.failures_at_start;
      t.breaker_opened =
          BreakerOpenings(system.Service(story.caller).log, view.caller_log_start, story.service);
      std::snprintf(line, sizeof line,
                    "  sync : %d sent, %d answered as the contract says, %d errors; %d %s, "
                    "%d never will be. %s saw %.0f failed calls to %s; its circuit breaker "
                    "opened %d time(s).\n",
                    t.sent, t.accepted, t.errors, t.completed, std::string(story.work).c_str(),
                    t.lost(), std::string(story.caller).c_str(), t.downstream_failures,
                    std::string(story.service).c_str(), t.breaker_opened);
    } else {
      std::string verdict = t.lost() == 0
                                ? "Nothing accepted was lost"
                                : "LOST " + std::to_string(t.lost()) + " accepted requests";
      std::snprintf(line, sizeof line,
                    "  async: %d sent, %d accepted, %d errors; %d %s. %s (%s peaked at %llu "
                    "ready messages).\n",
                    t.sent, t.accepted, t.errors, t.completed, std::string(story.work).c_str(),
                    verdict.c_str(), std::string(story.queue).c_str(),
                    static_cast<unsigned long long>(t.peak_queue_depth));
    }
    out << line;
    if (view.build->gateway) {
      out << "         " << t.rate_limited << " of the errors were 429s from the gateway.\n";
    }
    report.builds.push_back(t);
  }
  if (options.burst_requests > 0 && !interrupted()) {
    report.bursts = RateLimitPart(options, story, scenario, views, out);
  }
  out << std::flush;
  return report;
}

}  // namespace flowbench::demo
