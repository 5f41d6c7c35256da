// Which acknowledgements a consumer sends for the deliveries its handlers settled: one
// `multiple` basic.ack for every acked delivery below the oldest one still being handled,
// and single acks for those above it. A click batch of hundreds of messages, committed at
// once, is then one frame (and one write) instead of hundreds. Every message is still acked
// only after its own handler finished (CONTRACT.md §7): a multiple ack up to tag T is sent
// only when every delivery up to T has been settled.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace flowbench::async {

class AckWindow {
 public:
  // A delivery of this connection; tags increase (one channel).
  void Delivered(std::uint64_t tag);
  // Its handler finished: to be acked (by the next TakeAcks()), or rejected (sent already).
  void Acked(std::uint64_t tag);
  void Rejected(std::uint64_t tag);

  struct Frames {
    std::optional<std::uint64_t> multiple_up_to;  // basic.ack multiple=true
    std::vector<std::uint64_t> single;            // basic.ack multiple=false, each
  };
  // The frames acking everything Acked() since the last call, in as few frames as allowed.
  Frames TakeAcks();

 private:
  struct Entry {
    std::uint64_t tag;
    bool settled;
  };
  void Settle(std::uint64_t tag);

  std::deque<Entry> outstanding_;  // delivered, oldest first, until settled at the front
  std::vector<std::uint64_t> acked_;
};

}  // namespace flowbench::async
