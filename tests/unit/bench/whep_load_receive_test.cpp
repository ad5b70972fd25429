#include <gtest/gtest.h>

#include <vector>

#include "bench/whep_load_receive.hpp"

namespace vela::bench {
namespace {

TEST(WhepLoadReceive, ExtendsSequenceNumbersAcrossTheWrap) {
  EXPECT_EQ(extend_sequence(5, 0x1FFF0), 0x20005);
  EXPECT_EQ(extend_sequence(0xFFF0, 0x20005), 0x1FFF0);
  EXPECT_EQ(extend_sequence(100, 0x10050), 0x10064);
}

TEST(WhepLoadReceive, CountsGapsAndLossAcrossTheWrap) {
  StreamReceiveCounter c(90000);
  int64_t t = 0;
  for (uint16_t s : std::vector<uint16_t>{65533, 65534, 65535, 1, 2, 5}) c.on_packet(s, 0, t += 1000);
  EXPECT_EQ(c.expected(), 9u);  // 65533 .. 5
  EXPECT_EQ(c.received(), 6u);
  EXPECT_EQ(c.gaps(), 3u);      // 0, 3, 4
  EXPECT_EQ(c.lost(), 3u);
  c.on_recovered();
  c.on_recovered();
  EXPECT_EQ(c.lost(), 1u);
  c.on_packet(0, 0, t += 1000);  // late original: not a new gap
  EXPECT_EQ(c.gaps(), 3u);
  EXPECT_EQ(c.lost(), 0u);
}

TEST(WhepLoadReceive, ReportBlockCountsIntervalLossOnce) {
  StreamReceiveCounter c(90000);
  for (uint16_t s = 0; s < 100; ++s) {
    if (s % 4 != 1) c.on_packet(s, s * 3000u, s * 33'333);
  }
  auto first = c.make_report_block(7);
  EXPECT_EQ(first.ssrc, 7u);
  EXPECT_EQ(first.cumulative_lost, 25);
  EXPECT_EQ(first.fraction_lost, 64);  // 25/100 of 256
  EXPECT_EQ(first.highest_sequence, 99u);
  for (uint16_t s = 100; s < 200; ++s) c.on_packet(s, s * 3000u, s * 33'333);
  auto second = c.make_report_block(7);
  EXPECT_EQ(second.fraction_lost, 0);
  EXPECT_EQ(second.cumulative_lost, 25);
  EXPECT_EQ(second.highest_sequence, 199u);
}

TEST(WhepLoadReceive, JitterGrowsOnlyWithUnevenArrival) {
  StreamReceiveCounter even(90000);
  for (uint32_t i = 0; i < 50; ++i) even.on_packet(static_cast<uint16_t>(i), i * 3000, i * 33'333);
  EXPECT_LE(even.jitter(), 2u);
  StreamReceiveCounter uneven(90000);
  for (uint32_t i = 0; i < 50; ++i)
    uneven.on_packet(static_cast<uint16_t>(i), i * 3000, i * 33'333 + (i % 2 ? 20'000 : 0));
  EXPECT_GT(uneven.jitter(), 500u);  // 20 ms is 1800 RTP units
}

TEST(WhepLoadReceive, DetectsH264KeyframeStarts) {
  const std::vector<uint8_t> idr{0x65, 0x88};
  const std::vector<uint8_t> sps{0x67, 0x42};
  const std::vector<uint8_t> slice{0x41, 0x9A};
  const std::vector<uint8_t> stap_sps{0x18, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE};
  const std::vector<uint8_t> stap_sei{0x18, 0x00, 0x02, 0x06, 0x05};
  const std::vector<uint8_t> fu_idr_start{0x7C, 0x85, 0x00};
  const std::vector<uint8_t> fu_idr_middle{0x7C, 0x05, 0x00};
  const std::vector<uint8_t> fu_slice_start{0x7C, 0x81, 0x00};
  const std::vector<uint8_t> stap_truncated{0x18, 0x00, 0x09, 0x67};
  EXPECT_TRUE(h264_starts_keyframe(idr));
  EXPECT_TRUE(h264_starts_keyframe(sps));
  EXPECT_FALSE(h264_starts_keyframe(slice));
  EXPECT_TRUE(h264_starts_keyframe(stap_sps));
  EXPECT_FALSE(h264_starts_keyframe(stap_sei));
  EXPECT_TRUE(h264_starts_keyframe(fu_idr_start));
  EXPECT_FALSE(h264_starts_keyframe(fu_idr_middle));
  EXPECT_FALSE(h264_starts_keyframe(fu_slice_start));
  EXPECT_FALSE(h264_starts_keyframe(stap_truncated));
  EXPECT_FALSE(h264_starts_keyframe({}));
}

TEST(WhepLoadReceive, FirstFrameIsTheFirstCompletedAfterAKeyframe) {
  FrameCounter f;
  EXPECT_FALSE(f.on_packet(true, false));  // a delta frame before any keyframe
  EXPECT_FALSE(f.on_packet(false, true));  // keyframe, first packet
  EXPECT_FALSE(f.on_packet(false, true));  // same keyframe (SPS then IDR)
  EXPECT_TRUE(f.on_packet(true, false));   // its last packet
  EXPECT_FALSE(f.on_packet(true, false));
  EXPECT_EQ(f.frames(), 3u);
  EXPECT_EQ(f.keyframes(), 1u);
  EXPECT_TRUE(f.first_frame_done());
}

}  // namespace
}  // namespace vela::bench
