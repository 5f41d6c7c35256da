#include "common/domain/workload_settings.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <string>

#include "common/domain/errors.hpp"
#include "common/domain/json_fields.hpp"

namespace flowbench {
namespace {

// One row per delay: its JSON key is the name, its flag --name with dashes, its
// environment variable FLOWBENCH_NAME in capitals. One table, so the three never drift.
struct DelaySetting {
  const char* name;
  Milliseconds WorkloadSettings::*member;
  const char* help;
};

constexpr DelaySetting kDelays[] = {
    {"email_delay_ms", &WorkloadSettings::email_delay, "welcome email step (waiting)"},
    {"payment_gateway_delay_ms", &WorkloadSettings::payment_gateway_delay,
     "payment gateway step (waiting)"},
    {"search_reindex_delay_ms", &WorkloadSettings::search_reindex_delay,
     "search reindex step of a product update (waiting)"},
    {"cache_invalidation_delay_ms", &WorkloadSettings::cache_invalidation_delay,
     "cache invalidation step of a product update (waiting)"},
    {"analytics_log_delay_ms", &WorkloadSettings::analytics_log_delay,
     "analytics log step of a product update (waiting)"},
    {"report_cpu_time_ms", &WorkloadSettings::report_cpu_time,
     "CPU time of a report: repeated SHA-256"},
    {"saga_payment_delay_ms", &WorkloadSettings::saga_payment_delay,
     "payment authorisation step of the order saga (waiting)"},
};

std::string FlagName(std::string_view name) {
  std::string flag = "--" + std::string(name);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string EnvName(std::string_view name) {
  std::string env = "FLOWBENCH_" + std::string(name);
  std::transform(env.begin(), env.end(), env.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return env;
}

}  // namespace

void BindWorkloadSettings(CLI::App& app, WorkloadSettings& settings) {
  const char* group = "Workload (identical in both builds)";
  for (const DelaySetting& delay : kDelays) {
    Milliseconds& target = settings.*(delay.member);
    app.add_option_function<std::int64_t>(
           FlagName(delay.name), [&target](std::int64_t ms) { target = Milliseconds(ms); },
           delay.help)
        ->envname(EnvName(delay.name))
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{3'600'000}))
        ->default_str(std::to_string(target.count()))
        ->group(group);
  }
  app.add_option("--payment-failure-rate", settings.payment_failure_rate,
                 "probability that the saga's payment authorisation fails")
      ->envname("FLOWBENCH_PAYMENT_FAILURE_RATE")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str()
      ->group(group);
  app.add_option("--write-clicks", settings.write_clicks,
                 "write one row per click (false reproduces the original study, which wrote none)")
      ->envname("FLOWBENCH_WRITE_CLICKS")
      ->capture_default_str()
      ->group(group);
}

boost::json::object ToJson(const WorkloadSettings& settings) {
  boost::json::object json;
  for (const DelaySetting& delay : kDelays) {
    json[delay.name] = (settings.*(delay.member)).count();
  }
  json["payment_failure_rate"] = settings.payment_failure_rate;
  json["write_clicks"] = settings.write_clicks;
  return json;
}

std::vector<std::string> ToArgs(const WorkloadSettings& settings) {
  std::vector<std::string> args;
  for (const auto& [key, value] : ToJson(settings)) {
    args.push_back(FlagName(key));
    args.push_back(value.is_bool() ? (value.get_bool() ? "true" : "false")
                                   : boost::json::serialize(value));
  }
  return args;
}

WorkloadSettings WorkloadSettingsFromJson(const boost::json::object& json) {
  WorkloadSettings settings;
  JsonFields fields(json);
  std::size_t known = 0;
  for (const DelaySetting& delay : kDelays) {
    if (std::optional<std::int64_t> ms = fields.OptionalInteger(delay.name)) {
      if (*ms < 0) throw ValidationError(std::string(delay.name) + " must not be negative");
      settings.*(delay.member) = Milliseconds(*ms);
      ++known;
    }
  }
  if (json.contains("payment_failure_rate")) {
    settings.payment_failure_rate = fields.Number("payment_failure_rate");
    ++known;
  }
  if (json.contains("write_clicks")) {
    settings.write_clicks = fields.Bool("write_clicks");
    ++known;
  }
  if (known != json.size()) {
    for (const auto& [key, value] : json) {
      if (!ToJson(WorkloadSettings{}).contains(key)) {
        throw ValidationError("unknown workload setting '" + std::string(key) + "'");
      }
    }
  }
  return settings;
}

}  // namespace flowbench
