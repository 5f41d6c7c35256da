#include "asynchronous/runtime/ack_window.hpp"

#include <algorithm>
#include <limits>

namespace flowbench::async {

void AckWindow::Delivered(std::uint64_t tag) { outstanding_.push_back({tag, false}); }

void AckWindow::Acked(std::uint64_t tag) {
  Settle(tag);
  acked_.push_back(tag);
}

void AckWindow::Rejected(std::uint64_t tag) { Settle(tag); }

void AckWindow::Settle(std::uint64_t tag) {
  auto it = std::lower_bound(outstanding_.begin(), outstanding_.end(), tag,
                             [](const Entry& e, std::uint64_t t) { return e.tag < t; });
  if (it != outstanding_.end() && it->tag == tag) it->settled = true;
  while (!outstanding_.empty() && outstanding_.front().settled) outstanding_.pop_front();
}

AckWindow::Frames AckWindow::TakeAcks() {
  // Every delivery below the oldest unsettled one is settled: acked now, or acked or
  // rejected before. A multiple ack up to the highest of those acks them and nothing else.
  const std::uint64_t oldest_unsettled =
      outstanding_.empty() ? std::numeric_limits<std::uint64_t>::max() : outstanding_.front().tag;
  Frames frames;
  for (std::uint64_t tag : acked_) {
    if (tag < oldest_unsettled) {
      frames.multiple_up_to = std::max(frames.multiple_up_to.value_or(0), tag);
    } else {
      frames.single.push_back(tag);
    }
  }
  acked_.clear();
  return frames;
}

}  // namespace flowbench::async
