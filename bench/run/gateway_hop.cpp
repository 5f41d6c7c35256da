#include "bench/run/gateway_hop.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "common/domain/secrets.hpp"
#include "common/http/json_client.hpp"
#include "common/infra/ports.hpp"
#include "common/infra/process.hpp"
#include "common/service/launcher.hpp"
#include "gateway/jwt_tokens.hpp"

namespace flowbench::run {
namespace fs = std::filesystem;

namespace {

constexpr std::chrono::seconds kReadyTimeout{10};
constexpr std::chrono::seconds kStopGrace{15};
// gateway/gateway_server.hpp's kAddedSecondsMetric (the driver does not link the gateway).
constexpr std::string_view kAddedMetric = "flowbench_gateway_added_seconds";

}  // namespace

RunGateway::RunGateway(Arch arch, int port_base, const fs::path& dir,
                       const GatewayHopOptions& options) {
  fs::path binary =
      (options.bin_dir.empty() ? ExecutableDir() : options.bin_dir) / "flowbench-gateway";
  if (!fs::exists(binary)) {
    throw std::runtime_error(binary.string() +
                             " not found: build it first (cmake --build build --target "
                             "flowbench-gateway)");
  }
  fs::create_directories(dir);
  fs::path secret_file = dir / "jwt-secret";
  gateway::JwtSettings jwt;
  jwt.secret = RandomSecret(32);  // 64 hex digits, this run's only
  infra::WritePrivateFile(secret_file, jwt.secret + "\n");
  gateway::MintRequest mint;
  mint.subject = options.subject;
  mint.ttl = std::chrono::hours(24);  // outlives any run's drain
  authorization_ = "Bearer " + gateway::MintToken(jwt, mint);

  port_ = infra::FindFreePort();
  log_ = dir / "gateway.log";
  std::vector<std::string> argv{binary.string(),
                                "--arch",
                                std::string(ArchName(arch)),
                                "--port-base",
                                std::to_string(port_base),
                                "--port",
                                std::to_string(port_),
                                "--jwt-secret-file",
                                secret_file.string(),
                                "--rate-limit",
                                options.rate_limit,
                                "--burst",
                                std::to_string(options.burst)};
  if (!options.otlp_endpoint.empty()) {
    argv.insert(argv.end(), {"--otlp-endpoint", options.otlp_endpoint});
  }
  pid_ = infra::SpawnDaemon(argv, {}, log_);
  http::JsonClient client("127.0.0.1", port_);
  auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  while (client.Get("/health").status != 200) {
    if (!infra::IsAlive(pid_) || std::chrono::steady_clock::now() > deadline) {
      infra::Terminate(pid_, kStopGrace);
      throw std::runtime_error("the " + std::string(ArchName(arch)) +
                               " gateway did not start. Its log, " + log_.string() + ":\n" +
                               infra::Tail(log_));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

RunGateway::~RunGateway() { infra::Terminate(pid_, kStopGrace); }

std::string RunGateway::Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::optional<BucketCounts> ScrapeGatewayAdded(const std::string& url) {
  std::optional<std::string> text = ScrapeMetrics(url);
  if (!text) return std::nullopt;
  // Every series carries `arch`: one series, keyed by its build.
  auto histograms = ParseHistograms(*text, kAddedMetric, "arch");
  if (histograms.empty()) return BucketCounts{};
  return histograms.begin()->second;
}

report::GatewayHop ToGatewayHop(const std::string& url, const BucketCounts& before,
                                const BucketCounts& after) {
  BucketCounts run = Difference(after, before);
  report::GatewayHop hop;
  hop.url = url;
  hop.forwarded = static_cast<std::uint64_t>(run.count);
  hop.added = Summarise(run);
  return hop;
}

}  // namespace flowbench::run
