#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "protocol/rtp/rtcp.hpp"

namespace vela::protocol::rtp {
namespace {

TransportFeedback round_trip(const TransportFeedback& fb) {
  std::vector<uint8_t> bytes;
  auto s = write_rtcp(fb, bytes);
  EXPECT_TRUE(s.ok()) << (s ? "" : s.error().message);
  EXPECT_EQ(bytes.size() % 4, 0u);
  auto c = parse_rtcp(bytes);
  EXPECT_FALSE(c.error.has_value()) << c.error->message;
  EXPECT_EQ(c.messages.size(), 1u);
  if (c.messages.size() != 1 || !std::holds_alternative<TransportFeedback>(c.messages[0]))
    return {};
  return std::get<TransportFeedback>(c.messages[0]);
}

int64_t floor250(int64_t us) { return us / 250 * 250; }

TEST(RtcpTransportFeedback, BuildParseRoundTripWithLossesAndReordering) {
  // Sequence numbers across the wrap, a few missing, one reordered arrival (negative delta),
  // one large gap (large delta).
  std::vector<TwccArrival> arrivals;
  int64_t t = 5'000'123;
  for (int i = 0; i < 60; ++i) {
    uint16_t seq = static_cast<uint16_t>(65520 + i);
    t += 700 + (i % 5) * 300;
    if (i == 17) t += 120'000;  // a pause: delta beyond 255 ticks
    if (i % 11 == 3) continue;  // lost
    arrivals.push_back({seq, t});
  }
  std::swap(arrivals[5], arrivals[6]);
  arrivals[6].arrival_us = *arrivals[5].arrival_us - 2000;  // arrived out of order
  auto fb = make_transport_feedback(1, 2, 9, arrivals);
  ASSERT_TRUE(fb.ok()) << fb.error().message;
  EXPECT_EQ(fb->base_sequence, 65520);
  EXPECT_EQ(fb->statuses.size(), 60u);
  EXPECT_EQ(fb->feedback_count, 9);

  auto parsed = round_trip(*fb);
  EXPECT_EQ(parsed, *fb);
  auto back = feedback_arrivals(parsed);
  ASSERT_EQ(back.size(), 60u);
  size_t received = 0;
  for (const auto& a : back) {
    auto it = std::find_if(arrivals.begin(), arrivals.end(),
                           [&](const TwccArrival& x) { return x.sequence == a.sequence; });
    if (it == arrivals.end()) {
      EXPECT_FALSE(a.arrival_us.has_value()) << a.sequence;
      continue;
    }
    ++received;
    ASSERT_TRUE(a.arrival_us.has_value()) << a.sequence;
    EXPECT_EQ(*a.arrival_us, floor250(*it->arrival_us)) << a.sequence;
  }
  EXPECT_EQ(received, arrivals.size());
}

TEST(RtcpTransportFeedback, LongRunsAndAllChunkKinds) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<TwccArrival> arrivals;
    int64_t t = 1'000'000;
    uint16_t seq = static_cast<uint16_t>(rng());
    int n = 1 + static_cast<int>(rng() % 400);
    for (int i = 0; i < n; ++i, ++seq) {
      int mode = static_cast<int>(rng() % 10);
      if (i > 0 && mode < 2) continue;  // not received (first always received)
      t += mode == 9 ? 80'000 : static_cast<int64_t>(rng() % 3000);
      arrivals.push_back({seq, t});
    }
    // A long run of received packets to exercise run-length chunks.
    for (int i = 0; i < 40; ++i, ++seq) arrivals.push_back({seq, t += 1000});
    auto fb = make_transport_feedback(1, 2, static_cast<uint8_t>(round), arrivals);
    ASSERT_TRUE(fb.ok()) << fb.error().message;
    auto parsed = round_trip(*fb);
    ASSERT_EQ(parsed, *fb) << "round " << round;
    auto back = feedback_arrivals(parsed);
    size_t k = 0;
    for (const auto& a : back) {
      if (!a.arrival_us) continue;
      ASSERT_LT(k, arrivals.size());
      EXPECT_EQ(a.sequence, arrivals[k].sequence);
      EXPECT_EQ(*a.arrival_us, floor250(*arrivals[k].arrival_us));
      ++k;
    }
    EXPECT_EQ(k, arrivals.size());
  }
}

TEST(RtcpTransportFeedback, DecodesAKnownPacket) {
  // base 100, 3 statuses, reference 1 (64 ms), count 0; run-length chunk: 3 x small delta;
  // deltas 4, 8, 0 ticks; padded with the padding bit.
  std::vector<uint8_t> bytes = {0xAF, 205, 0, 6,    0, 0, 0, 1, 0, 0, 0, 2,
                                0,    100, 0, 3,    0, 0, 1, 0, 0x20, 3,
                                4,    8,   0, 0,    0, 3};
  auto c = parse_rtcp(bytes);
  ASSERT_FALSE(c.error.has_value()) << c.error->message;
  const auto& fb = std::get<TransportFeedback>(c.messages.at(0));
  auto back = feedback_arrivals(fb);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].sequence, 100);
  EXPECT_EQ(*back[0].arrival_us, 64'000 + 1000);
  EXPECT_EQ(*back[1].arrival_us, 64'000 + 3000);
  EXPECT_EQ(*back[2].arrival_us, 64'000 + 3000);
}

TEST(RtcpTransportFeedback, RejectsMalformedAndUnrepresentable) {
  // Status count 5 but chunks run out.
  std::vector<uint8_t> bytes = {0x8F, 205, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2,
                                0,    1,   0, 5, 0, 0, 0, 0};
  EXPECT_TRUE(parse_rtcp(bytes).error.has_value());
  // Reserved symbol (11) in a run-length chunk.
  std::vector<uint8_t> reserved = {0x8F, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2,
                                   0,    1,   0, 1, 0, 0, 0, 0, 0x60, 1, 0, 0};
  EXPECT_TRUE(parse_rtcp(reserved).error.has_value());
  // Two large deltas announced (run-length chunk, symbol 10) but only 2 bytes follow.
  std::vector<uint8_t> no_deltas = {0x8F, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2,
                                    0,    1,   0, 2, 0, 0, 0, 0, 0x40, 2, 0, 0};
  EXPECT_TRUE(parse_rtcp(no_deltas).error.has_value());

  std::vector<TwccArrival> far = {{1, 0}, {2, 10'000'000}};  // 10 s apart: beyond int16 ticks
  EXPECT_FALSE(make_transport_feedback(1, 2, 0, far).ok());
  EXPECT_FALSE(make_transport_feedback(1, 2, 0, {}).ok());
}

}  // namespace
}  // namespace vela::protocol::rtp
