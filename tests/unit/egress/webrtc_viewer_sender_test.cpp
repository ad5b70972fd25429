// ViewerSender: header rewrite and extensions, offsets, replay squeeze, NACK (plain and RTX),
// PLI/FIR, SR contents, RR loss/RTT, malformed RTCP, transport-wide feedback and REMB.
#include <gtest/gtest.h>

#include <map>

#include "egress/webrtc/viewer_sender.hpp"
#include "protocol/rtp/rtp_packet.hpp"

namespace vela::egress {
namespace {

namespace rtp = protocol::rtp;
using Bytes = std::vector<uint8_t>;

constexpr uint32_t kAudioSsrc = 0x11111111;
constexpr uint32_t kVideoSsrc = 0x22222222;
constexpr uint32_t kRtxSsrc = 0x33333333;
constexpr int64_t kWallOffset = 1'700'000'000'000'000;  // now_us 0 is this Unix time (us)

ViewerSenderConfig config(bool rtx) {
  ViewerSenderConfig c;
  c.audio = {true, 111, kAudioSsrc, 48'000, "0", 1000, 10'000};
  c.video = {true, 96, kVideoSsrc, 90'000, "1", 5000, 900'000};
  if (rtx) {
    c.video_rtx_payload_type = 97;
    c.video_rtx_ssrc = kRtxSsrc;
    c.rtx_sequence_base = 7000;
  }
  c.mid_extension_id = 4;
  c.abs_send_time_extension_id = 2;
  c.transport_cc_extension_id = 3;
  c.cname = "viewer-cname";
  c.wall_clock_offset_us = kWallOffset;
  return c;
}

// A feed of packets that the test keeps (the lookup answers from it).
struct Feed {
  std::map<std::pair<media::MediaKind, uint16_t>, SharedRtpPacketPtr> packets;
  std::vector<std::pair<media::MediaKind, uint16_t>> lookups;

  SharedRtpPacketPtr add(media::MediaKind kind, uint16_t seq, uint32_t ts, bool key = false,
                         bool marker = false) {
    auto p = std::make_shared<SharedRtpPacket>();
    p->kind = kind;
    p->sequence = seq;
    p->timestamp = ts;
    p->keyframe_start = key;
    p->marker = marker;
    p->payload = base::Buffer::copy_of(Bytes{uint8_t(seq), 0xAB, 0xCD, uint8_t(ts)});
    packets[{kind, seq}] = p;
    return p;
  }
  ViewerSender::Lookup lookup() {
    return [this](media::MediaKind kind, uint32_t, uint16_t seq) -> SharedRtpPacketPtr {
      lookups.emplace_back(kind, seq);
      auto it = packets.find({kind, seq});
      return it == packets.end() ? nullptr : it->second;
    };
  }
};

rtp::RtpPacketView parse(const Bytes& bytes) {
  auto view = rtp::parse_rtp(bytes);
  EXPECT_TRUE(view.ok()) << (view.ok() ? "" : view.error().message);
  return view.ok() ? *view : rtp::RtpPacketView{};
}

Bytes ext(const rtp::RtpPacketView& v, uint8_t id) {
  auto e = v.extension(id);
  return e ? Bytes(e->begin(), e->end()) : Bytes{};
}

Bytes rtcp(const rtp::RtcpMessage& m) {
  Bytes out;
  EXPECT_TRUE(rtp::write_rtcp(m, out).ok());
  return out;
}

TEST(ViewerSender, RewritesHeaderAndWritesNegotiatedExtensions) {
  ViewerSender sender(config(false));
  Feed feed;
  Bytes out;
  const int64_t now = 2'500'000;  // 2.5 s: abs-send-time 2.5 * 2^18
  ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::video, 10, 3000, true), false, now, out));
  auto v = parse(out);
  EXPECT_EQ(v.payload_type, 96);
  EXPECT_EQ(v.ssrc, kVideoSsrc);
  EXPECT_EQ(v.sequence, 5000);
  EXPECT_EQ(v.timestamp, 900'000u);
  EXPECT_EQ(v.extension_profile, rtp::kOneByteExtensionProfile);
  EXPECT_EQ(ext(v, 4), Bytes{'1'});
  EXPECT_EQ(ext(v, 2), (Bytes{0x0A, 0x00, 0x00}));  // 2.5 << 18 = 0x0A0000
  EXPECT_EQ(ext(v, 3), (Bytes{0, 0}));
  EXPECT_EQ(Bytes(v.payload.begin(), v.payload.end()),
            Bytes(feed.packets.begin()->second->payload.span().begin(),
                  feed.packets.begin()->second->payload.span().end()));

  // Feed gaps stay visible; timestamps keep their distance; one transport-wide counter.
  ASSERT_TRUE(
      sender.write(*feed.add(media::MediaKind::video, 13, 6000, false, true), false, now, out));
  v = parse(out);
  EXPECT_EQ(v.sequence, 5003);
  EXPECT_EQ(v.timestamp, 903'000u);
  EXPECT_TRUE(v.marker);
  EXPECT_EQ(ext(v, 3), (Bytes{0, 1}));
  ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::audio, 400, 48'000), false, now, out));
  v = parse(out);
  EXPECT_EQ(v.payload_type, 111);
  EXPECT_EQ(v.ssrc, kAudioSsrc);
  EXPECT_EQ(v.sequence, 1000);
  EXPECT_EQ(v.timestamp, 10'000u);
  EXPECT_EQ(ext(v, 4), Bytes{'0'});
  EXPECT_EQ(ext(v, 3), (Bytes{0, 2}));
  EXPECT_EQ(sender.stats().packets, 3u);
}

TEST(ViewerSender, TwoByteExtensionsWhenAnIdNeedsThem) {
  auto c = config(false);
  c.transport_cc_extension_id = 20;
  ViewerSender sender(c);
  Feed feed;
  Bytes out;
  ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::video, 1, 0, true), false, 0, out));
  auto v = parse(out);
  EXPECT_EQ(v.extension_profile & 0xFFF0, rtp::kTwoByteExtensionProfile);
  EXPECT_EQ(ext(v, 20), (Bytes{0, 0}));
  EXPECT_EQ(ext(v, 4), Bytes{'1'});
}

