// The click consumer's buffer on the event loop: each click handler adds its row and waits
// until the batch holding it is committed, so its message is acked only then (a crash before
// the commit redelivers every click of the batch; the INSERT skips message_ids it already
// has). A batch is written at `max_rows` rows or after `max_wait`, whichever comes first
// (ClickBatcher).
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include "asynchronous/runtime/click_batcher.hpp"
#include "asynchronous/runtime/net.hpp"
#include "common/scenarios/stores.hpp"

namespace flowbench::async {

class ClickBuffer {
 public:
  using Writer = std::function<Task<void>(std::vector<ClickRow> rows)>;

  ClickBuffer(net::io_context& io, std::size_t max_rows, std::chrono::milliseconds max_wait,
              Writer write);

  // Returns once the row's batch is committed; throws what the write threw.
  Task<void> Add(ClickRow row);

 private:
  struct Batch {
    explicit Batch(net::io_context& io) : written(io, net::steady_timer::time_point::max()) {}
    net::steady_timer written;  // cancelled when the batch is committed (or failed)
    bool finished = false;
    std::exception_ptr error;
  };

  Task<void> FlushWhenDue(std::shared_ptr<Batch> batch, net::steady_timer::time_point deadline);
  Task<void> Flush();

  net::io_context& io_;
  ClickBatcher<ClickRow> batcher_;
  Writer write_;
  std::shared_ptr<Batch> current_;
};

}  // namespace flowbench::async
