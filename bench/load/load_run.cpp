#include "bench/load/load_run.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <deque>
#include <future>
#include <iterator>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <tuple>

#include "bench/load/arrival_schedule.hpp"
#include "bench/load/http_client.hpp"

namespace flowbench::load {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// How long in-flight requests get after Stop() before the run is cut.
constexpr Duration kStopGrace = 1s;

Duration PlannedDuration(const Executor& executor) {
  if (const auto* vus = std::get_if<ConstantVus>(&executor)) return vus->duration;
  return TotalDuration(std::get<ArrivalRate>(executor));
}

// Iteration `iteration`'s X-Request-Id, when the scenario asks for one: one small string per
// request (the prefix and the decimal digits), nothing else on the hot path.
void SetRequestId(HttpRequestSpec& request, const std::string& prefix, std::uint64_t iteration) {
  if (prefix.empty()) return;
  char digits[20];  // 2^64 - 1 has 20 decimal digits
  char* end = std::to_chars(digits, digits + sizeof digits, iteration).ptr;
  request.request_id.reserve(prefix.size() + static_cast<std::size_t>(end - digits));
  request.request_id.assign(prefix).append(digits, end);
}

// This process's CPU time (every thread), for LoadResult::client_cpu_s.
double ProcessCpuSeconds() {
  timespec t{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0) {
    throw std::system_error(errno, std::generic_category(), "clock_gettime(CPUTIME)");
  }
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

asio::awaitable<void> Sleep(asio::steady_timer& timer, Clock::time_point until) {
  boost::system::error_code ignored;
  timer.expires_at(until);
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// Sleeps until `wake_ahead` before `until`, then yields to the io_context until `until`:
// other coroutines' I/O goes on, and the caller resumes within microseconds of `until`
// instead of a timer wake-up later (see ArrivalRate::wake_ahead).
asio::awaitable<void> WakeAt(asio::steady_timer& timer, Clock::time_point until,
                             Duration wake_ahead) {
  co_await Sleep(timer, until - wake_ahead);
  if (wake_ahead <= Duration::zero()) co_return;
  asio::any_io_executor ex = co_await asio::this_coro::executor;
  while (Clock::now() < until) co_await asio::post(ex, asio::use_awaitable);
}

}  // namespace

// One worker thread: its io_context, and its share of every scenario.
struct LoadRun::Worker {
  struct Vu {
    Vu(asio::any_io_executor ex, const ScenarioLoad& load, std::uint64_t seed)
        : connection(std::move(ex), load.host, load.port, load.authorization), rng(seed) {}
    HttpConnection connection;
    std::mt19937_64 rng;
  };

  // An open-loop iteration: when the schedule wants it, and its number.
  struct Due {
    Clock::time_point at;
    std::uint64_t iteration = 0;
  };

  // One scenario's state on this worker; touched only by this worker's thread while running.
  struct Share {
    const ScenarioLoad* load = nullptr;
    int scenario_index = 0;
    stats::Recorder recorder;            // measured window only
    std::vector<RequestRecord> records;  // every iteration, warm-up included, in start order
    std::uint64_t iterations = 0;
    std::vector<std::unique_ptr<Vu>> vus;  // open loop: created on demand up to the bound
    std::vector<Vu*> idle;
    std::deque<Due> waiting;  // due iterations waiting for a VU (max_start_delay)
  };

  // Declared first so that it is destroyed last: the shares' sockets need it. Its sockets and
  // timers are only ever touched from its own thread (or after that thread has ended), so
  // Asio's per-socket locks can go (UNSAFE_IO); its queue stays locked, since Snapshot() and
  // Finish() reach it from the control thread.
  std::unique_ptr<asio::io_context> context =
      std::make_unique<asio::io_context>(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO);
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::vector<std::unique_ptr<Share>> shares;
  int index = 0;
  int threads = 1;
  const LoadOptions* options = nullptr;
  const std::atomic<bool>* stop = nullptr;
  Clock::time_point start;
  Clock::time_point measured_from;    // start + warm-up: iterations intended earlier are warm-up
  int running_tasks = 0;              // this thread only
  std::atomic<bool> finished{false};  // every task done; read by the control thread
  std::thread thread;

  bool Stopping() const { return stop->load(std::memory_order_relaxed); }
  std::uint64_t NextIteration(Share& s) { return s.iterations++ * threads + index; }

  // An iteration is sent: its record opens as kCut, which End() overwrites. One still open
  // when the worker stops was cut, so Finish() has nothing to mark. Returns its index (the
  // vector may grow while the request is in flight, so no reference is kept).
  std::size_t Begin(Share& s, std::uint64_t iteration, Clock::time_point intended,
                    Clock::time_point sent) {
    const bool warmup = intended < measured_from;
    s.records.push_back(RequestRecord{.iteration = iteration,
                                      .intended = intended - start,
                                      .sent = sent - start,
                                      .fate = RequestFate::kCut,
                                      .error = std::nullopt,
                                      .warmup = warmup});
    if (!warmup) s.recorder.RecordStarted();
    return s.records.size() - 1;
  }

  // Its answer or failure: into its record and (measured window only) the recorder. A failure
  // enters the latency at the time it failed, as k6 counts it.
  void End(Share& s, std::size_t index, const HttpOutcome& outcome, Clock::time_point intended,
           Clock::time_point sent, Clock::time_point done) {
    RequestRecord& record = s.records[index];
    record.ended = done - start;
    record.status = outcome.status;
    if (outcome.transport_error) {
      record.fate = RequestFate::kFailed;
      record.error = outcome.transport_error;
    } else {
      record.fate = RequestFate::kAnswered;
      if (s.load->check) record.error = s.load->check(HttpAnswer{outcome.status, outcome.body});
    }
    if (record.warmup) return;
    const std::int64_t corrected = (done - intended).count();
    const std::int64_t uncorrected = (done - sent).count();
    if (outcome.transport_error) {
      s.recorder.RecordFailure(*outcome.transport_error, corrected, uncorrected);
      return;
    }
    s.recorder.RecordResponse(corrected, uncorrected);
    if (record.error) s.recorder.RecordError(*record.error);
  }

  // Due, but never started: a record and (measured window only) a dropped count.
  void Drop(Share& s, const Due& due) {
    const bool warmup = due.at < measured_from;
    s.records.push_back(RequestRecord{.iteration = due.iteration,
                                      .intended = due.at - start,
                                      .fate = RequestFate::kDropped,
                                      .error = std::nullopt,
                                      .warmup = warmup});
    if (!warmup) s.recorder.RecordDropped();
  }

  void TaskStarted() { ++running_tasks; }
  void TaskEnded() {
    if (--running_tasks == 0) finished.store(true, std::memory_order_release);
  }

  asio::awaitable<void> ClosedLoopVu(Share& s, int vu_index) {
    const ConstantVus& plan = std::get<ConstantVus>(s.load->executor);
    asio::any_io_executor ex = co_await asio::this_coro::executor;
    Vu vu(ex, *s.load, options->seed * 1'000'003 + s.scenario_index * 10'007 + vu_index);
    asio::steady_timer timer(ex);
    const Clock::time_point end = start + plan.duration;
    co_await Sleep(timer, start);
    while (Clock::now() < end && !Stopping()) {
      const std::uint64_t iteration = NextIteration(s);
      HttpRequestSpec request = s.load->make_request(vu.rng, iteration);
      SetRequestId(request, s.load->request_id_prefix, iteration);
      const Clock::time_point sent = Clock::now();
      const std::size_t record = Begin(s, iteration, sent, sent);  // closed loop: intended = sent
      HttpOutcome outcome = co_await vu.connection.Send(request, s.load->request_timeout);
      End(s, record, outcome, sent, sent, Clock::now());
      if (plan.think_time > Duration::zero()) {
        co_await Sleep(timer, std::min(Clock::now() + plan.think_time, end));
      }
    }
    TaskEnded();
  }

  Vu* TakeVu(Share& s, const ArrivalRate& plan, int worker_max_vus) {
    if (!s.idle.empty()) {
      Vu* vu = s.idle.back();
      s.idle.pop_back();
      return vu;
    }
    if (static_cast<int>(s.vus.size()) >= worker_max_vus) return nullptr;
    std::uint64_t seed =
        options->seed * 1'000'003 + s.scenario_index * 10'007 + s.vus.size() * threads + index;
    s.vus.push_back(std::make_unique<Vu>(context->get_executor(), *s.load, seed));
    (void)plan;
    return s.vus.back().get();
  }

  // Runs the iteration `due` on `vu`, then any that queued meanwhile, then idles.
  asio::awaitable<void> OpenLoopIterations(Share& s, Vu* vu, Due due) {
    const ArrivalRate& plan = std::get<ArrivalRate>(s.load->executor);
    for (;;) {
      HttpRequestSpec request = s.load->make_request(vu->rng, due.iteration);
      SetRequestId(request, s.load->request_id_prefix, due.iteration);
      const Clock::time_point sent = Clock::now();
      const std::size_t record = Begin(s, due.iteration, due.at, sent);
      HttpOutcome outcome = co_await vu->connection.Send(request, s.load->request_timeout);
      End(s, record, outcome, due.at, sent, Clock::now());
      std::optional<Due> next;
      while (!s.waiting.empty() && !Stopping()) {
        Due waited = s.waiting.front();
        s.waiting.pop_front();
        if (Clock::now() - waited.at <= plan.max_start_delay) {
          next = waited;
          break;
        }
        Drop(s, waited);
      }
      if (!next) break;
      due = *next;
    }
    s.idle.push_back(vu);
    TaskEnded();
  }

  asio::awaitable<void> ArrivalScheduler(Share& s) {
    const ArrivalRate& plan = std::get<ArrivalRate>(s.load->executor);
    const int worker_max_vus = std::max(1, (plan.max_vus + threads - 1 - index) / threads);
    ArrivalSchedule schedule(plan);
    s.records.reserve(schedule.ScheduledIterations() / static_cast<std::uint64_t>(threads) + 1);
    asio::any_io_executor ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    // Asio re-arms its one timerfd (a syscall) whenever the earliest pending timer changes:
    // when `timer` fires, and again when it is armed for the next due time, and again when a
    // request's I/O timeout happens to be the earliest in between. A no-op wait on the
    // following due time, armed before sleeping on this one, keeps the next due time the
    // earliest throughout: one timerfd_settime per iteration instead of three. Two of them
    // take turns, so that neither is ever cancelled (a cancelled earliest timer re-arms too).
    std::array<asio::steady_timer, 2> lookahead{asio::steady_timer(ex), asio::steady_timer(ex)};
    const auto stride = static_cast<std::uint64_t>(threads);
    // This worker takes every threads-th iteration of the one schedule.
    std::optional<Duration> offset = schedule.OffsetOf(static_cast<std::uint64_t>(index));
    for (std::uint64_t i = static_cast<std::uint64_t>(index), k = 0;; i += stride, ++k) {
      if (!offset || Stopping()) break;
      const Clock::time_point at = start + *offset;
      offset = schedule.OffsetOf(i + stride);
      if (offset) {
        asio::steady_timer& next = lookahead[k % 2];
        next.expires_at(start + *offset - plan.wake_ahead);
        next.async_wait([](const boost::system::error_code&) {});
      }
      co_await WakeAt(timer, at, plan.wake_ahead);
      if (Stopping()) break;
      // Every due iteration takes its number here, dropped or not, in schedule order: this
      // worker's k-th is k * threads + index, which is `i`, the schedule's own index.
      const Due due{at, NextIteration(s)};
      if (Vu* vu = TakeVu(s, plan, worker_max_vus)) {
        TaskStarted();
        asio::co_spawn(*context, OpenLoopIterations(s, vu, due), asio::detached);
      } else if (plan.max_start_delay > Duration::zero()) {
        s.waiting.push_back(due);
      } else {
        Drop(s, due);
      }
    }
    TaskEnded();
  }

  void Launch() {
    guard.emplace(context->get_executor());
    TaskStarted();  // held until every task is spawned, so `finished` cannot fire early
    for (auto& share : shares) {
      Share& s = *share;
      if (const auto* vus = std::get_if<ConstantVus>(&s.load->executor)) {
        for (int vu = index; vu < vus->vus; vu += threads) {
          TaskStarted();
          asio::co_spawn(*context, ClosedLoopVu(s, vu), asio::detached);
        }
      } else {
        TaskStarted();
        asio::co_spawn(*context, ArrivalScheduler(s), asio::detached);
      }
    }
    asio::post(*context, [this] { TaskEnded(); });
    thread = std::thread([this] { context->run(); });
  }

  // A copy of this worker's recorders, taken on its own thread (no lock on the hot path).
  std::vector<stats::Recorder> Snapshot() {
    std::promise<std::vector<stats::Recorder>> promise;
    std::future<std::vector<stats::Recorder>> copy = promise.get_future();
    asio::post(*context, [this, &promise] {
      std::vector<stats::Recorder> recorders;
      for (auto& s : shares) recorders.push_back(s->recorder);
      promise.set_value(std::move(recorders));
    });
    return copy.get();
  }

  void Finish() {
    guard.reset();
    context->stop();
    if (thread.joinable()) thread.join();
    // Iterations still waiting for a VU never started: dropped, not forgotten. Those started
    // and still in flight keep their kCut records.
    for (auto& s : shares) {
      for (const Due& due : s->waiting) Drop(*s, due);
      s->waiting.clear();
      s->idle.clear();
      s->vus.clear();  // sockets closed while the io_context still exists
    }
  }
};

LoadRun::LoadRun(std::vector<ScenarioLoad> scenarios, LoadOptions options)
    : scenarios_(std::move(scenarios)), options_(options) {
  if (options_.threads < 1) options_.threads = 1;
  // Every worker takes its share of an open loop's iterations on connections of its own, so
  // fewer VUs than workers would open more connections than max_vus allows.
  for (const ScenarioLoad& s : scenarios_) {
    const auto* plan = std::get_if<ArrivalRate>(&s.executor);
    if (plan != nullptr && plan->max_vus < options_.threads) {
      throw std::invalid_argument(s.name + ": max_vus " + std::to_string(plan->max_vus) +
                                  " is below the " + std::to_string(options_.threads) +
                                  " load threads (each thread needs a connection of its own)");
    }
  }
}

LoadRun::~LoadRun() = default;

void LoadRun::Stop() { stop_requested_.store(true, std::memory_order_relaxed); }

LoadResult LoadRun::Run(const ProgressHook& progress) {
  Duration planned{0};
  for (const ScenarioLoad& s : scenarios_) planned = std::max(planned, PlannedDuration(s.executor));
  const double cpu_before = ProcessCpuSeconds();
  // A common start a little ahead, so that every worker's schedule begins at the same instant.
  // The system clock is read between two steady reads and paired with their midpoint, so that
  // start_unix_ns is `start` to within half that gap (records are joined to the services' logs
  // by wall-clock time).
  const Clock::time_point steady_before = Clock::now();
  const std::chrono::system_clock::time_point system_now = std::chrono::system_clock::now();
  const Clock::time_point steady_after = Clock::now();
  constexpr Duration kLead = 20ms;
  const Clock::time_point start = steady_before + (steady_after - steady_before) / 2 + kLead;
  const std::int64_t start_unix_ns =
      std::chrono::duration_cast<Duration>(system_now.time_since_epoch() + kLead).count();
  const Clock::time_point hard_end = start + planned + options_.graceful_stop;

  std::vector<std::unique_ptr<Worker>> workers;
  for (int w = 0; w < options_.threads; ++w) {
    auto worker = std::make_unique<Worker>();
    worker->index = w;
    worker->threads = options_.threads;
    worker->options = &options_;
    worker->stop = &stop_requested_;
    worker->start = start;
    worker->measured_from = start + options_.warmup;
    for (std::size_t i = 0; i < scenarios_.size(); ++i) {
      auto share = std::make_unique<Worker::Share>();
      share->load = &scenarios_[i];
      share->scenario_index = static_cast<int>(i);
      worker->shares.push_back(std::move(share));
    }
    worker->Launch();
    workers.push_back(std::move(worker));
  }

  auto all_finished = [&] {
    for (auto& w : workers) {
      if (!w->finished.load(std::memory_order_acquire)) return false;
    }
    return true;
  };
  Clock::time_point next_progress = start + options_.progress_interval;
  Clock::time_point stop_deadline = Clock::time_point::max();
  std::uint64_t completed_before = 0;
  std::uint64_t offered_before = 0;
  bool stopped_early = false;
  while (!all_finished() && Clock::now() < hard_end && Clock::now() < stop_deadline) {
    std::this_thread::sleep_for(10ms);
    if (stop_requested_.load() && stop_deadline == Clock::time_point::max()) {
      stopped_early = true;
      stop_deadline = Clock::now() + kStopGrace;
    }
    if (progress && Clock::now() >= next_progress) {
      ProgressSnapshot snapshot;
      snapshot.elapsed = Clock::now() - start;
      snapshot.total = planned;
      snapshot.start_unix_ns = start_unix_ns;
      for (std::size_t i = 0; i < scenarios_.size(); ++i)
        snapshot.scenarios.push_back({scenarios_[i].name, {}});
      for (auto& w : workers) {
        std::vector<stats::Recorder> copies = w->Snapshot();
        for (std::size_t i = 0; i < copies.size(); ++i)
          snapshot.scenarios[i].recorder.Merge(copies[i]);
      }
      stats::LatencyHistogram all;
      std::uint64_t offered = 0;
      for (const ScenarioProgress& s : snapshot.scenarios) {
        offered += s.recorder.Started() + s.recorder.Dropped();
        snapshot.completed += s.recorder.Completed();
        snapshot.errors += s.recorder.Errors().Total();
        snapshot.dropped += s.recorder.Dropped();
        all.Merge(s.recorder.Corrected());
      }
      snapshot.p95_ns = all.Percentile(95);
      snapshot.p50_ns = all.Percentile(50);
      snapshot.p99_ns = all.Percentile(99);
      double interval_s = std::chrono::duration<double>(options_.progress_interval).count();
      snapshot.requests_per_second =
          static_cast<double>(snapshot.completed - completed_before) / interval_s;
      completed_before = snapshot.completed;
      snapshot.offered_per_second = static_cast<double>(offered - offered_before) / interval_s;
      offered_before = offered;
      progress(snapshot);
      next_progress += options_.progress_interval;
    }
  }

  LoadResult result;
  result.stopped_early = stopped_early;
  result.start = start;
  result.start_unix_ns = start_unix_ns;
  for (auto& w : workers) w->Finish();
  result.elapsed = Clock::now() - start;
  result.client_cpu_s = ProcessCpuSeconds() - cpu_before;
  for (std::size_t i = 0; i < scenarios_.size(); ++i) {
    ScenarioRecording r;
    r.name = scenarios_[i].name;
    std::size_t records = 0;
    for (auto& w : workers) records += w->shares[i]->records.size();
    r.requests.reserve(records);
    for (auto& w : workers) {
      Worker::Share& share = *w->shares[i];
      r.recorder.Merge(share.recorder);
      r.requests.insert(r.requests.end(), std::make_move_iterator(share.records.begin()),
                        std::make_move_iterator(share.records.end()));
      share.records = {};
    }
    std::sort(r.requests.begin(), r.requests.end(),
              [](const RequestRecord& a, const RequestRecord& b) {
                return std::tie(a.intended, a.iteration) < std::tie(b.intended, b.iteration);
              });
    for (const RequestRecord& record : r.requests) {
      r.interrupted += record.fate == RequestFate::kCut && !record.warmup;
    }
    if (const auto* plan = std::get_if<ArrivalRate>(&scenarios_[i].executor)) {
      r.open_loop = true;
      // From the schedule, not from what ran: the same for every run of this plan and seed,
      // however slow the service (what could not start is dropped, and still counted here).
      r.scheduled = ArrivalSchedule(*plan).ScheduledFrom(options_.warmup);
    } else {
      r.scheduled = r.recorder.Started();
    }
    result.scenarios.push_back(std::move(r));
  }
  return result;
}

}  // namespace flowbench::load
