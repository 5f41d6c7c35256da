#include "bench/run/samplers.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "bench/run/completion_scrape.hpp"
#include "common/amqp/connection.hpp"
#include "common/domain/topology.hpp"
#include "common/telemetry/prometheus_text.hpp"

namespace flowbench::run {

std::optional<ProcessSample> SampleProcess(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return std::nullopt;
  // Fields after the command name, which is in parentheses and may contain spaces.
  std::size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  std::vector<std::string> f;
  while (fields >> field) f.push_back(field);
  if (f.size() < 22 || f[0] == "Z") return std::nullopt;  // f[0] is field 3, state
  static const double kTicks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  ProcessSample sample;
  sample.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / kTicks;  // utime, stime
  static const long kPage = ::sysconf(_SC_PAGESIZE);
  sample.rss_bytes = std::stoull(f[21]) * static_cast<std::uint64_t>(kPage);  // rss pages
  sample.start_time = std::stod(f[19]);  // starttime, ticks since boot
  return sample;
}

std::optional<ProcessSample> ProcessSampleFromMetrics(std::string_view exposition) {
  prometheus_text::Exposition scrape = prometheus_text::ParseText(exposition);
  std::optional<double> cpu = scrape.First("process_cpu_seconds_total");
  std::optional<double> rss = scrape.First("process_resident_memory_bytes");
  if (!cpu || !rss) return std::nullopt;
  ProcessSample sample;
  sample.cpu_seconds = *cpu;
  sample.rss_bytes = static_cast<std::uint64_t>(*rss);
  sample.start_time = scrape.First("process_start_time_seconds").value_or(0);
  return sample;
}

std::vector<std::string> ContractQueues() {
  std::vector<std::string> queues;
  for (const topology::QueueBinding& binding : topology::kQueues) {
    queues.emplace_back(binding.queue);
  }
  for (const topology::QueueBinding& binding : topology::kQueues) {
    queues.push_back(topology::DeadLetterQueue(binding.queue));
  }
  return queues;
}

QueueDepthReader AmqpQueueDepths(std::string amqp_url, std::vector<std::string> queues) {
  return [amqp_url = std::move(amqp_url), queues = std::move(queues)] {
    try {
      AmqpConnection connection(amqp_url, std::chrono::seconds(3), "flowbench-driver-sampler");
      QueueDepths depths;
      for (const std::string& q : queues) {
        // A queue nobody declared (yet) holds nothing.
        depths.emplace_back(q, connection.QueueDepth(q).value_or(0));
      }
      return depths;
    } catch (const AmqpError& e) {
      throw QueueDepthUnavailable(e.what());
    }
  };
}

RunSampler::RunSampler(std::vector<SampledService> services, QueueDepthReader queue_depths,
                       std::chrono::milliseconds interval)
    : services_(std::move(services)), queue_depths_(std::move(queue_depths)), interval_(interval) {
  first_.resize(services_.size());
  last_.resize(services_.size());
  peak_rss_.resize(services_.size());
  restarted_.resize(services_.size());
}

RunSampler::~RunSampler() { Stop(); }

std::optional<ProcessSample> RunSampler::Sample(const SampledService& service) const {
  if (service.pid > 0) return SampleProcess(service.pid);
  std::optional<std::string> metrics = ScrapeMetrics(service.metrics_url);
  return metrics ? ProcessSampleFromMetrics(*metrics) : std::nullopt;
}

void RunSampler::Start() {
  started_ = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < services_.size(); ++i) {
    first_[i] = last_[i] = Sample(services_[i]);
    peak_rss_[i] = first_[i] ? first_[i]->rss_bytes : 0;
  }
  thread_ = std::thread([this] { Loop(); });
}

void RunSampler::Stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  SampleOnce(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
}

QueueDepths RunSampler::DepthsNow() const {
  return queue_depths_ ? queue_depths_() : QueueDepths{};
}

void RunSampler::Loop() {
  auto next = started_;
  while (!stop_) {
    next += interval_;
    std::this_thread::sleep_until(next);
    if (stop_) break;
    SampleOnce(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  }
}

void RunSampler::SampleOnce(double t) {
  std::optional<QueueDepths> depths;
  try {
    depths = DepthsNow();
  } catch (const QueueDepthUnavailable&) {
    // The source did not answer this second (e.g. the broker restarting): that second has no
    // sample, rather than a made-up zero.
  }
  std::vector<std::optional<ProcessSample>> samples;
  for (const SampledService& s : services_) samples.push_back(Sample(s));

  std::lock_guard lock(mutex_);
  if (depths) {
    std::uint64_t backlog = 0;
    for (const auto& [queue, depth] : *depths) {
      backlog += depth;
      auto series =
          std::find_if(queues_.begin(), queues_.end(),
                       [&queue = queue](const report::QueueSeries& q) { return q.queue == queue; });
      if (series == queues_.end()) series = queues_.insert(queues_.end(), {queue, {}, {}});
      series->t.push_back(t);
      series->depth.push_back(depth);
    }
    last_backlog_ = backlog;
  }
  for (std::size_t i = 0; i < services_.size(); ++i) {
    if (!samples[i]) {
      // A process watched by pid that is gone died during the run (a killed service is
      // started again under a new pid): its CPU until then is not the run's. A scrape that
      // failed once says nothing of the kind.
      if (services_[i].pid > 0 && last_[i]) restarted_[i] = true;
      continue;
    }
    // A different start time: the process was restarted, and its CPU counter with it.
    if (last_[i] && samples[i]->start_time != last_[i]->start_time) restarted_[i] = true;
    last_[i] = samples[i];
    peak_rss_[i] = std::max(peak_rss_[i], samples[i]->rss_bytes);
  }
}

QueueDepths RunSampler::LastDepths() const {
  std::lock_guard lock(mutex_);
  QueueDepths depths;
  for (const report::QueueSeries& q : queues_) {
    if (!q.depth.empty()) depths.emplace_back(q.queue, q.depth.back());
  }
  return depths;
}

std::vector<report::QueueSeries> RunSampler::Queues() const {
  std::lock_guard lock(mutex_);
  return queues_;
}

RunSampler::Resources RunSampler::ResourcesUsed() const {
  std::lock_guard lock(mutex_);
  Resources resources;
  for (std::size_t i = 0; i < services_.size(); ++i) {
    if (!first_[i] || !last_[i] || restarted_[i]) {
      resources.not_measured.push_back(services_[i].service);
      continue;
    }
    resources.measured.push_back(
        {services_[i].service, last_[i]->cpu_seconds - first_[i]->cpu_seconds, peak_rss_[i]});
  }
  return resources;
}

}  // namespace flowbench::run
