#include "bench/k6/ndjson_reader.hpp"

#include <zlib.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "bench/k6/k6_error.hpp"

namespace flowbench::k6 {
namespace json = boost::json;
namespace {

// One stream of values: a metric, or a metric restricted to one scenario.
struct Series {
  stats::LatencyHistogram histogram;  // value x 1e6, for percentiles
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double last = 0;
  std::uint64_t count = 0;
  std::uint64_t nonzero = 0;

  void Add(double value) {
    histogram.Record(static_cast<std::int64_t>(std::llround(value * 1e6)));
    sum += value;
    min = std::min(min, value);
    max = std::max(max, value);
    last = value;
    ++count;
    nonzero += value != 0;
  }
};

struct MetricSeries {
  std::string type;  // from the Metric line; empty if none came first (older k6, cut files)
  std::string contains;
  std::vector<std::string> thresholds;
  Series all;
  std::map<std::string, Series, std::less<>> by_scenario;
};

std::string LineError(std::uint64_t line, std::string_view what) {
  return "line " + std::to_string(line) + ": " + std::string(what);
}

const json::string* StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_string() : nullptr;
}

compare::MetricSummary Summarise(const MetricSeries& metric, const Series& s, double duration_s) {
  compare::MetricSummary m;
  m.type = metric.type.empty() ? "trend" : metric.type;
  m.is_time = metric.contains.empty() ? false : metric.contains == "time";
  if (s.count == 0) return m;
  if (m.type == "counter") {
    m.stats["count"] = s.sum;
    if (duration_s > 0) m.stats["rate"] = s.sum / duration_s;
  } else if (m.type == "rate") {
    double rate = static_cast<double>(s.nonzero) / static_cast<double>(s.count);
    m.stats["rate"] = rate;
    m.stats["value"] = rate;
    m.stats["passes"] = static_cast<double>(s.nonzero);
    m.stats["fails"] = static_cast<double>(s.count - s.nonzero);
  } else if (m.type == "gauge") {
    m.stats["value"] = s.last;
    m.stats["min"] = s.min;
    m.stats["max"] = s.max;
  } else {
    auto percentile = [&](double p) {
      double v = static_cast<double>(s.histogram.Percentile(p)) / 1e6;
      return std::clamp(v, s.min, s.max);
    };
    m.stats["count"] = static_cast<double>(s.count);
    m.stats["avg"] = s.sum / static_cast<double>(s.count);
    m.stats["min"] = s.min;
    m.stats["med"] = percentile(50);
    m.stats["max"] = s.max;
    m.stats["p(90)"] = percentile(90);
    m.stats["p(95)"] = percentile(95);
    m.stats["p(99)"] = percentile(99);
    m.stats["p(99.9)"] = percentile(99.9);
  }
  return m;
}

}  // namespace

struct NdjsonAggregator::State {
  std::map<std::string, MetricSeries, std::less<>> metrics;
  std::map<std::string, compare::CheckSummary, std::less<>> checks;
  std::int64_t first_time = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_time = std::numeric_limits<std::int64_t>::min();
  std::uint64_t points = 0;
  // Each line is parsed into this arena and thrown away: no allocation per line.
  alignas(std::max_align_t) unsigned char arena[16 * 1024];
  unsigned char parser_stack[4 * 1024];
  json::parser parser{json::storage_ptr(), json::parse_options{}, parser_stack};

  MetricSeries& Metric(std::string_view name) {
    auto it = metrics.find(name);
    if (it == metrics.end()) it = metrics.emplace(std::string(name), MetricSeries{}).first;
    return it->second;
  }

  void FeedMetric(const json::object& data) {
    const json::string* name = StringField(data, "name");
    if (name == nullptr) return;
    MetricSeries& metric = Metric(*name);
    if (const json::string* type = StringField(data, "type")) metric.type = std::string(*type);
    if (const json::string* contains = StringField(data, "contains")) {
      metric.contains = std::string(*contains);
    }
    if (const json::value* t = data.if_contains("thresholds"); t && t->is_array()) {
      metric.thresholds.clear();
      for (const json::value& expression : t->get_array()) {
        if (expression.is_string()) metric.thresholds.emplace_back(expression.get_string());
      }
    }
  }