TEST(ViewerSender, NoExtensionsWhenNoneNegotiated) {
  auto c = config(false);
  c.mid_extension_id = c.abs_send_time_extension_id = c.transport_cc_extension_id = 0;
  ViewerSender sender(c);
  Feed feed;
  Bytes out;
  ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::audio, 1, 0), false, 0, out));
  EXPECT_EQ(out.size(), 12u + 4u);
  EXPECT_FALSE(parse(out).has_extension);
}

TEST(ViewerSender, VideoWaitsForKeyframeAndUnnegotiatedKindsAreSkipped) {
  auto c = config(false);
  c.audio.enabled = false;
  ViewerSender sender(c);
  Feed feed;
  Bytes out;
  EXPECT_TRUE(sender.waiting_for_keyframe());
  EXPECT_FALSE(sender.write(*feed.add(media::MediaKind::video, 1, 0), false, 0, out));
  EXPECT_FALSE(sender.write(*feed.add(media::MediaKind::audio, 1, 0), false, 0, out));
  EXPECT_EQ(sender.stats().skipped, 1u);
  EXPECT_TRUE(sender.write(*feed.add(media::MediaKind::video, 2, 3000, true), false, 0, out));
  EXPECT_FALSE(sender.waiting_for_keyframe());
  EXPECT_EQ(parse(out).sequence, 5000);
}

