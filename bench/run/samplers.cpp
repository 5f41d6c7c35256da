#include "bench/run/samplers.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/amqp/connection.hpp"

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
  return sample;
}

std::vector<std::string> ContractQueues() {
  std::vector<std::string> queues = {
      "user_registered_queue",          "payment_initiated_queue",
      "payment_completed_queue",        "search_product_updates_queue",
      "cache_product_updates_queue",    "analytics_product_updates_queue",
      "report_jobs_queue",              "order_created_queue",
      "stock_reserved_queue",           "inventory_payment_failed_queue",
      "order_payment_failed_queue",     "order_payment_succeeded_queue",
      "click_tracked_queue"};
  std::size_t n = queues.size();
  for (std::size_t i = 0; i < n; ++i) queues.push_back(queues[i] + ".dlq");
  return queues;
}

RunSampler::RunSampler(std::vector<SampledProcess> processes, std::string amqp_url,
                       std::vector<std::string> queues, std::chrono::milliseconds interval)
    : processes_(std::move(processes)),
      amqp_url_(std::move(amqp_url)),
      queue_names_(std::move(queues)),
      interval_(interval) {
  for (const std::string& q : queue_names_) queues_.push_back({q, {}, {}});
  first_.resize(processes_.size());
  last_.resize(processes_.size());
  peak_rss_.resize(processes_.size());
}

RunSampler::~RunSampler() { Stop(); }

void RunSampler::Start() {
  started_ = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    first_[i] = last_[i] = SampleProcess(processes_[i].pid).value_or(ProcessSample{});
    peak_rss_[i] = first_[i].rss_bytes;
  }
  thread_ = std::thread([this] { Loop(); });
}

void RunSampler::Stop() {
  if (!thread_.joinable()) return;
  stop_ = true;
  thread_.join();
  SampleOnce(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
}

std::vector<std::pair<std::string, std::uint64_t>> RunSampler::DepthsNow() {
  std::vector<std::pair<std::string, std::uint64_t>> depths;
  if (amqp_url_.empty()) return depths;
  AmqpConnection connection(amqp_url_, std::chrono::seconds(3), "flowbench-driver-sampler");
  for (const std::string& q : queue_names_) {
    // A queue nobody declared (yet) holds nothing.
    depths.emplace_back(q, connection.QueueDepth(q).value_or(0));
  }
  return depths;
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
  std::vector<std::pair<std::string, std::uint64_t>> depths;
  try {
    depths = DepthsNow();
  } catch (const AmqpError&) {
    // The broker did not answer this second (e.g. restarting): that second has no sample,
    // rather than a made-up zero.
  }
  std::uint64_t backlog = 0;
  for (const auto& [queue, depth] : depths) backlog += depth;
  last_backlog_ = backlog;
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < depths.size(); ++i) {
    queues_[i].t.push_back(t);
    queues_[i].depth.push_back(depths[i].second);
  }
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    if (std::optional<ProcessSample> s = SampleProcess(processes_[i].pid)) {
      last_[i] = *s;
      peak_rss_[i] = std::max(peak_rss_[i], s->rss_bytes);
    }
  }
}

std::vector<report::QueueSeries> RunSampler::Queues() const {
  std::lock_guard lock(mutex_);
  return queues_;
}

std::vector<report::ServiceResources> RunSampler::Resources() const {
  std::lock_guard lock(mutex_);
  std::vector<report::ServiceResources> resources;
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    resources.push_back({processes_[i].service, last_[i].cpu_seconds - first_[i].cpu_seconds,
                         peak_rss_[i]});
  }
  return resources;
}

}  // namespace flowbench::run
