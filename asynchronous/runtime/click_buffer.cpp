#include "asynchronous/runtime/click_buffer.hpp"

namespace flowbench::async {

ClickBuffer::ClickBuffer(net::io_context& io, std::size_t max_rows,
                         std::chrono::milliseconds max_wait, Writer write)
    : io_(io),
      batcher_(max_rows, max_wait),
      write_(std::move(write)),
      current_(std::make_shared<Batch>(io)) {}

Task<void> ClickBuffer::Add(ClickRow row) {
  std::shared_ptr<Batch> batch = current_;
  bool full = batcher_.Add(std::move(row), ClickBatcher<ClickRow>::Clock::now());
  if (full) {
    net::co_spawn(io_, Flush(), net::detached);
  } else if (batcher_.size() == 1) {
    net::co_spawn(io_, FlushWhenDue(batch, *batcher_.Deadline()), net::detached);
  }
  while (!batch->finished) {
    boost::system::error_code cancelled;
    co_await batch->written.async_wait(net::redirect_error(net::use_awaitable, cancelled));
  }
  if (batch->error) std::rethrow_exception(batch->error);
}

Task<void> ClickBuffer::FlushWhenDue(std::shared_ptr<Batch> batch,
                                     net::steady_timer::time_point deadline) {
  net::steady_timer timer(io_, deadline);
  co_await timer.async_wait(net::use_awaitable);
  if (current_ == batch) co_await Flush();  // not already written because it filled up
}

Task<void> ClickBuffer::Flush() {
  std::shared_ptr<Batch> batch = current_;
  std::vector<ClickRow> rows = batcher_.Take();
  current_ = std::make_shared<Batch>(io_);
  try {
    co_await write_(std::move(rows));
  } catch (...) {
    batch->error = std::current_exception();
  }
  batch->finished = true;
  batch->written.cancel();
}

}  // namespace flowbench::async
