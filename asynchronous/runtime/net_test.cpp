// RunOnWithin: blocking work handed to a thread pool that is all busy is given up on once it
// has not started within its bound (a 503, not an unbounded wait in the pool's queue), and
// then never runs; work that started is waited for to the end.
#include "asynchronous/runtime/net.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "common/domain/errors.hpp"

namespace flowbench::async {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TEST(RunOnWithin, WorkThatCannotStartInTimeIsServiceUnavailableAndNeverRuns) {
  net::io_context io;
  net::thread_pool pool(1);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  net::post(pool, [released] { released.wait(); });  // the only thread is busy
  std::atomic<bool> ran{false};
  std::string result;
  Clock::duration waited{};
  net::co_spawn(
      io,
      [&]() -> Task<void> {
        auto started = Clock::now();
        try {
          co_await RunOnWithin(pool, milliseconds(100), "database busy", [&ran] {
            ran = true;
            return 1;
          });
          result = "ran";
        } catch (const ServiceUnavailable& e) {
          result = e.what();
        }
        waited = Clock::now() - started;
      },
      net::detached);
  std::thread loop([&io] { io.run_for(std::chrono::seconds(3)); });
  loop.join();
  release.set_value();
  pool.join();
  EXPECT_EQ(result, "database busy");
  EXPECT_LT(waited, milliseconds(1000));
  EXPECT_FALSE(ran);  // given up on: it must not run behind the caller's back
}

TEST(RunOnWithin, WorkThatStartedIsWaitedForAndItsResultOrErrorReturned) {
  net::io_context io;
  net::thread_pool pool(1);
  int value = 0;
  std::string error;
  net::co_spawn(
      io,
      [&]() -> Task<void> {
        value = co_await RunOnWithin(pool, milliseconds(50), "busy", [] {
          std::this_thread::sleep_for(milliseconds(200));  // longer than the start bound
          return 42;
        });
        try {
          co_await RunOnWithin(pool, milliseconds(50), "busy",
                               []() -> int { throw std::runtime_error("boom"); });
        } catch (const std::runtime_error& e) {
          error = e.what();
        }
        co_await RunOnWithin(pool, milliseconds(50), "busy", [] {});
      },
      net::detached);
  io.run();
  pool.join();
  EXPECT_EQ(value, 42);
  EXPECT_EQ(error, "boom");
}

}  // namespace
}  // namespace flowbench::async
