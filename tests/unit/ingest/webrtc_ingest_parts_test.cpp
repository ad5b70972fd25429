// The pieces of the WHIP media path: timestamp mapping, receiver-report statistics,
// transport-cc arrivals, and the H.264 track from in-band parameter sets.
#include <gtest/gtest.h>

#include <string>

#include "ingest/webrtc/h264_track_builder.hpp"
#include "ingest/webrtc/receive_statistics.hpp"
#include "ingest/webrtc/rtp_timeline.hpp"
#include "ingest/webrtc/twcc_recorder.hpp"

namespace vela::ingest {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(RtpTimeline, StartsAtTheFirstArrivalAndFollowsTheRtpClock) {
  RtpTimeline t(90'000, 90'000, 5'000'000);
  t.on_packet(1000, 100'000);  // 100 ms after the receiver's zero
  auto a = t.map(1000, 100'000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->dts, 9000);
  EXPECT_FALSE(a->discontinuity);
  auto b = t.map(4000, 140'000);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->dts, 12'000);
}

TEST(RtpTimeline, AnEarlierFirstFrameMovesTheAnchorBack) {
  RtpTimeline t(90'000, 90'000, 5'000'000);
  t.on_packet(7000, 0);  // overtook the frame at 4000
  auto a = t.map(4000, 10'000);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->dts, 0);
  EXPECT_EQ(t.map(7000, 40'000)->dts, 3000);
}

TEST(RtpTimeline, UnwrapsAndRescales) {
  RtpTimeline t(48'000, 48'000, 5'000'000);
  uint32_t ts = 0xFFFFFF00u;
  t.on_packet(ts, 0);
  for (int i = 0; i < 10; ++i) {
    auto p = t.map(ts, i * 20'000);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->dts, 960 * i);
    ts += 960;
  }
  // A clock rate other than the timescale is rescaled exactly.
  RtpTimeline r(8000, 48'000, 5'000'000);
  r.on_packet(0, 0);
  EXPECT_EQ(r.map(0, 0)->dts, 0);
  EXPECT_EQ(r.map(160, 20'000)->dts, 960);
}

TEST(RtpTimeline, RefusesBackwardStepsAndReanchorsJumps) {
  RtpTimeline t(90'000, 90'000, 5'000'000);
  t.on_packet(0, 0);
  EXPECT_EQ(t.map(0, 0)->dts, 0);
  EXPECT_EQ(t.map(3000, 33'000)->dts, 3000);
  EXPECT_FALSE(t.map(3000, 34'000));       // duplicate
  EXPECT_FALSE(t.map(1500, 35'000));       // late
  auto back = t.map(0x80000000u, 66'000);  // half the clock away
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->discontinuity);
  EXPECT_EQ(back->dts, 66'000 * 90 / 1000);
  auto next = t.map(0x80000000u + 3000, 100'000);
  ASSERT_TRUE(next);
  EXPECT_FALSE(next->discontinuity);
  EXPECT_EQ(next->dts, back->dts + 3000);
  // A sender that stalls its clock for 10 s is put back on the arrival timeline.
  auto stalled = t.map(0x80000000u + 6000, 10'100'000);
  ASSERT_TRUE(stalled);
  EXPECT_TRUE(stalled->discontinuity);
  EXPECT_EQ(stalled->dts, 10'100'000 * 90 / 1000);
}

TEST(ReceiveStatistics, ExtendedSequenceAcrossTheWrap) {
  ReceiveStatistics s(90'000);
  uint16_t seq = 65'530;
  for (int i = 0; i < 12; ++i) {
    if (i != 8) s.on_packet(seq, 0, i * 1000);
    ++seq;
  }
  auto block = s.report(7, 20'000);
  EXPECT_EQ(block.ssrc, 7u);
  EXPECT_EQ(block.highest_sequence, 0x10000u + 5);
  EXPECT_EQ(block.cumulative_lost, 1);
  EXPECT_EQ(block.fraction_lost, 256 / 12);
  EXPECT_EQ(s.lost(), 1u);
  // Nothing new lost in the next interval.
  s.on_packet(seq, 0, 30'000);
  EXPECT_EQ(s.report(7, 40'000).fraction_lost, 0);
}

TEST(ReceiveStatistics, ReorderedPacketsAreNotLoss) {
  ReceiveStatistics s(90'000);
  for (uint16_t seq : {10, 12, 11, 9, 13}) s.on_packet(seq, 0, 0);
  auto block = s.report(1, 0);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.highest_sequence, 13u);
}

TEST(ReceiveStatistics, AFarJumpIsBelievedOnlyWhenTheNextFollows) {
  ReceiveStatistics s(90'000);
  for (uint16_t seq = 100; seq < 110; ++seq) s.on_packet(seq, 0, 0);
  s.on_packet(30'000, 0, 0);  // stray: ignored
  s.on_packet(110, 0, 0);
  EXPECT_EQ(s.report(1, 0).highest_sequence, 110u);
  s.on_packet(50'000, 0, 0);  // restart...
  s.on_packet(50'001, 0, 0);  // ...confirmed
  auto block = s.report(1, 0);
  EXPECT_EQ(block.highest_sequence, 50'001u);
  EXPECT_EQ(block.cumulative_lost, 0);
}

TEST(ReceiveStatistics, JitterFollowsTransitChangesOnly) {
  ReceiveStatistics s(90'000);
  // Frames every 33.3 ms; three packets per frame back to back; every frame 1 ms late more.
  for (int f = 0; f < 50; ++f) {
    for (int k = 0; k < 3; ++k) {
      s.on_packet(static_cast<uint16_t>(f * 3 + k), static_cast<uint32_t>(f * 3000),
                  f * 33'333 + f * 1000 + k * 5000);
    }
  }
  // Each frame's transit grows by 90 ticks: jitter tends to 90.
  auto block = s.report(1, 2'000'000);
  EXPECT_GT(block.jitter, 80u);
  EXPECT_LE(block.jitter, 90u);
}

TEST(ReceiveStatistics, NoSenderReportNoLsr) {
  ReceiveStatistics s(48'000);
  s.on_packet(1, 0, 0);
  auto block = s.report(1, 1'000'000);
  EXPECT_EQ(block.last_sr, 0u);
  EXPECT_EQ(block.delay_since_last_sr, 0u);
  s.on_sender_report(0xAAAA'BBBB'CCCC'DDDDull, 1'000'000);
  block = s.report(1, 1'500'000);
  EXPECT_EQ(block.last_sr, 0xBBBB'CCCCu);
  EXPECT_EQ(block.delay_since_last_sr, 32'768u);  // 0.5 s in 1/65536 s
}

TEST(TwccRecorder, ReportsEachNumberOnceInOrder) {
  TwccRecorder r;
  for (uint16_t s : {3, 1, 2, 2, 5}) r.on_packet(s, 1'000'000 + s * 1000);
  auto feedback = r.take(1, 2);
  ASSERT_EQ(feedback.size(), 1u);
  auto arrivals = protocol::rtp::feedback_arrivals(feedback[0]);
  ASSERT_EQ(arrivals.size(), 5u);
  EXPECT_EQ(arrivals[0].sequence, 1);
  EXPECT_FALSE(arrivals[3].arrival_us);  // 4
  EXPECT_EQ(*arrivals[4].arrival_us - *arrivals[0].arrival_us, 4000);
  r.on_packet(4, 1'010'000);  // already reported as lost
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.dropped(), 1u);
  EXPECT_TRUE(r.take(1, 2).empty());
}

TEST(TwccRecorder, SplitsWhereDeltasDoNotFitAndAcrossTheWrap) {
  TwccRecorder r;
  r.on_packet(65'534, 0);
  r.on_packet(65'535, 1000);
  r.on_packet(0, 9'500'000);  // 9.5 s later: beyond an int16 delta
  r.on_packet(1, 9'501'000);
  auto feedback = r.take(1, 2);
  ASSERT_EQ(feedback.size(), 2u);
  EXPECT_EQ(feedback[0].base_sequence, 65'534);
  EXPECT_EQ(feedback[0].statuses.size(), 2u);
  EXPECT_EQ(feedback[1].base_sequence, 0);
  EXPECT_EQ(feedback[1].statuses.size(), 2u);
  EXPECT_EQ(feedback[1].feedback_count, feedback[0].feedback_count + 1);
}

TEST(TwccRecorder, BoundedBetweenFeedbacks) {
  TwccRecorder r;
  for (int i = 0; i < 10'000; ++i) r.on_packet(static_cast<uint16_t>(i), i);
  EXPECT_EQ(r.dropped(), 10'000u - TwccRecorder::kMaxPending);
  auto feedback = r.take(1, 2);
  size_t statuses = 0;
  for (const auto& f : feedback) {
    EXPECT_LE(f.statuses.size(), static_cast<size_t>(TwccRecorder::kMaxStatuses));
    statuses += f.statuses.size();
  }
  EXPECT_EQ(statuses, TwccRecorder::kMaxPending);
}

Bytes avcc(const std::vector<Bytes>& nals) {
  Bytes out;
  for (const auto& nal : nals) {
    const size_t n = nal.size();
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

const Bytes kSps360p = {0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x2f, 0xf9,
                        0x70, 0x11, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00,
                        0x03, 0x00, 0x3c, 0x0f, 0x16, 0x2e, 0x48};
const Bytes kPps = {0x68, 0xcb, 0x83, 0xcb, 0x20};
const Bytes kIdr = {0x65, 0x88, 0x80, 0x40};

TEST(H264TrackBuilder, TrackFromSpsAndPpsChangedOnlyWhenTheyChange) {
  H264TrackBuilder b(1);
  EXPECT_FALSE(b.on_access_unit(avcc({kIdr})));
  EXPECT_FALSE(b.on_access_unit(avcc({kSps360p, kIdr})));  // half a pair
  EXPECT_FALSE(b.track());
  EXPECT_TRUE(b.on_access_unit(avcc({kPps, kIdr})));
  ASSERT_TRUE(b.track());
  EXPECT_EQ(b.track()->id, 1u);
  EXPECT_EQ(b.track()->width, 640u);
  EXPECT_EQ(b.track()->codec_string, "avc1.42c01e");
  EXPECT_FALSE(b.on_access_unit(avcc({kSps360p, kPps, kIdr})));
  Bytes pps2 = kPps;
  pps2.back() = 0x30;
  EXPECT_TRUE(b.on_access_unit(avcc({kSps360p, pps2, kIdr})));
}

TEST(H264TrackBuilder, ABadSpsKeepsTheLastGoodTrack) {
  H264TrackBuilder b(1);
  ASSERT_TRUE(b.on_access_unit(avcc({kSps360p, kPps, kIdr})));
  EXPECT_FALSE(b.on_access_unit(avcc({Bytes{0x67, 0x42}, kPps, kIdr})));
  EXPECT_EQ(b.rejected(), 1u);
  ASSERT_TRUE(b.track());
  EXPECT_EQ(b.track()->height, 360u);
}

}  // namespace
}  // namespace vela::ingest
