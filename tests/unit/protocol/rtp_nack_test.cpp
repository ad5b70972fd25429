#include <gtest/gtest.h>

#include <vector>

#include "protocol/rtp/nack.hpp"

namespace vela::protocol::rtp {
namespace {

using Seqs = std::vector<uint16_t>;

// A fake clock: tests move time by hand.
struct Clock {
  int64_t now_us = 1'000'000;
  int64_t advance(int64_t us) { return now_us += us; }
};

TEST(NackGenerator, ListsMissingAcrossTheWrap) {
  Clock clock;
  NackGenerator nack;
  for (uint16_t s : {65533, 65534, 1, 2, 5}) nack.on_packet(s, clock.now_us);
  EXPECT_EQ(nack.missing_count(), 4u);  // 65535, 0, 3, 4
  EXPECT_EQ(nack.due(clock.now_us), (Seqs{65535, 0, 3, 4}));
  nack.on_packet(0, clock.advance(1000));  // recovered by retransmission
  nack.on_packet(3, clock.now_us);
  EXPECT_EQ(nack.missing_count(), 2u);
  EXPECT_EQ(nack.stats().recovered, 2u);
  nack.on_packet(3, clock.now_us);  // a duplicate changes nothing
  EXPECT_EQ(nack.stats().recovered, 2u);
}

TEST(NackGenerator, RetriesFollowTheRttAndStopAfterMaxRetries) {
  Clock clock;
  NackOptions options;
  options.max_retries = 3;
  options.max_age_us = 10'000'000;
  NackGenerator nack(options);
  nack.set_rtt(50'000);
  nack.on_packet(10, clock.now_us);
  nack.on_packet(12, clock.now_us);
  EXPECT_EQ(nack.due(clock.now_us), Seqs{11});
  EXPECT_TRUE(nack.due(clock.advance(49'999)).empty());  // not again within one RTT
  EXPECT_EQ(nack.due(clock.advance(1)), Seqs{11});
  EXPECT_EQ(nack.due(clock.advance(50'000)), Seqs{11});
  EXPECT_TRUE(nack.due(clock.advance(50'000)).empty());  // 3 requests: given up
  EXPECT_EQ(nack.missing_count(), 0u);
  EXPECT_EQ(nack.stats().requests, 3u);
  EXPECT_EQ(nack.stats().given_up, 1u);
}

TEST(NackGenerator, GivesUpByAge) {
  Clock clock;
  NackOptions options;
  options.max_age_us = 200'000;
  options.retry_interval_us = 10'000;
  NackGenerator nack(options);
  nack.on_packet(1, clock.now_us);
  nack.on_packet(3, clock.now_us);
  EXPECT_EQ(nack.due(clock.advance(199'999)), Seqs{2});
  EXPECT_TRUE(nack.due(clock.advance(1)).empty());
  EXPECT_EQ(nack.stats().given_up, 1u);
}

TEST(NackGenerator, ReorderDelayHoldsTheFirstRequest) {
  Clock clock;
  NackOptions options;
  options.reorder_delay_us = 20'000;
  NackGenerator nack(options);
  nack.on_packet(100, clock.now_us);
  nack.on_packet(102, clock.now_us);
  EXPECT_TRUE(nack.due(clock.advance(10'000)).empty());
  EXPECT_EQ(nack.due(clock.advance(10'000)), Seqs{101});
}

TEST(NackGenerator, OverflowAsksForAKeyframe) {
  Clock clock;
  NackOptions options;
  options.max_missing = 100;
  NackGenerator nack(options);
  nack.on_packet(0, clock.now_us);
  nack.on_packet(60, clock.now_us);
  EXPECT_EQ(nack.missing_count(), 59u);
  EXPECT_FALSE(nack.take_keyframe_request());
  nack.on_packet(120, clock.now_us);  // 118 missing > 100
  EXPECT_EQ(nack.missing_count(), 0u);
  EXPECT_TRUE(nack.take_keyframe_request());
  EXPECT_FALSE(nack.take_keyframe_request());
  nack.on_packet(5000, clock.now_us);  // a jump beyond the limit: nothing tracked
  EXPECT_EQ(nack.missing_count(), 0u);
  EXPECT_TRUE(nack.take_keyframe_request());
  nack.on_packet(5002, clock.now_us);
  EXPECT_EQ(nack.due(clock.now_us), Seqs{5001});
}

TEST(NackGenerator, MissingListStaysBounded) {
  Clock clock;
  NackOptions options;
  options.max_missing = 50;
  NackGenerator nack(options);
  uint16_t seq = 0;
  for (int i = 0; i < 100'000; ++i) {
    nack.on_packet(seq, clock.advance(100));
    seq = static_cast<uint16_t>(seq + 2);  // every other packet lost, for ever
    EXPECT_LE(nack.missing_count(), 50u);
    if (i % 100 == 0) (void)nack.due(clock.now_us);
  }
}

TEST(NackRetransmissionBuffer, ResendsStoredPacketsAcrossTheWrap) {
  Clock clock;
  RetransmissionOptions options;
  options.capacity = 100;  // rounded up to 128
  RetransmissionBuffer buffer(options);
  EXPECT_EQ(buffer.capacity(), 128u);
  for (int i = 0; i < 200; ++i) {
    uint16_t seq = static_cast<uint16_t>(65500 + i);
    buffer.store(seq, base::Buffer::copy_of(std::vector<uint8_t>{static_cast<uint8_t>(i)}),
                 clock.advance(1000));
  }
  auto p = buffer.resend(static_cast<uint16_t>(65500 + 199), clock.now_us);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->data()[0], 199);
  EXPECT_TRUE(buffer.resend(static_cast<uint16_t>(65500 + 72), clock.now_us).has_value());
  EXPECT_FALSE(buffer.resend(static_cast<uint16_t>(65500 + 71), clock.now_us).has_value());  // overwritten
  EXPECT_FALSE(buffer.resend(12345, clock.now_us).has_value());  // never sent
}

TEST(NackRetransmissionBuffer, LimitsResendRateAndAge) {
  Clock clock;
  RetransmissionOptions options;
  options.max_age_us = 500'000;
  options.min_resend_interval_us = 10'000;
  RetransmissionBuffer buffer(options);
  buffer.store(7, base::Buffer::copy_of(std::vector<uint8_t>{1, 2}), clock.now_us);
  EXPECT_TRUE(buffer.resend(7, clock.advance(1000)).has_value());
  EXPECT_FALSE(buffer.resend(7, clock.advance(9'999)).has_value());
  EXPECT_TRUE(buffer.resend(7, clock.advance(1)).has_value());
  EXPECT_FALSE(buffer.resend(7, clock.advance(500'000)).has_value());  // too old
}

}  // namespace
}  // namespace vela::protocol::rtp
