#include "bench/stats/stats_json.hpp"

#include <boost/json.hpp>
#include <stdexcept>
#include <string>

namespace flowbench::stats {
namespace json = boost::json;
namespace {

double Ms(double ns) { return ns / 1e6; }

const json::value& Field(const json::object& object, std::string_view key, std::string_view what) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) {
    throw std::invalid_argument(std::string(what) + ": missing \"" + std::string(key) + "\"");
  }
  return *value;
}

std::uint64_t Unsigned(const json::value& value, std::string_view what) {
  if (value.is_uint64()) return value.get_uint64();
  if (value.is_int64() && value.get_int64() >= 0)
    return static_cast<std::uint64_t>(value.get_int64());
  throw std::invalid_argument(std::string(what) + ": expected a non-negative integer");
}

std::int64_t Signed(const json::value& value, std::string_view what) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64() && value.get_uint64() <= INT64_MAX)
    return static_cast<std::int64_t>(value.get_uint64());
  throw std::invalid_argument(std::string(what) + ": expected an integer");
}

const json::object& Object(const json::value& value, std::string_view what) {
  if (!value.is_object()) throw std::invalid_argument(std::string(what) + ": expected an object");
  return value.get_object();
}

}  // namespace

json::object SummaryToJson(const HistogramSummary& s) {
  return {{"count", s.count},
          {"mean_ms", Ms(s.mean_ns)},
          {"stdev_ms", Ms(s.stdev_ns)},
          {"min_ms", Ms(static_cast<double>(s.min_ns))},
          {"p50_ms", Ms(static_cast<double>(s.p50_ns))},
          {"p90_ms", Ms(static_cast<double>(s.p90_ns))},
          {"p95_ms", Ms(static_cast<double>(s.p95_ns))},
          {"p99_ms", Ms(static_cast<double>(s.p99_ns))},
          {"p99_9_ms", Ms(static_cast<double>(s.p999_ns))},
          {"max_ms", Ms(static_cast<double>(s.max_ns))}};
}

json::object HistogramToJson(const LatencyHistogram& h) {
  json::array buckets;
  for (int i = 0; i < LatencyHistogram::kCountsLength; ++i) {
    if (h.CountAt(i) != 0) buckets.push_back(json::array{i, h.CountAt(i)});
  }
  return {{"unit", "ns"},
          {"sub_bucket_bits", LatencyHistogram::kSubBucketBits},
          {"count", h.Count()},
          {"min", h.Min()},
          {"max", h.Max()},
          {"sum", h.Sum()},
          {"saturated", h.Saturated()},
          {"buckets", std::move(buckets)}};
}

LatencyHistogram HistogramFromJson(const json::value& value) {
  constexpr std::string_view kWhat = "histogram";
  const json::object& o = Object(value, kWhat);
  if (Field(o, "unit", kWhat) != "ns" ||
      Signed(Field(o, "sub_bucket_bits", kWhat), kWhat) != LatencyHistogram::kSubBucketBits) {
    throw std::invalid_argument("histogram: unsupported unit or layout");
  }
  std::array<std::uint64_t, LatencyHistogram::kCountsLength> counts{};
  const json::value& buckets = Field(o, "buckets", kWhat);
  if (!buckets.is_array()) throw std::invalid_argument("histogram: \"buckets\" is not an array");
  for (const json::value& bucket : buckets.get_array()) {
    if (!bucket.is_array() || bucket.get_array().size() != 2) {
      throw std::invalid_argument("histogram: a bucket is not [index, count]");
    }
    std::uint64_t index = Unsigned(bucket.get_array()[0], kWhat);
    if (index >= counts.size()) throw std::invalid_argument("histogram: bucket index out of range");
    counts[index] += Unsigned(bucket.get_array()[1], kWhat);
  }
  const json::value& sum = Field(o, "sum", kWhat);
  if (!sum.is_number()) throw std::invalid_argument("histogram: \"sum\" is not a number");
  LatencyHistogram h = LatencyHistogram::FromParts(
      counts, Signed(Field(o, "min", kWhat), kWhat), Signed(Field(o, "max", kWhat), kWhat),
      sum.to_number<double>(), Unsigned(Field(o, "saturated", kWhat), kWhat));
  if (h.Count() != Unsigned(Field(o, "count", kWhat), kWhat)) {
    throw std::invalid_argument("histogram: \"count\" differs from the buckets' total");
  }
  return h;
}

json::object ErrorsToJson(const ErrorCounts& errors) {
  json::object o;
  for (int i = 0; i < kErrorKindCount; ++i) {
    auto kind = static_cast<ErrorKind>(i);
    o[ErrorKindName(kind)] = errors.Of(kind);
  }
  return o;
}

ErrorCounts ErrorsFromJson(const json::value& value) {
  ErrorCounts errors;
  for (const auto& [key, count] : Object(value, "errors")) {
    std::optional<ErrorKind> kind = ParseErrorKind(key);
    if (!kind) throw std::invalid_argument("errors: unknown kind \"" + std::string(key) + "\"");
    errors.Add(*kind, Unsigned(count, "errors"));
  }
  return errors;
}

json::object RecorderToJson(const Recorder& r) {
  return {{"started", r.Started()},
          {"completed", r.Completed()},
          {"dropped", r.Dropped()},
          {"errors", ErrorsToJson(r.Errors())},
          {"latency", SummaryToJson(r.Corrected().Summary())},
          {"latency_uncorrected", SummaryToJson(r.Uncorrected().Summary())},
          {"histogram", HistogramToJson(r.Corrected())},
          {"histogram_uncorrected", HistogramToJson(r.Uncorrected())}};
}

Recorder RecorderFromJson(const json::value& value) {
  constexpr std::string_view kWhat = "recorder";
  const json::object& o = Object(value, kWhat);
  return Recorder::FromParts(HistogramFromJson(Field(o, "histogram", kWhat)),
                             HistogramFromJson(Field(o, "histogram_uncorrected", kWhat)),
                             ErrorsFromJson(Field(o, "errors", kWhat)),
                             Unsigned(Field(o, "started", kWhat), kWhat),
                             Unsigned(Field(o, "dropped", kWhat), kWhat));
}

}  // namespace flowbench::stats
