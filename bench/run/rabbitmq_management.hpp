// RabbitMQ's management HTTP API, for the broker of a deployment flowbench did not start
// (`flowbench run --target ... --rabbitmq-management-url`): the queue depths of a run and
// the broker's version. The depths are the broker's statistics (messages_ready), which it
// refreshes every few seconds (collect_statistics_interval, 5 s by default), so they lag
// behind the passive declares flowbench uses on a broker of its own.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace flowbench::run {

class RabbitManagement {
 public:
  // http://[USER:PASSWORD@]HOST[:PORT][/VHOST]: user guest/guest (RabbitMQ's default) when
  // none is given; VHOST as the API spells it, default %2F ("/"). Throws
  // std::invalid_argument for anything else.
  explicit RabbitManagement(const std::string& url);

  // The URL without its password, for reports and messages.
  const std::string& DisplayUrl() const { return display_url_; }

  // GET /api/overview: "3.10.8". Throws std::runtime_error saying what went wrong.
  std::string Version() const;

  // Ready messages of each queue, in the order asked; a queue the broker does not have (yet)
  // holds nothing. Throws std::runtime_error when the API does not answer.
  std::vector<std::pair<std::string, std::uint64_t>> QueueDepths(
      const std::vector<std::string>& queues) const;

 private:
  std::string Get(const std::string& path) const;

  std::string scheme_host_port_;
  std::string user_, password_;
  std::string vhost_;  // URL-encoded
  std::string display_url_;
};

}  // namespace flowbench::run
