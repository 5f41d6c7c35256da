// The simulated work of CONTRACT.md §2: one struct, one set of flags and environment variables,
// used by every executable of both builds, so that a comparison never compares different
// amounts of work. Reports print ToJson() of the settings that were in force.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace flowbench {

using Milliseconds = std::chrono::milliseconds;

struct WorkloadSettings {
  Milliseconds email_delay{500};              // send welcome email: waiting (external SMTP)
  Milliseconds payment_gateway_delay{2000};   // background payment: waiting (external API)
  Milliseconds search_reindex_delay{100};     // fan-out: search reindex, waiting
  Milliseconds cache_invalidation_delay{50};  // fan-out: cache invalidation, waiting
  Milliseconds analytics_log_delay{50};       // fan-out: analytics log of the update, waiting
  Milliseconds report_cpu_time{10000};        // CPU report: repeated SHA-256 for this long
  Milliseconds saga_payment_delay{500};       // order saga: payment authorisation, waiting
  double payment_failure_rate = 1.0;          // saga: probability the authorisation fails
  bool write_clicks = true;  // click buffering: write the row (the original study wrote none)

  bool operator==(const WorkloadSettings&) const = default;
};

// Adds --email-delay-ms, ..., --payment-failure-rate, --write-clicks to `app`, each also read
// from FLOWBENCH_EMAIL_DELAY_MS, ... (a flag wins over the environment, the environment over
// the default). Values out of range are rejected by CLI11 with a clear message.
void BindWorkloadSettings(CLI::App& app, WorkloadSettings& settings);

// The flags that reproduce `settings` in another process: {"--email-delay-ms", "500", ...}.
std::vector<std::string> ToArgs(const WorkloadSettings& settings);

// The same names as JSON keys: {"email_delay_ms": 500, ...}.
boost::json::object ToJson(const WorkloadSettings& settings);
// Strict: unknown keys and wrong types are errors (a results file is never half-read).
WorkloadSettings WorkloadSettingsFromJson(const boost::json::object& json);

}  // namespace flowbench
