#include "asynchronous/runtime/settings.hpp"

#include <CLI/CLI.hpp>
#include <thread>

#include "common/amqp/connection.hpp"

namespace flowbench::async {
namespace {

void AddMilliseconds(CLI::App& app, const std::string& flag, const std::string& env,
                     Milliseconds& target, const std::string& help, std::int64_t min) {
  app.add_option_function<std::int64_t>(
         flag, [&target](std::int64_t ms) { target = Milliseconds(ms); }, help)
      ->envname(env)
      ->check(CLI::Range(min, std::int64_t{3'600'000}))
      ->default_str(std::to_string(target.count()))
      ->group("Async runtime");
}

}  // namespace

int AsyncRuntimeSettings::CpuPoolSize() const {
  if (cpu_pool_size > 0) return cpu_pool_size;
  return std::max(1u, std::thread::hardware_concurrency());
}

void BindAsyncRuntimeSettings(CLI::App& app, AsyncRuntimeSettings& s) {
  const char* group = "Async runtime";
  app.add_option("--prefetch", s.prefetch, "unacked deliveries per consumer")
      ->envname("FLOWBENCH_PREFETCH")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str()
      ->group(group);
  app.add_option("--publish-confirm", s.publish_confirm,
                 "answer only after the broker confirmed the message (false: answer at once)")
      ->envname("FLOWBENCH_PUBLISH_CONFIRM")
      ->capture_default_str()
      ->group(group);
  app.add_option("--confirm-window", s.confirm_window, "unconfirmed publishes in flight at most")
      ->envname("FLOWBENCH_CONFIRM_WINDOW")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str()
      ->group(group);
  AddMilliseconds(app, "--confirm-timeout-ms", "FLOWBENCH_CONFIRM_TIMEOUT_MS", s.confirm_timeout,
                  "no broker confirm within this: 503", 1);
  app.add_option("--cpu-pool-size", s.cpu_pool_size, "report worker threads (0: core count)")
      ->envname("FLOWBENCH_CPU_POOL_SIZE")
      ->check(CLI::Range(0, 256))
      ->capture_default_str()
      ->group(group);
  app.add_option("--retry-attempts", s.retry_attempts,
                 "retries of a failed message before its dead-letter queue")
      ->envname("FLOWBENCH_RETRY_ATTEMPTS")
      ->check(CLI::Range(0, 20))
      ->capture_default_str()
      ->group(group);
  AddMilliseconds(app, "--retry-base-delay-ms", "FLOWBENCH_RETRY_BASE_DELAY_MS", s.retry_base_delay,
                  "delay of the first retry; doubles with each", 1);
  app.add_option("--click-batch-size", s.click_batch_size, "clicks per INSERT at most")
      ->envname("FLOWBENCH_CLICK_BATCH_SIZE")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str()
      ->group(group);
  AddMilliseconds(app, "--click-flush-ms", "FLOWBENCH_CLICK_FLUSH_MS", s.click_flush_interval,
                  "a click batch waits at most this long", 1);
  AddMilliseconds(app, "--reconnect-max-delay-ms", "FLOWBENCH_RECONNECT_MAX_DELAY_MS",
                  s.reconnect_max_delay, "back-off cap when RabbitMQ is unreachable", 10);
  AddMilliseconds(app, "--http-idle-timeout-ms", "FLOWBENCH_HTTP_IDLE_TIMEOUT_MS",
                  s.http_idle_timeout, "idle keep-alive connections are closed after this", 100);
  AddMilliseconds(app, "--drain-timeout-ms", "FLOWBENCH_DRAIN_TIMEOUT_MS", s.drain_timeout,
                  "on SIGTERM: time to finish in-flight work", 0);
  app.add_option("--queue-type", s.queue_type,
                 "queue type of the work, retry and dead-letter queues: classic, quorum, or auto "
                 "(quorum when --amqp-url lists several nodes)")
      ->envname("FLOWBENCH_QUEUE_TYPE")
      ->check(CLI::IsMember({"auto", "classic", "quorum"}))
      ->capture_default_str()
      ->group(group);
  BindConnectionLimits(app, s.connections, group);
}

void ResolveQueueType(AsyncRuntimeSettings& settings, const std::string& amqp_url) {
  if (settings.queue_type != "auto") return;
  settings.queue_type = SplitAmqpUrls(amqp_url).size() > 1 ? "quorum" : "classic";
}

boost::json::object ToJson(const AsyncRuntimeSettings& s) {
  boost::json::object json{{"prefetch", s.prefetch},
                           {"publish_confirm", s.publish_confirm},
                           {"confirm_window", s.confirm_window},
                           {"confirm_timeout_ms", s.confirm_timeout.count()},
                           {"cpu_pool_size", s.CpuPoolSize()},
                           {"retry_attempts", s.retry_attempts},
                           {"retry_base_delay_ms", s.retry_base_delay.count()},
                           {"click_batch_size", s.click_batch_size},
                           {"click_flush_ms", s.click_flush_interval.count()},
                           {"reconnect_max_delay_ms", s.reconnect_max_delay.count()},
                           {"http_idle_timeout_ms", s.http_idle_timeout.count()},
                           {"queue_type", s.queue_type}};
  AddToJson(json, s.connections);
  return json;
}

}  // namespace flowbench::async
