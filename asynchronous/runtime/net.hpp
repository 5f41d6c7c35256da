// The Asio vocabulary of the async build (C++20 coroutines on one io_context thread), and the
// two bridges from the event loop to blocking work: RunOn (a thread pool does the work, the
// coroutine resumes on its own executor) and OneShotEvent (another thread completes it).
// Asio is compiled once, in asio_impl.cpp (BOOST_ASIO_SEPARATE_COMPILATION).
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/domain/errors.hpp"

namespace flowbench::async {

namespace net = boost::asio;
template <typename T = void>
using Task = net::awaitable<T>;

// Runs the blocking `work()` on `pool` and resumes the calling coroutine on its own executor
// with the result (or the exception). The event loop never blocks on it. The result type
// must be default-constructible (co_spawn's completion carries one even on an exception).
//
// Not a coroutine itself, on purpose. GCC 12 destroys some temporaries of a full-expression
// that contains co_await twice (double frees seen here with a temporary event passed to a
// coroutine, and with a lambda capturing strings). Rule for the whole async build: in a
// co_await expression, no temporary that owns memory: name the event and the origin first,
// and let Transact/Compute lambdas capture by reference (the coroutine frame keeps the
// referenced locals alive across the wait).
template <typename Work>
auto RunOn(net::thread_pool& pool, Work work) -> Task<std::invoke_result_t<Work&>> {
  using Result = std::invoke_result_t<Work&>;
  return net::co_spawn(
      pool.get_executor(), [work = std::move(work)]() mutable -> Task<Result> { co_return work(); },
      net::use_awaitable);
}

// RunOn, when `work` starts on `pool` within `start_within`; otherwise ServiceUnavailable(busy)
// and `work` never runs. Once started, it is waited for to the end. (A pool whose threads are
// all busy queues work without limit: this is the bound on that queue.)
template <typename Work>
auto RunOnWithin(net::thread_pool& pool, std::chrono::milliseconds start_within, std::string busy,
                 Work work) -> Task<std::invoke_result_t<Work&>> {
  using Result = std::invoke_result_t<Work&>;
  using Value = std::conditional_t<std::is_void_v<Result>, std::monostate, Result>;
  struct State {
    explicit State(const net::any_io_executor& executor) : timer(executor) {}
    net::steady_timer timer;     // the start bound, then "until done"; cancelled by done
    std::atomic<int> phase{0};   // 0 queued, 1 started, 2 given up
    std::optional<Value> value;  // written by the pool thread, read after `done`
    std::exception_ptr error;
    bool done = false;  // event-loop thread only
  };
  auto state = std::make_shared<State>(co_await net::this_coro::executor);
  // The pool thread hands its reference back to the event loop with the result, so the state
  // (and an exception in it) is always freed on the loop's thread, the one that reads it:
  // an exception_ptr's count lives in the uninstrumented C++ runtime, where ThreadSanitizer
  // cannot see that a free on the pool thread came after the loop's last read.
  net::post(pool, [state, work = std::move(work)]() mutable {
    auto loop = state->timer.get_executor();
    int queued = 0;
    if (!state->phase.compare_exchange_strong(queued, 1)) {  // given up on
      net::post(loop, [state = std::move(state)] {});
      return;
    }
    try {
      if constexpr (std::is_void_v<Result>) {
        work();
        state->value.emplace();
      } else {
        state->value.emplace(work());
      }
    } catch (...) {
      state->error = std::current_exception();
    }
    net::post(loop, [state = std::move(state)] {
      state->done = true;
      state->timer.cancel();
    });
  });
  boost::system::error_code ignored;  // expired, or cancelled by done
  state->timer.expires_after(start_within);
  co_await state->timer.async_wait(net::redirect_error(net::use_awaitable, ignored));
  if (!state->done) {
    int queued = 0;
    if (state->phase.compare_exchange_strong(queued, 2)) throw ServiceUnavailable(busy);
    state->timer.expires_at(net::steady_timer::time_point::max());  // started: to the end
    co_await state->timer.async_wait(net::redirect_error(net::use_awaitable, ignored));
  }
  if (state->error) std::rethrow_exception(state->error);
  if constexpr (!std::is_void_v<Result>) co_return std::move(*state->value);
}

// A waiting step of the simulated work: a timer, never a sleeping thread.
inline Task<void> Wait(std::chrono::milliseconds duration) {
  net::steady_timer timer(co_await net::this_coro::executor, duration);
  co_await timer.async_wait(net::use_awaitable);
}

// Completed once, from any thread; awaited (with a deadline) by one coroutine on the
// io_context. Set() posts to the io_context, so the waiter sees the value on its own thread.
template <typename Value>
class OneShotEvent : public std::enable_shared_from_this<OneShotEvent<Value>> {
 public:
  explicit OneShotEvent(net::io_context& io) : io_(io), timer_(io) {}

  void Set(Value value) {
    net::post(io_, [self = this->shared_from_this(), value = std::move(value)]() mutable {
      if (self->value_) return;
      self->value_ = std::move(value);
      self->timer_.cancel();
    });
  }

  // The value, or nullopt when `timeout` passed first.
  Task<std::optional<Value>> WaitFor(std::chrono::milliseconds timeout) {
    auto keep_alive = this->shared_from_this();
    if (!value_) {
      timer_.expires_after(timeout);
      boost::system::error_code ignored;  // cancelled by Set(), or expired
      co_await timer_.async_wait(net::redirect_error(net::use_awaitable, ignored));
    }
    co_return value_;
  }

 private:
  net::io_context& io_;
  net::steady_timer timer_;
  std::optional<Value> value_;
};

}  // namespace flowbench::async
