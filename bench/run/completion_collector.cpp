#include "bench/run/completion_collector.hpp"

#include <chrono>
#include <limits>

#include "common/http/json_client.hpp"

namespace flowbench::run {
namespace {

constexpr std::size_t kPageLimit = 10'000;
// A cursor past any real log: the service answers its current end (CompletionLog::After).
constexpr std::uint64_t kPastTheEnd = std::numeric_limits<std::int64_t>::max();

std::int64_t NowUnixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

http::Timeouts CollectorTimeouts() {
  http::Timeouts t;
  t.connect = std::chrono::seconds(2);
  t.read = std::chrono::seconds(5);
  return t;
}

}  // namespace

CompletionCollector::CompletionCollector(std::vector<std::string> service_urls) {
  for (std::string& url : service_urls) sources_.push_back({std::move(url), 0, std::nullopt});
}

bool CompletionCollector::SkipExisting() {
  bool all = true;
  for (Source& s : sources_) all = Read(s, /*skip=*/true) && all;
  return all && supported_;
}

bool CompletionCollector::Poll() {
  if (!supported_) return false;
  bool all = true;
  for (Source& s : sources_) all = Read(s, /*skip=*/false) && all;
  return all;
}

bool CompletionCollector::Read(Source& source, bool skip) {
  http::JsonClient client(source.url, CollectorTimeouts());
  for (;;) {
    std::uint64_t after = skip ? kPastTheEnd : source.cursor;
    std::size_t limit = skip ? 0 : kPageLimit;
    // Read straight from the text: one record per request the driver sent (a JSON document
    // built first and then walked cost twice the instructions per record).
    http::JsonResponse r = client.GetUnparsed("/completions?after=" + std::to_string(after) +
                                              "&limit=" + std::to_string(limit));
    if (r.status == 404) {
      supported_ = false;
      problems_.push_back(source.url +
                          " has no /completions: completion is not measured per request");
      return false;
    }
    if (!r.Ok()) return false;
    CompletionPage page;
    try {
      page = CompletionPageFromText(r.body);
    } catch (const std::invalid_argument& e) {
      problems_.push_back(source.url + "/completions: " + e.what());
      return false;
    }
    if (source.epoch && *source.epoch != page.epoch) {
      // A restarted service: the records its old process held are gone, and the new log
      // counts from 0, so our cursor means nothing there: read the new log from its start.
      problems_.push_back(source.url + " restarted during the run: records it held were lost");
      source.epoch = page.epoch;
      source.cursor = 0;
      if (!skip) continue;
    }
    source.epoch = page.epoch;
    source.cursor = page.next_cursor;
    if (skip) return true;
    if (page.missed > 0) {
      missed_ += page.missed;
      problems_.push_back(source.url + " overwrote " + std::to_string(page.missed) +
                          " completion records before they were read");
    }
    for (CompletionRecord& record : page.records) records_.push_back(std::move(record));
    if (page.records.size() < kPageLimit) return true;
  }
}

std::optional<ClockOffsetEstimate> EstimateClockOffset(const std::string& service_url,
                                                       int samples) {
  http::JsonClient client(service_url, CollectorTimeouts());
  std::optional<ClockOffsetEstimate> best;
  for (int i = 0; i < samples; ++i) {
    std::int64_t sent = NowUnixNs();
    http::JsonResponse r =
        client.Get("/completions?after=" + std::to_string(kPastTheEnd) + "&limit=0");
    std::int64_t received = NowUnixNs();
    const boost::json::object* o = r.Object();
    if (!r.Ok() || o == nullptr || !o->contains("now_unix_ns")) continue;
    const boost::json::value& now = o->at("now_unix_ns");
    if (!now.is_int64()) continue;
    std::int64_t round_trip = received - sent;
    ClockOffsetEstimate e{now.as_int64() - (sent + round_trip / 2), round_trip / 2};
    if (!best || e.uncertainty_ns < best->uncertainty_ns) best = e;
  }
  return best;
}

}  // namespace flowbench::run
