// ViewerSender across a rendition switch: one SSRC, contiguous sequence numbers, timestamps
// that keep moving forward, NACKs answered from the feed that sent each packet.
#include <gtest/gtest.h>

#include <map>

#include "egress/webrtc/viewer_sender.hpp"
#include "protocol/rtp/rtp_packet.hpp"

namespace vela::egress {
namespace {

namespace rtp = protocol::rtp;
using Bytes = std::vector<uint8_t>;

constexpr uint32_t kVideoSsrc = 0x22222222;
constexpr uint32_t kAudioSsrc = 0x11111111;
constexpr uint32_t kHigh = 0;  // source ids of the two feeds
constexpr uint32_t kLow = 1;

ViewerSenderConfig config() {
  ViewerSenderConfig c;
  c.audio = {true, 111, kAudioSsrc, 48'000, "0", 1000, 10'000};
  c.video = {true, 96, kVideoSsrc, 90'000, "1", 5000, 900'000};
  c.video_rtx_payload_type = 97;
  c.video_rtx_ssrc = 0x33333333;
  c.rtx_sequence_base = 7000;
  return c;
}

// The video packets of one rendition feed (its own sequence numbers), kept for NACKs.
struct Feed {
  uint8_t tag;
  uint16_t next_sequence;
  std::map<uint16_t, SharedRtpPacketPtr> packets;

  // One frame of `count` packets at `pts` (90 kHz).
  std::vector<SharedRtpPacketPtr> frame(uint32_t pts, bool key, int count = 2) {
    std::vector<SharedRtpPacketPtr> out;
    for (int i = 0; i < count; ++i) {
      auto p = std::make_shared<SharedRtpPacket>();
      p->sequence = next_sequence++;
      p->timestamp = pts;
      p->keyframe_start = key && i == 0;
      p->marker = i + 1 == count;
      p->payload = base::Buffer::copy_of(Bytes{tag, uint8_t(p->sequence), uint8_t(pts >> 8)});
      packets[p->sequence] = p;
      out.push_back(p);
    }
    return out;
  }
};

struct Sent {
  uint16_t sequence;
  uint32_t timestamp;
  uint32_t ssrc;
  uint8_t tag;  // which feed's payload
};

Sent parse(const Bytes& bytes) {
  auto v = rtp::parse_rtp(bytes);
  EXPECT_TRUE(v.ok());
  if (!v.ok()) return {};
  return {v->sequence, v->timestamp, v->ssrc, v->payload.empty() ? uint8_t(0) : v->payload[0]};
}

class RenditionSwitch : public ::testing::Test {
 protected:
  // Writes the packets as from `source`; returns what went out.
  std::vector<Sent> write(const std::vector<SharedRtpPacketPtr>& packets, uint32_t source) {
    std::vector<Sent> sent;
    Bytes out;
    for (const auto& p : packets) {
      if (sender_.write(*p, false, 0, out, source)) sent.push_back(parse(out));
    }
    return sent;
  }
  ViewerSender::Lookup lookup() {
    return [this](media::MediaKind kind, uint32_t source, uint16_t sequence) -> SharedRtpPacketPtr {
      lookups_.emplace_back(source, sequence);
      if (kind != media::MediaKind::video) return nullptr;
      auto& feed = source == kHigh ? high_ : low_;
      auto it = feed.packets.find(sequence);
      return it == feed.packets.end() ? nullptr : it->second;
    };
  }