TEST(ViewerSender, ReplayedGopIsSqueezedAndLiveFollowsAtItsNaturalDistance) {
  ViewerSender sender(config(true));
  Feed feed;
  Bytes out;
  std::vector<uint32_t> ts;
  // Three frames of two packets each, 3000 ticks apart, replayed at once.
  for (uint16_t i = 0; i < 6; ++i) {
    auto p =
        feed.add(media::MediaKind::video, 100 + i, 30'000 + (i / 2) * 3000, i == 0, i % 2 == 1);
    ASSERT_TRUE(sender.write(*p, true, 0, out));
    ts.push_back(parse(out).timestamp);
  }
  EXPECT_EQ(ts, (std::vector<uint32_t>{900'000, 900'000, 900'090, 900'090, 900'180, 900'180}));
  ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::video, 106, 39'000), false, 1000, out));
  EXPECT_EQ(parse(out).timestamp, 900'180u + 3000);
  EXPECT_EQ(parse(out).sequence, 5006);
  ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::video, 107, 42'000), false, 2000, out));
  EXPECT_EQ(parse(out).timestamp, 900'180u + 6000);

  // A NACK for a replayed packet resends it with its squeezed timestamp, over RTX.
  auto actions = sender.on_rtcp(rtcp(rtp::Nack{1, kVideoSsrc, {5002, 5007}}), 3000, feed.lookup());
  ASSERT_EQ(actions.retransmissions.size(), 2u);
  auto r = parse(actions.retransmissions[0]);
  EXPECT_EQ(r.timestamp, 900'090u);
  EXPECT_EQ(r.payload_type, 97);
  EXPECT_EQ(r.ssrc, kRtxSsrc);
  EXPECT_EQ(r.sequence, 7000);
  ASSERT_GE(r.payload.size(), 2u);
  EXPECT_EQ(r.payload[0] << 8 | r.payload[1], 5002);  // OSN
  const auto& original = feed.packets[{media::MediaKind::video, 102}]->payload;
  EXPECT_EQ(Bytes(r.payload.begin() + 2, r.payload.end()),
            Bytes(original.span().begin(), original.span().end()));
  EXPECT_EQ(ext(r, 4), Bytes{'1'});
  auto r2 = parse(actions.retransmissions[1]);
  EXPECT_EQ(r2.timestamp, 900'180u + 6000);
  EXPECT_EQ(r2.sequence, 7001);
  EXPECT_EQ(r2.payload[0] << 8 | r2.payload[1], 5007);
  EXPECT_EQ(feed.lookups[0], std::make_pair(media::MediaKind::video, uint16_t{102}));
}

TEST(ViewerSender, NackResendsPlainWithoutRtxOncePerInterval) {
  ViewerSender sender(config(false));
  Feed feed;
  Bytes out;
  for (uint16_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        sender.write(*feed.add(media::MediaKind::video, 10 + i, 3000 * i, i == 0), false, 0, out));
  }
  for (uint16_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::audio, 50 + i, 960 * i), false, 0, out));
  }
  auto actions = sender.on_rtcp(rtcp(rtp::Nack{1, kVideoSsrc, {5002}}), 100'000, feed.lookup());
  ASSERT_EQ(actions.retransmissions.size(), 1u);
  auto r = parse(actions.retransmissions[0]);
  EXPECT_EQ(r.payload_type, 96);
  EXPECT_EQ(r.ssrc, kVideoSsrc);
  EXPECT_EQ(r.sequence, 5002);
  EXPECT_EQ(r.timestamp, 900'000u + 6000);
  EXPECT_EQ(ext(r, 3), (Bytes{0, 8}));  // a new transport-wide sequence number

  // Again at once: held back; after the interval: resent.
  EXPECT_TRUE(sender.on_rtcp(rtcp(rtp::Nack{1, kVideoSsrc, {5002}}), 105'000, feed.lookup())
                  .retransmissions.empty());
  EXPECT_EQ(sender.on_rtcp(rtcp(rtp::Nack{1, kVideoSsrc, {5002}}), 120'000, feed.lookup())
                .retransmissions.size(),
            1u);

  // Audio maps through its own offsets.
  actions = sender.on_rtcp(rtcp(rtp::Nack{1, kAudioSsrc, {1001}}), 130'000, feed.lookup());
  ASSERT_EQ(actions.retransmissions.size(), 1u);
  r = parse(actions.retransmissions[0]);
  EXPECT_EQ(r.ssrc, kAudioSsrc);
  EXPECT_EQ(r.sequence, 1001);
  EXPECT_EQ(r.timestamp, 10'960u);

  // Gone from the history, before this viewer started, or an unknown SSRC: nothing.
  feed.packets.erase({media::MediaKind::video, 11});
  actions = sender.on_rtcp(rtcp(rtp::Nack{1, kVideoSsrc, {5001, 4999}}), 200'000, feed.lookup());
  EXPECT_TRUE(actions.retransmissions.empty());
  EXPECT_TRUE(sender.on_rtcp(rtcp(rtp::Nack{1, 0xDEAD, {5003}}), 200'000, feed.lookup())
                  .retransmissions.empty());
  EXPECT_EQ(sender.stats().nacks, 6u);
  EXPECT_EQ(sender.stats().nack_misses, 2u);
  EXPECT_EQ(sender.stats().retransmitted, 3u);
}

TEST(ViewerSender, RetransmissionsPerCompoundAreBounded) {
  auto c = config(false);
  c.max_retransmissions_per_rtcp = 4;
  ViewerSender sender(c);
  Feed feed;
  Bytes out;
  for (uint16_t i = 0; i < 20; ++i) {
    ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::video, i, 0, i == 0), false, 0, out));
  }
  std::vector<uint16_t> all;
  for (uint16_t i = 0; i < 20; ++i) all.push_back(5000 + i);
  EXPECT_EQ(
      sender.on_rtcp(rtcp(rtp::Nack{1, kVideoSsrc, all}), 0, feed.lookup()).retransmissions.size(),
      4u);
}

TEST(ViewerSender, PliAndFirAskForAKeyframe) {
  ViewerSender sender(config(false));
  Feed feed;
  EXPECT_TRUE(sender.on_rtcp(rtcp(rtp::Pli{1, kVideoSsrc}), 0, feed.lookup()).keyframe_wanted);
  EXPECT_FALSE(sender.on_rtcp(rtcp(rtp::Pli{1, kAudioSsrc}), 0, feed.lookup()).keyframe_wanted);
  EXPECT_TRUE(
      sender.on_rtcp(rtcp(rtp::Fir{1, {{kVideoSsrc, 7}}}), 0, feed.lookup()).keyframe_wanted);
  EXPECT_FALSE(sender.on_rtcp(rtcp(rtp::Fir{1, {{kVideoSsrc, 7}}}), 0, feed.lookup())
                   .keyframe_wanted);  // repeat
  EXPECT_TRUE(
      sender.on_rtcp(rtcp(rtp::Fir{1, {{kVideoSsrc, 8}}}), 0, feed.lookup()).keyframe_wanted);
  EXPECT_EQ(sender.stats().plis, 1u);
  EXPECT_EQ(sender.stats().firs, 2u);
}

uint64_t ntp_of(int64_t unix_us) {
  uint64_t seconds = static_cast<uint64_t>(unix_us / 1'000'000) + 2'208'988'800ull;
  uint64_t fraction = (static_cast<uint64_t>(unix_us % 1'000'000) << 32) / 1'000'000;
  return seconds << 32 | fraction;
}

TEST(ViewerSender, SenderReportsEverySecondWithMatchingRtpTime) {
  ViewerSender sender(config(false));
  Feed feed;
  Bytes out;
  std::vector<Bytes> reports;
  sender.take_reports(0, reports);
  EXPECT_TRUE(reports.empty());  // nothing sent yet
  ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::video, 1, 0, true), false, 1'000'000, out));
  ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::video, 2, 3000, false, true), false,
                           1'000'000, out));
  sender.take_reports(1'500'000, reports);
  ASSERT_EQ(reports.size(), 1u);  // video only: audio sent nothing
  auto parsed = rtp::parse_rtcp(reports[0]);
  ASSERT_FALSE(parsed.error);
  ASSERT_EQ(parsed.messages.size(), 2u);
  auto& sr = std::get<rtp::SenderReport>(parsed.messages[0]);
  EXPECT_EQ(sr.ssrc, kVideoSsrc);
  EXPECT_EQ(sr.ntp_time, ntp_of(kWallOffset + 1'500'000));
  EXPECT_EQ(sr.rtp_timestamp, 903'000u + 45'000);  // newest sent + 0.5 s at 90 kHz
  EXPECT_EQ(sr.packet_count, 2u);
  EXPECT_EQ(sr.octet_count, 8u);
  auto& sdes = std::get<rtp::Sdes>(parsed.messages[1]);
  ASSERT_EQ(sdes.chunks.size(), 1u);
  EXPECT_EQ(sdes.chunks[0].cname, "viewer-cname");

  reports.clear();
  sender.take_reports(2'000'000, reports);
  EXPECT_TRUE(reports.empty());  // not due
  ASSERT_TRUE(sender.write(*feed.add(media::MediaKind::audio, 1, 480), false, 2'000'000, out));
  sender.take_reports(2'600'000, reports);
  EXPECT_EQ(reports.size(), 2u);
}

