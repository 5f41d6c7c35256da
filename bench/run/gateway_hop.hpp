// `flowbench run --gateway`: a flowbench-gateway process in front of the build a run
// measures, on a free port, with a secret made for this run (in the run's directory, 0600)
// and a token minted from it that every virtual user sends. The gateway's own time per
// request (flowbench_gateway_added_seconds, from its /metrics before and after the run) becomes the
// hop's share of the answer latency in the report.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "bench/report/results.hpp"
#include "bench/run/completion_scrape.hpp"
#include "common/domain/catalogue.hpp"

namespace flowbench::run {

struct GatewayHopOptions {
  std::string rate_limit =
      "off";  // the gateway's --rate-limit: a run is not throttled unless asked
  int burst = 200;
  std::string otlp_endpoint;  // non-empty: the gateway exports its spans there, as the services
  // The subject of the one (customer) token minted: the key of the rate limit.
  std::string subject = "flowbench-run";
  std::filesystem::path bin_dir;  // where flowbench-gateway is; empty: beside this executable
};

// One running gateway: stopped (SIGTERM, then SIGKILL) when this goes.
class RunGateway {
 public:
  // In front of the services on port_base+1..+10; its log and secret go to `dir`. Throws with
  // the log's tail when it does not answer /health within 10 s.
  RunGateway(Arch arch, int port_base, const std::filesystem::path& dir,
             const GatewayHopOptions& options);
  RunGateway(const RunGateway&) = delete;
  RunGateway& operator=(const RunGateway&) = delete;
  ~RunGateway();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string Url() const;                                             // http://127.0.0.1:port
  const std::string& Authorization() const { return authorization_; }  // "Bearer <jwt>"
  const std::filesystem::path& log() const { return log_; }  // its output: spans, warnings

 private:
  pid_t pid_ = 0;
  int port_ = 0;
  std::string authorization_;
  std::filesystem::path log_;
};

// The gateway's added-time histogram from its /metrics; nullopt when it does not answer.
std::optional<BucketCounts> ScrapeGatewayAdded(const std::string& url);

// What results.json records of the hop: requests forwarded during the run (the histogram's
// count) and the percentiles of the gateway's own time.
report::GatewayHop ToGatewayHop(const std::string& url, const BucketCounts& before,
                                const BucketCounts& after);

}  // namespace flowbench::run