  ViewerSender sender_{config()};
  Feed high_{0xAA, 40'000, {}};
  Feed low_{0xBB, 65'530, {}};  // wraps during the test
  std::vector<std::pair<uint32_t, uint16_t>> lookups_;
};

TEST_F(RenditionSwitch, SequenceContiguousTimestampsForwardNacksFromBothFeeds) {
  std::vector<Sent> sent;
  auto add = [&](const std::vector<Sent>& more) { sent.insert(sent.end(), more.begin(), more.end()); };
  // The high rendition: a keyframe at pts 90000 and two more frames.
  add(write(high_.frame(90'000, true), kHigh));
  add(write(high_.frame(93'000, false), kHigh));
  add(write(high_.frame(96'000, false), kHigh));
  ASSERT_EQ(sent.size(), 6u);
  EXPECT_EQ(sender_.video_source(), kHigh);

  // The low rendition's packets before its keyframe are skipped, and so is nothing else:
  // the high feed keeps going until the low keyframe comes.
  EXPECT_TRUE(write(low_.frame(96'000, false), kLow).empty());
  EXPECT_EQ(sender_.video_source(), kHigh);
  add(write(high_.frame(99'000, false), kHigh));
  // The switch: low's keyframe at pts 102000 (aligned across renditions).
  add(write(low_.frame(102'000, true, 3), kLow));
  EXPECT_EQ(sender_.video_source(), kLow);
  add(write(low_.frame(105'000, false), kLow));
  ASSERT_EQ(sent.size(), 13u);
  EXPECT_EQ(sender_.stats().switches, 1u);

  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].ssrc, kVideoSsrc);
    EXPECT_EQ(sent[i].sequence, uint16_t(5000 + i)) << i;  // contiguous across the switch
    if (i > 0) {
      EXPECT_GE(int32_t(sent[i].timestamp - sent[i - 1].timestamp), 0) << i;
    }
  }
  EXPECT_EQ(sent[7].tag, 0xAA);
  EXPECT_EQ(sent[8].tag, 0xBB);
  // Shared PTS: the offset stays, the keyframe lands 3000 ticks after the last high frame.
  EXPECT_EQ(sent[8].timestamp, 900'000u + 12'000);
  EXPECT_EQ(sent[7].timestamp, 900'000u + 9'000);

  // NACKs for packets on both sides of the switch: each from its own feed, by its own
  // feed sequence, with the timestamp the viewer saw.
  auto actions = sender_.on_rtcp(
      [] {
        Bytes out;
        EXPECT_TRUE(rtp::write_rtcp(rtp::Nack{1, kVideoSsrc, {5003, 5007, 5008, 5012}}, out).ok());
        return out;
      }(),
      1'000'000, lookup());
  ASSERT_EQ(actions.retransmissions.size(), 4u);
  ASSERT_EQ(lookups_.size(), 4u);
  EXPECT_EQ(lookups_[0], std::make_pair(kHigh, uint16_t(40'003)));
  EXPECT_EQ(lookups_[1], std::make_pair(kHigh, uint16_t(40'007)));
  EXPECT_EQ(lookups_[2], std::make_pair(kLow, uint16_t(65'532)));  // after low's 2 skipped
  EXPECT_EQ(lookups_[3], std::make_pair(kLow, uint16_t(0)));       // wrapped
  std::vector<uint8_t> tags;
  for (const auto& r : actions.retransmissions) {
    auto v = rtp::parse_rtp(r);
    ASSERT_TRUE(v.ok());
    ASSERT_GE(v->payload.size(), 3u);
    tags.push_back(v->payload[2]);  // after the RTX original sequence number
  }
  EXPECT_EQ(tags, (std::vector<uint8_t>{0xAA, 0xAA, 0xBB, 0xBB}));
  auto resent = rtp::parse_rtp(actions.retransmissions[2]);
  EXPECT_EQ(resent->timestamp, 900'000u + 12'000);
  EXPECT_EQ(sender_.stats().nack_misses, 0u);
  // Not sent yet: a miss, no lookup.
  actions = sender_.on_rtcp(
      [] {
        Bytes out;
        EXPECT_TRUE(rtp::write_rtcp(rtp::Nack{1, kVideoSsrc, {5013}}, out).ok());
        return out;
      }(),
      2'000'000, lookup());
  EXPECT_TRUE(actions.retransmissions.empty());
  EXPECT_EQ(lookups_.size(), 4u);
  EXPECT_EQ(sender_.stats().nack_misses, 1u);
}

TEST_F(RenditionSwitch, ALaggingRenditionStillMovesTimeForward) {
  // The high rendition is ahead (the low one is transcoded and comes later): its frames up
  // to pts 120000 went out before low's keyframe at 102000 arrives.
  write(high_.frame(90'000, true), kHigh);
  auto last = write(high_.frame(120'000, false), kHigh);
  ASSERT_EQ(last.size(), 2u);
  auto moved = write(low_.frame(102'000, true), kLow);
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved[0].sequence, uint16_t(last[1].sequence + 1));
  EXPECT_EQ(moved[0].timestamp, last[1].timestamp + 3000);  // one frame on, not back in time
  auto next = write(low_.frame(105'000, false), kLow);
  EXPECT_EQ(next[0].timestamp, moved[0].timestamp + 3000);  // the low clock runs on from there

  // And back to the high rendition, which is ahead: its keyframe keeps its own distance.
  auto back = write(high_.frame(150'000, true), kHigh);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].sequence, uint16_t(next[1].sequence + 1));
  EXPECT_EQ(back[0].timestamp, next[1].timestamp + 45'000);
  EXPECT_EQ(sender_.stats().switches, 2u);
}

TEST_F(RenditionSwitch, AudioIsUntouchedByVideoSwitches) {
  Bytes out;
  auto audio = [](uint16_t seq, uint32_t ts) {
    SharedRtpPacket p;
    p.kind = media::MediaKind::audio;
    p.sequence = seq;
    p.timestamp = ts;
    p.payload = base::Buffer::copy_of(Bytes{1, 2, 3});
    return p;
  };
  const uint32_t kAudioSource = 7;
  ASSERT_TRUE(sender_.write(audio(300, 0), false, 0, out, kAudioSource));
  write(high_.frame(90'000, true), kHigh);
  write(low_.frame(93'000, true), kLow);
  ASSERT_TRUE(sender_.write(audio(301, 960), false, 0, out, kAudioSource));
  auto v = parse(out);
  EXPECT_EQ(v.sequence, 1001);
  EXPECT_EQ(v.timestamp, 10'960u);
  EXPECT_EQ(sender_.stats().switches, 1u);
}

}  // namespace
}  // namespace vela::egress