  void FeedPoint(std::string_view metric_name, const json::object& data, std::uint64_t line) {
    const json::value* value = data.if_contains("value");
    if (value == nullptr || !value->is_number()) {
      throw K6FormatError(LineError(line, "a Point without a numeric data.value"));
    }
    double v = value->to_number<double>();
    MetricSeries& metric = Metric(metric_name);
    metric.all.Add(v);
    ++points;
    if (const json::string* time = StringField(data, "time")) {
      if (std::optional<std::int64_t> ns = ParseRfc3339Nanos(*time)) {
        first_time = std::min(first_time, *ns);
        last_time = std::max(last_time, *ns);
      }
    }
    const json::value* tags = data.if_contains("tags");
    const json::object* tag_object = tags ? tags->if_object() : nullptr;  // null in some versions
    if (tag_object == nullptr) return;
    if (const json::string* scenario = StringField(*tag_object, "scenario");
        scenario && !scenario->empty()) {
      auto it = metric.by_scenario.find(std::string_view(*scenario));
      if (it == metric.by_scenario.end()) {
        it = metric.by_scenario.emplace(std::string(*scenario), Series{}).first;
      }
      it->second.Add(v);
    }
    if (metric_name == "checks") {
      if (const json::string* check = StringField(*tag_object, "check")) {
        auto it = checks.find(std::string_view(*check));
        if (it == checks.end()) {
          it = checks.emplace(std::string(*check), compare::CheckSummary{std::string(*check), 0, 0})
                   .first;
        }
        ++(v != 0 ? it->second.passes : it->second.fails);
      }
    }
  }
};

NdjsonAggregator::NdjsonAggregator() : state_(std::make_unique<State>()) {}
NdjsonAggregator::~NdjsonAggregator() = default;
NdjsonAggregator::NdjsonAggregator(NdjsonAggregator&&) noexcept = default;
NdjsonAggregator& NdjsonAggregator::operator=(NdjsonAggregator&&) noexcept = default;

std::uint64_t NdjsonAggregator::Points() const { return state_->points; }

void NdjsonAggregator::FeedLine(std::string_view line, std::uint64_t line_number) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;  // blank line
  State& s = *state_;
  json::monotonic_resource arena(s.arena, sizeof s.arena);
  s.parser.reset(&arena);
  json::error_code ec;
  s.parser.write(line.data(), line.size(), ec);
  if (ec) throw K6FormatError(LineError(line_number, "not a JSON object (" + ec.message() + ")"));
  json::value document = s.parser.release();
  const json::object* o = document.if_object();
  if (o == nullptr) throw K6FormatError(LineError(line_number, "not a JSON object"));
  const json::string* type = StringField(*o, "type");
  const json::value* data = o->if_contains("data");
  if (type == nullptr || data == nullptr || !data->is_object()) {
    throw K6FormatError(
        LineError(line_number, "not a k6 output line (needs \"type\" and a \"data\" object)"));
  }
  if (*type == "Point") {
    const json::string* metric = StringField(*o, "metric");
    if (metric == nullptr)
      throw K6FormatError(LineError(line_number, "a Point without \"metric\""));
    s.FeedPoint(*metric, data->get_object(), line_number);
  } else if (*type == "Metric") {
    s.FeedMetric(data->get_object());
  }
  // Other types, if a future k6 adds any, carry nothing we aggregate.
}

compare::RunSummary NdjsonAggregator::Finish(std::string source) const {
  const State& s = *state_;
  compare::RunSummary run;
  run.source = std::move(source);
  run.format = "k6 NDJSON";
  double duration_s = 0;
  if (s.points > 0 && s.last_time > s.first_time) {
    // Unsigned: two valid times may be further apart than a signed 64-bit difference holds.
    std::uint64_t span_ns =
        static_cast<std::uint64_t>(s.last_time) - static_cast<std::uint64_t>(s.first_time);
    duration_s = static_cast<double>(span_ns) / 1e9;
    run.duration_s = duration_s;
  }
  for (const auto& [name, metric] : s.metrics) {
    compare::MetricSummary m = Summarise(metric, metric.all, duration_s);
    for (const std::string& expression : metric.thresholds)
      m.thresholds.push_back({expression, std::nullopt});
    run.metrics.emplace(name, std::move(m));
    for (const auto& [scenario, series] : metric.by_scenario) {
      run.metrics.emplace(compare::SubmetricKey(name, "scenario", scenario),
                          Summarise(metric, series, duration_s));
    }
  }
  for (const auto& [name, check] : s.checks) run.checks.push_back(check);
  return run;
}

