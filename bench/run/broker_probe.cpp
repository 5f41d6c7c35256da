#include "bench/run/broker_probe.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <vector>

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

std::string QueueTypeInForce(const std::string& requested, int broker_nodes) {
  if (requested.empty() || requested == "auto") return broker_nodes > 1 ? "quorum" : "classic";
  return requested;
}

}  // namespace flowbench::run
