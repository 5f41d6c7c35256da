#include "bench/run/broker_probe.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "bench/network/delay_relay.hpp"
#include "bench/network/relayed_parts.hpp"
#include "common/amqp/connection.hpp"

namespace flowbench::run {
namespace {

using std::chrono::steady_clock;

// The nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

ConfirmLatency ProbeConfirmLatency(const std::string& amqp_urls, const std::string& queue_type,
                                   int messages) {
  if (messages <= 0) throw std::invalid_argument("the confirm probe needs at least one message");
  AmqpConnection broker(amqp_urls, std::chrono::seconds(10), "flowbench confirm probe");
  const std::string queue = "flowbench.probe.confirm." + queue_type;
  QueueOptions options;
  options.queue_type = queue_type;
  broker.DeclareQueue(queue, options);
  broker.PurgeQueue(queue);
  broker.EnableConfirms();
  const std::string body(256, 'x');  // about an async request's message
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(messages));
  for (int i = 0; i < messages; ++i) {
    auto sent = steady_clock::now();
    std::uint64_t tag = broker.Publish("", queue, body, "probe-" + std::to_string(i));
    std::optional<Confirm> confirm = broker.NextConfirm(std::chrono::seconds(10));
    if (!confirm || !confirm->ack || confirm->delivery_tag < tag) {
      throw std::runtime_error("the broker did not confirm the probe's publish " +
                               std::to_string(i + 1) + " to " + queue +
                               (confirm && !confirm->ack ? " (nack)" : " within 10 s"));
    }
    ms.push_back(std::chrono::duration<double, std::milli>(steady_clock::now() - sent).count());
  }
  broker.PurgeQueue(queue);
  std::sort(ms.begin(), ms.end());
  return ConfirmLatency{Percentile(ms, 0.50), Percentile(ms, 0.99), messages};
}

ConfirmLatency ProbeConfirmLatencyThroughLink(const network::NetworkProfile& profile,
                                              const std::string& amqp_urls,
                                              const std::string& queue_type, std::uint64_t seed,
                                              int messages) {
  std::vector<std::string> nodes = SplitAmqpUrls(amqp_urls);
  if (nodes.empty()) throw std::invalid_argument("the confirm probe needs a broker URL");
  network::RelayHost link(network::ShapeOf(profile), seed);
  network::HostPort broker = network::HostPortOf(nodes.front());
  int port = link.Add("rabbitmq", broker.host, broker.port).listen_port;
  return ProbeConfirmLatency(network::WithHostPort(nodes.front(), "127.0.0.1", port), queue_type,
                             messages);
}

void ProbeBrokerConfirms(report::Broker& broker, const std::string& amqp_urls,
                         const network::NetworkProfile& network, std::uint64_t seed) {
  ConfirmLatency own = ProbeConfirmLatency(amqp_urls, broker.queue_type);
  ConfirmLatency paid = own;
  if (network.Relayed()) {
    paid = ProbeConfirmLatencyThroughLink(network, amqp_urls, broker.queue_type, seed);
    broker.own_confirm_ms_p50 = own.p50_ms;
    broker.own_confirm_ms_p99 = own.p99_ms;
  }
  broker.confirm_ms_p50 = paid.p50_ms;
  broker.confirm_ms_p99 = paid.p99_ms;
}

std::string QueueTypeInForce(const std::string& requested, int broker_nodes) {
  if (requested.empty() || requested == "auto") return broker_nodes > 1 ? "quorum" : "classic";
  return requested;
}

}  // namespace flowbench::run
