// flowbench-gateway: the API gateway in front of one build (gateway/README.md). Runs until
// SIGTERM or SIGINT, then stops accepting, lets the requests in flight finish (at most
// kDrainLimit) and exits.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <iostream>

#include "common/domain/secrets.hpp"
#include "common/telemetry/log.hpp"
#include "common/telemetry/tracing.hpp"
#include "gateway/gateway_server.hpp"

namespace {

constexpr std::chrono::seconds kDrainLimit{10};
constexpr std::chrono::milliseconds kDrainPoll{50};

void DrainThenStop(boost::asio::io_context& io, flowbench::gateway::Gateway& gateway,
                   std::chrono::steady_clock::time_point deadline) {
  if (gateway.InFlight() == 0 || std::chrono::steady_clock::now() >= deadline) {
    io.stop();
    return;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(io, kDrainPoll);
  timer->async_wait([&io, &gateway, deadline, timer](const boost::system::error_code&) {
    DrainThenStop(io, gateway, deadline);
  });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"flowbench-gateway: JWT, rate limiting and routing in front of one flowbench build"};
  flowbench::gateway::GatewayOptions options;
  flowbench::gateway::BindGatewayOptions(app, options);
  try {
    app.parse(argc, argv);
    flowbench::gateway::ResolveGatewayOptions(options);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "flowbench-gateway: " << e.what() << "\n";
    return 2;
  }
  flowbench::log::Configure(flowbench::ArchName(options.arch), "gateway");
  try {
    // Declared first, so it flushes after the last request's spans were recorded.
    flowbench::SpanExportScope span_export(
        options.otlp_endpoint, std::string(flowbench::ArchName(options.arch)) + "-gateway");
    boost::asio::io_context io(1);
    flowbench::gateway::Gateway gateway(io, options);
    gateway.Listen();
    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& error, int) {
      if (error) return;
      flowbench::log::Info("stopping: draining requests in flight",
                           {{"in_flight", gateway.InFlight()}});
      gateway.StopAccepting();
      DrainThenStop(io, gateway, std::chrono::steady_clock::now() + kDrainLimit);
    });
    flowbench::log::Info("gateway listening",
                         {{"host", options.host},
                          {"port", gateway.port()},
                          {"upstream_host", options.upstream_host},
                          {"port_base", options.BasePort()},
                          {"rate_limit", flowbench::gateway::Describe(options.rate_limit)}});
    io.run();
  } catch (const std::exception& e) {
    flowbench::log::Error("gateway failed", {{"error", flowbench::RedactSecrets(e.what())}});
    return 1;
  }
  return 0;
}
