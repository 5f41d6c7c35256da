#include "asynchronous/runtime/ack_window.hpp"

#include <gtest/gtest.h>

namespace flowbench::async {
namespace {

TEST(AckWindow, ABatchSettledInOrderIsOneMultipleAck) {
  AckWindow window;
  for (std::uint64_t tag = 1; tag <= 5; ++tag) window.Delivered(tag);
  for (std::uint64_t tag = 1; tag <= 5; ++tag) window.Acked(tag);
  AckWindow::Frames frames = window.TakeAcks();
  EXPECT_EQ(frames.multiple_up_to, 5u);
  EXPECT_TRUE(frames.single.empty());
}

TEST(AckWindow, NothingStillBeingHandledIsCoveredByAMultipleAck) {
  AckWindow window;
  for (std::uint64_t tag = 1; tag <= 6; ++tag) window.Delivered(tag);
  // 3 is still being handled: 1 and 2 go together, 4 and 6 alone.
  for (std::uint64_t tag : {6, 2, 1, 4}) window.Acked(tag);
  AckWindow::Frames frames = window.TakeAcks();
  EXPECT_EQ(frames.multiple_up_to, 2u);
  EXPECT_EQ(frames.single, (std::vector<std::uint64_t>{6, 4}));
  // Once 3 is done, a multiple ack up to 3 is safe: 1, 2, 4 and 6 are acked already and 5 is
  // still unsettled (so 5 is not covered: 3 < 5).
  window.Acked(3);
  frames = window.TakeAcks();
  EXPECT_EQ(frames.multiple_up_to, 3u);
  EXPECT_TRUE(frames.single.empty());
  window.Acked(5);
  EXPECT_EQ(window.TakeAcks().multiple_up_to, 5u);
}

TEST(AckWindow, ARejectedDeliveryNeitherBlocksNorIsAcked) {
  AckWindow window;
  for (std::uint64_t tag = 1; tag <= 4; ++tag) window.Delivered(tag);
  window.Rejected(2);  // sent as basic.reject before the acks
  window.Acked(1);
  window.Acked(3);
  AckWindow::Frames frames = window.TakeAcks();
  // 4 is unsettled: everything below it is settled, 2 by its reject (no longer unacked on the
  // broker, so the multiple ack does not touch it).
  EXPECT_EQ(frames.multiple_up_to, 3u);
  EXPECT_TRUE(frames.single.empty());
}

TEST(AckWindow, NoAcksNoFrames) {
  AckWindow window;
  window.Delivered(1);
  AckWindow::Frames frames = window.TakeAcks();
  EXPECT_FALSE(frames.multiple_up_to);
  EXPECT_TRUE(frames.single.empty());
}

}  // namespace
}  // namespace flowbench::async