TEST(ViewerSender, ReceiverReportGivesLossJitterAndRtt) {
  ViewerSender sender(config(false));
  Feed feed;
  // The receiver got our SR at t = 1 s and answers 100 ms later; we read it at 1.15 s.
  const uint32_t lsr = static_cast<uint32_t>(ntp_of(kWallOffset + 1'000'000) >> 16);
  rtp::ReportBlock block{kVideoSsrc, 64, 10, 5000, 321, lsr, 6554};  // 6554 / 65536 s = 100 ms
  sender.on_rtcp(rtcp(rtp::ReceiverReport{9, {block}}), 1'150'000, feed.lookup());
  EXPECT_DOUBLE_EQ(sender.stats().loss_fraction, 0.25);
  EXPECT_EQ(sender.stats().jitter, 321u);
  EXPECT_NEAR(static_cast<double>(sender.stats().rtt_us), 50'000, 100);
  // A block for somebody else changes nothing.
  rtp::ReportBlock other{0x999, 255, 0, 0, 0, 0, 0};
  sender.on_rtcp(rtcp(rtp::ReceiverReport{9, {other}}), 1'200'000, feed.lookup());
  EXPECT_DOUBLE_EQ(sender.stats().loss_fraction, 0.25);
}

TEST(ViewerSender, MalformedRtcpIsCountedAndIgnored) {
  ViewerSender sender(config(false));
  Feed feed;
  auto actions = sender.on_rtcp(Bytes{0x12, 0x34, 0x56}, 0, feed.lookup());
  EXPECT_TRUE(actions.retransmissions.empty());
  EXPECT_FALSE(actions.keyframe_wanted);
  // A good PLI, then a packet whose length runs past the datagram.
  Bytes compound = rtcp(rtp::Pli{1, kVideoSsrc});
  compound.insert(compound.end(), {0x80, 201, 0x00, 0x40, 0, 0, 0, 1});
  actions = sender.on_rtcp(compound, 0, feed.lookup());
  EXPECT_TRUE(actions.keyframe_wanted);
  EXPECT_EQ(sender.stats().malformed_rtcp, 2u);
  EXPECT_TRUE(sender.on_rtcp({}, 0, feed.lookup()).retransmissions.empty());
}

TEST(ViewerSender, TransportFeedbackAndRembDriveTheEstimate) {
  ViewerSender sender(config(false));
  Feed feed;
  Bytes out;
  // 100 packets of ~1 kB over 1 s (800 kbit/s), each with its transport-wide number.
  std::vector<rtp::TwccArrival> arrivals;
  for (uint16_t i = 0; i < 100; ++i) {
    auto p =
        std::make_shared<SharedRtpPacket>(*feed.add(media::MediaKind::video, i, i * 900, i == 0));
    p->payload = base::Buffer::copy_of(Bytes(1000 - 28, 0x55));  // 28: header + 3 extensions
    ASSERT_TRUE(sender.write(*p, false, i * 10'000, out));
    ASSERT_EQ(out.size(), 1000u);
    arrivals.push_back({i, 50'000 + int64_t{i} * 10'000});
  }
  auto fb = rtp::make_transport_feedback(1, kVideoSsrc, 0, arrivals);
  ASSERT_TRUE(fb.ok());
  sender.on_rtcp(rtcp(*fb), 0, feed.lookup());  // seeds the interval
  sender.on_rtcp(rtcp(*fb), 300'000, feed.lookup());
  // Seeded at the receive rate, +5 % (no loss), capped at 1.5x: 100 kB over 0.99 s.
  const double rate = 100'000.0 * 8 / 0.99;
  EXPECT_NEAR(static_cast<double>(sender.stats().bandwidth_estimate_bps), rate * 1.05, rate * 0.01);
  const auto before = sender.stats().bandwidth_estimate_bps;

  // A fifth of the next 100 lost: the estimate drops by a tenth (1 - 0.5 * 0.2).
  arrivals.clear();
  for (uint16_t i = 100; i < 200; ++i) {
    auto p = std::make_shared<SharedRtpPacket>(*feed.add(media::MediaKind::video, i, i * 900));
    p->payload = base::Buffer::copy_of(Bytes(1000 - 28, 0x55));
    ASSERT_TRUE(sender.write(*p, false, i * 10'000, out));
    arrivals.push_back(
        {i, i % 5 == 0 ? std::nullopt : std::optional<int64_t>(50'000 + int64_t{i} * 10'000)});
  }
  fb = rtp::make_transport_feedback(1, kVideoSsrc, 1, arrivals);
  ASSERT_TRUE(fb.ok());
  sender.on_rtcp(rtcp(*fb), 600'000, feed.lookup());
  EXPECT_NEAR(static_cast<double>(sender.stats().bandwidth_estimate_bps), before * 0.9,
              before * 0.01);

  // A REMB below caps it.
  sender.on_rtcp(rtcp(rtp::Remb{1, 300'000, {kVideoSsrc}}), 700'000, feed.lookup());
  EXPECT_EQ(sender.stats().bandwidth_estimate_bps, 300'000u);
}

TEST(ViewerSender, ConfigFromNegotiatedAnswer) {
  protocol::sdp::Negotiated n;
  protocol::sdp::NegotiatedMedia a;
  a.mid = "a0";
  a.kind = protocol::sdp::MediaKind::audio;
  a.direction = protocol::sdp::Direction::sendonly;
  a.payload_type = 111;
  a.clock_rate = 48'000;
  protocol::sdp::NegotiatedMedia v;
  v.mid = "v1";
  v.kind = protocol::sdp::MediaKind::video;
  v.direction = protocol::sdp::Direction::sendonly;
  v.payload_type = 102;
  v.clock_rate = 90'000;
  v.rtx_payload_type = 103;
  n.media = {a, v};
  n.extensions = {1, 2, 3};
  auto c = ViewerSender::config_from(n, 10, 20, 30);
  EXPECT_TRUE(c.audio.enabled);
  EXPECT_EQ(c.audio.payload_type, 111);
  EXPECT_EQ(c.audio.ssrc, 10u);
  EXPECT_EQ(c.audio.mid, "a0");
  EXPECT_TRUE(c.video.enabled);
  EXPECT_EQ(c.video.payload_type, 102);
  EXPECT_EQ(c.video.ssrc, 20u);
  EXPECT_EQ(c.video.clock_rate, 90'000u);
  EXPECT_EQ(c.video_rtx_payload_type, std::optional<uint8_t>(103));
  EXPECT_EQ(c.video_rtx_ssrc, 30u);
  EXPECT_EQ(c.mid_extension_id, 1);
  EXPECT_EQ(c.abs_send_time_extension_id, 2);
  EXPECT_EQ(c.transport_cc_extension_id, 3);
  // Bases differ per session (from its SSRCs) and are reproducible.
  auto same = ViewerSender::config_from(n, 10, 20, 30);
  auto other = ViewerSender::config_from(n, 11, 21, 31);
  EXPECT_EQ(same.video.sequence_base, c.video.sequence_base);
  EXPECT_NE(other.video.timestamp_base, c.video.timestamp_base);

  n.media.pop_back();  // audio only
  auto audio_only = ViewerSender::config_from(n, 10, 20, 30);
  EXPECT_FALSE(audio_only.video.enabled);
  EXPECT_FALSE(audio_only.video_rtx_payload_type);
}

}  // namespace
}  // namespace vela::egress