namespace {

// Feeds every line of one file (plain or gzip) to `aggregator`; errors name the file and line.
void FeedFile(const std::filesystem::path& path, NdjsonAggregator& aggregator) {
  gzFile file = gzopen(path.c_str(), "rb");  // reads plain files as they are
  if (file == nullptr) throw K6FormatError(path.string() + ": cannot open");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> closer(file, gzclose);
  gzbuffer(file, 1 << 20);

  constexpr std::size_t kChunk = 1 << 20;
  constexpr std::size_t kMaxLine = 64 << 20;  // a k6 line is ~500 bytes; more means garbage
  std::vector<char> buffer(kChunk);
  std::string carry;  // a line split across two chunks
  std::uint64_t line_number = 0;
  auto feed = [&](std::string_view line) {
    ++line_number;
    try {
      aggregator.FeedLine(line, line_number);
    } catch (const K6FormatError& e) {
      throw K6FormatError(path.string() + ": " + e.what());
    }
  };
  for (;;) {
    int n = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) {
      int code = 0;
      throw K6FormatError(path.string() + ": after line " + std::to_string(line_number) +
                          ": cannot read (" + gzerror(file, &code) + ")");
    }
    if (n == 0) break;
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    while (!chunk.empty()) {
      std::size_t end = chunk.find('\n');
      if (end == std::string_view::npos) {
        carry.append(chunk);
        if (carry.size() > kMaxLine) {
          throw K6FormatError(path.string() + ": line " + std::to_string(line_number + 1) +
                              ": longer than 64 MiB; not k6 NDJSON");
        }
        break;
      }
      if (carry.empty()) {
        feed(chunk.substr(0, end));
      } else {
        carry.append(chunk.substr(0, end));
        feed(carry);
        carry.clear();
      }
      chunk.remove_prefix(end + 1);
    }
  }
  if (!carry.empty()) feed(carry);  // the last line may lack its newline
}

}  // namespace

compare::RunSummary ReadNdjsonFile(const std::filesystem::path& path) {
  NdjsonAggregator aggregator;
  FeedFile(path, aggregator);
  return aggregator.Finish(path.string());
}

compare::RunSummary ReadMergedNdjsonFiles(std::span<const std::filesystem::path> paths) {
  if (paths.empty()) throw K6FormatError("nothing to merge: no k6 output named");
  NdjsonAggregator aggregator;
  std::string source;
  for (const std::filesystem::path& path : paths) {
    FeedFile(path, aggregator);
    source += (source.empty() ? "" : " + ") + path.string();
  }
  compare::RunSummary run = aggregator.Finish(source);
  run.format = "k6 NDJSON, " + std::to_string(paths.size()) + " outputs merged";
  return run;
}

namespace {

bool Digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return std::int64_t{era} * 146097 + doe - 719468;
}

}  // namespace

std::optional<std::int64_t> ParseRfc3339Nanos(std::string_view t) {
  int year, month, day, hour, minute, second;
  if (!Digits(t, 0, 4, year) || t.size() < 20 || t[4] != '-' || !Digits(t, 5, 2, month) ||
      t[7] != '-' || !Digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      !Digits(t, 11, 2, hour) || t[13] != ':' || !Digits(t, 14, 2, minute) || t[16] != ':' ||
      !Digits(t, 17, 2, second) || month < 1 || month > 12 || day < 1 || day > 31) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    std::int64_t scale = 100'000'000;
    std::size_t start = pos;
    for (; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos) {
      nanos += (t[pos] - '0') * scale;
      scale /= 10;
    }
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int oh, om;
    if (!Digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':' ||
        !Digits(t, pos + 4, 2, om)) {
      return std::nullopt;
    }
    offset_s = (oh * 3600 + om * 60) * (t[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) return std::nullopt;
  std::int64_t seconds =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  // 64-bit nanoseconds since 1970 reach from 1677 to 2262; outside, the time is not one we hold.
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;
  if (seconds >= kMaxSeconds || seconds <= -kMaxSeconds) return std::nullopt;
  return seconds * 1'000'000'000 + nanos;
}

}  // namespace flowbench::k6
