// BandwidthEstimator: the loss-based rules over transport-wide feedback and over receiver
// reports, the receive-rate cap and REMB.
#include <gtest/gtest.h>

#include "egress/webrtc/bandwidth_estimator.hpp"

namespace vela::egress {
namespace {

TEST(BandwidthEstimator, NothingBeforeMeasurements) {
  BandwidthEstimator e;
  EXPECT_EQ(e.estimate_bps(), 0u);
  e.on_remb(500'000);
  EXPECT_EQ(e.estimate_bps(), 500'000u);
}

TEST(BandwidthEstimator, ReceiverReportsWithoutTransportFeedback) {
  BandwidthEstimator e;
  e.on_receiver_loss(0, 0);  // starts the first interval
  e.on_bytes_sent(125'000);  // 1 Mbit in 1 s
  e.on_receiver_loss(0, 1'000'000);
  // Seeded at 1 Mbit/s, +5 %, capped at 1.5x.
  EXPECT_NEAR(static_cast<double>(e.estimate_bps()), 1'050'000, 1);
  e.on_bytes_sent(125'000);
  e.on_receiver_loss(0.05, 2'000'000);  // 2..10 %: hold
  EXPECT_NEAR(static_cast<double>(e.estimate_bps()), 1'050'000, 1);
  e.on_bytes_sent(125'000);
  e.on_receiver_loss(0.4, 3'000'000);  // 1 - 0.5 * 0.4 = 0.8; the cap 1.5 * 0.6 Mbit/s is above
  EXPECT_NEAR(static_cast<double>(e.estimate_bps()), 840'000, 1);
  e.on_receiver_loss(0.4, 3'100'000);  // too soon after the last: ignored
  EXPECT_NEAR(static_cast<double>(e.estimate_bps()), 840'000, 1);
  EXPECT_DOUBLE_EQ(e.loss_fraction(), 0.4);
}

TEST(BandwidthEstimator, TransportFeedbackCountsEachPacketOnceAndCapsAtReceiveRate) {
  BandwidthEstimator e;
  std::vector<protocol::rtp::TwccArrival> arrivals;
  for (uint16_t i = 0; i < 50; ++i) {
    e.on_packet_sent(static_cast<uint16_t>(65500 + i), 1250);  // wraps past 65535
    arrivals.push_back({static_cast<uint16_t>(65500 + i), int64_t{i} * 20'000});
  }
  auto fb = protocol::rtp::make_transport_feedback(1, 2, 0, arrivals);
  ASSERT_TRUE(fb.ok());
  e.on_transport_feedback(*fb, 0);
  e.on_transport_feedback(*fb, 250'000);  // the same again: already counted, interval ends
  const double rate = 50 * 1250 * 8 / 0.98;
  EXPECT_NEAR(static_cast<double>(e.estimate_bps()), rate * 1.05, 2);
  // Many more good intervals: growth stops at 1.5x the receive rate.
  for (int round = 1; round < 20; ++round) {
    arrivals.clear();
    for (uint16_t i = 0; i < 50; ++i) {
      auto seq = static_cast<uint16_t>(65500 + round * 50 + i);
      e.on_packet_sent(seq, 1250);
      arrivals.push_back({seq, (round * 50 + i) * int64_t{20'000}});
    }
    fb = protocol::rtp::make_transport_feedback(1, 2, static_cast<uint8_t>(round), arrivals);
    ASSERT_TRUE(fb.ok());
    e.on_transport_feedback(*fb, 250'000 + round * 250'000);
  }
  EXPECT_NEAR(static_cast<double>(e.estimate_bps()), rate * 1.5, 2);
  // Receiver reports no longer move it once transport-wide feedback is in use.
  e.on_receiver_loss(0.9, 100'000'000);
  e.on_receiver_loss(0.9, 200'000'000);
  EXPECT_NEAR(static_cast<double>(e.estimate_bps()), rate * 1.5, 2);
}

}  // namespace
}  // namespace vela::egress
