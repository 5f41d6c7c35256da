// The click consumer's batching policy: a batch is written when it holds `max_rows` clicks or
// its first click has waited `max_wait`, whichever comes first. Pure (time is passed in), so
// the policy is unit-tested; ClickBuffer puts it on the event loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace flowbench::async {

template <typename Row>
class ClickBatcher {
 public:
  using Clock = std::chrono::steady_clock;

  ClickBatcher(std::size_t max_rows, std::chrono::milliseconds max_wait)
      : max_rows_(max_rows < 1 ? 1 : max_rows), max_wait_(max_wait) {}

  // Adds a row; true when the batch is now full and should be written at once.
  bool Add(Row row, Clock::time_point now) {
    if (rows_.empty()) first_at_ = now;
    rows_.push_back(std::move(row));
    return rows_.size() >= max_rows_;
  }

  // When the current batch must be written at the latest (nullopt: it is empty).
  std::optional<Clock::time_point> Deadline() const {
    if (rows_.empty()) return std::nullopt;
    return first_at_ + max_wait_;
  }

  bool Due(Clock::time_point now) const {
    return !rows_.empty() && (rows_.size() >= max_rows_ || now >= first_at_ + max_wait_);
  }

  // Hands the batch over and starts an empty one.
  std::vector<Row> Take() {
    std::vector<Row> batch;
    batch.swap(rows_);
    return batch;
  }

  std::size_t size() const { return rows_.size(); }

 private:
  std::size_t max_rows_;
  std::chrono::milliseconds max_wait_;
  std::vector<Row> rows_;
  Clock::time_point first_at_{};
};

}  // namespace flowbench::async
