#include "transcode/gop_drop_queue.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vela::transcode {
namespace {

struct Item {
  media::FramePtr frame;
  bool after_gap = false;
};

Item frame(int64_t dts, bool keyframe) {
  auto f = std::make_shared<media::MediaFrame>();
  f->dts = dts;
  f->keyframe = keyframe;
  return {f, false};
}

// "K1 p2 p3*": the queue's frames by dts, K for a keyframe, * after a gap.
std::string drain(GopDropQueue<Item>& queue) {
  std::string out;
  while (auto item = queue.pop()) {
    if (!out.empty()) out += ' ';
    out += (item->frame->keyframe ? "K" : "p") + std::to_string(item->frame->dts) + (item->after_gap ? "*" : "");
  }
  return out;
}

TEST(GopDropQueue, KeepsEverythingInOrderWhileThereIsRoom) {
  GopDropQueue<Item> queue(4);
  EXPECT_EQ(queue.push(frame(1, true)), 0u);
  EXPECT_EQ(queue.push(frame(2, false)), 0u);
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(drain(queue), "K1 p2");
  EXPECT_TRUE(queue.empty());
}

TEST(GopDropQueue, FullQueueDropsTheOldestUpToANewerKeyframe) {
  GopDropQueue<Item> queue(4);
  queue.push(frame(1, true));
  queue.push(frame(2, false));
  queue.push(frame(3, true));
  queue.push(frame(4, false));
  EXPECT_EQ(queue.push(frame(5, false)), 2u);  // K1 p2 go
  EXPECT_EQ(drain(queue), "K3* p4 p5");
}

TEST(GopDropQueue, AnArrivingKeyframeReplacesAFullQueueWithoutOne) {
  GopDropQueue<Item> queue(3);
  queue.push(frame(1, true));
  queue.push(frame(2, false));
  queue.push(frame(3, false));
  EXPECT_EQ(queue.push(frame(4, true)), 3u);
  EXPECT_EQ(drain(queue), "K4*");
}

TEST(GopDropQueue, ANonKeyframeIntoAFullQueueDropsTheRestOfItsGop) {
  GopDropQueue<Item> queue(3);
  queue.push(frame(1, true));
  queue.push(frame(2, false));
  queue.push(frame(3, false));
  EXPECT_EQ(queue.push(frame(4, false)), 1u);
  EXPECT_EQ(queue.pop()->frame->dts, 1);  // room again, but p5 still belongs to the broken GOP
  EXPECT_EQ(queue.push(frame(5, false)), 1u);
  EXPECT_EQ(queue.push(frame(6, true)), 0u);
  EXPECT_EQ(drain(queue), "p2 p3 K6*");
}

TEST(GopDropQueue, CapacityIsAtLeastTwo) {
  GopDropQueue<Item> queue(0);
  queue.push(frame(1, true));
  EXPECT_EQ(queue.push(frame(2, false)), 0u);
  EXPECT_EQ(queue.push(frame(3, false)), 1u);
  queue.clear();
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace vela::transcode
