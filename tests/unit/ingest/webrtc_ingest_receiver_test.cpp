// WebRtcIngestReceiver against a synthetic publisher: RTP made with Vela's own H.264
// packetizer from hand-made access units (a real SPS/PPS), Opus payloads, RTX, and RTCP.
#include "ingest/webrtc/webrtc_ingest_receiver.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "media/codec/h264.hpp"
#include "protocol/rtp/h264_packetizer.hpp"
#include "protocol/rtp/rtcp.hpp"
#include "protocol/rtp/rtp_packet.hpp"

namespace vela::ingest {
namespace {

using namespace protocol::rtp;
using Bytes = std::vector<uint8_t>;

constexpr uint8_t kVideoPt = 102;
constexpr uint8_t kRtxPt = 103;
constexpr uint8_t kAudioPt = 111;
constexpr uint8_t kTwccId = 3;
constexpr uint32_t kVideoSsrc = 0x11111111;
constexpr uint32_t kRtxSsrc = 0x22222222;
constexpr uint32_t kAudioSsrc = 0x33333333;
constexpr uint32_t kOurSsrc = 0xABCD;
constexpr int64_t kStart = 10'000'000;  // now_us of the first packet

// avcC records of real encoders (tests/unit/media/h264_test.cpp).
constexpr const char* kAvcc360p =
    "0142c01effe100196742c01ed900a02ff970110000030001000003003c0f162e4801000568cb83cb20";
constexpr const char* kAvcc720p =
    "0164001fffe1001a6764001facd9405005bb0110000003001000000303c0f183196001000668ebe3cb22c0fdf8f80"
    "0";

Bytes from_hex(std::string_view hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

struct ParameterSets {
  Bytes sps, pps;
};
ParameterSets parameter_sets(const char* avcc_hex) {
  auto config = media::codec::parse_avc_config(from_hex(avcc_hex));
  EXPECT_TRUE(config);
  return {Bytes(config->sps[0].span().begin(), config->sps[0].span().end()),
          Bytes(config->pps[0].span().begin(), config->pps[0].span().end())};
}

Bytes slice(uint8_t header, size_t size, uint8_t seed) {
  Bytes nal{header};
  for (size_t i = 1; i < size; ++i) nal.push_back(static_cast<uint8_t>(seed + i * 7));
  return nal;
}
Bytes idr(size_t size, uint8_t seed) {
  return slice(0x65, size, seed);
}
Bytes p_slice(size_t size, uint8_t seed) {
  return slice(0x41, size, seed);
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

protocol::sdp::Negotiated negotiated(bool video, bool audio, bool announce_ssrcs = true) {
  protocol::sdp::Negotiated n;
  n.extensions.transport_cc = kTwccId;
  if (audio) {
    protocol::sdp::NegotiatedMedia m;
    m.mid = "0";
    m.kind = protocol::sdp::MediaKind::audio;
    m.payload_type = kAudioPt;
    m.encoding = "opus";
    m.clock_rate = 48'000;
    m.channels = 2;
    m.transport_cc = true;
    m.extensions.transport_cc = kTwccId;
    if (announce_ssrcs) m.remote_sources.push_back({kAudioSsrc, std::nullopt, "pub"});
    n.media.push_back(m);
  }
  if (video) {
    protocol::sdp::NegotiatedMedia m;
    m.index = 1;
    m.mid = "1";
    m.kind = protocol::sdp::MediaKind::video;
    m.payload_type = kVideoPt;
    m.encoding = "H264";
    m.clock_rate = 90'000;
    m.rtx_payload_type = kRtxPt;
    m.nack = m.pli = m.fir = m.transport_cc = true;
    m.extensions.transport_cc = kTwccId;
    if (announce_ssrcs) m.remote_sources.push_back({kVideoSsrc, kRtxSsrc, "pub"});
    n.media.push_back(m);
  }
  return n;
}

WebRtcIngestOptions test_options() {
  WebRtcIngestOptions o;
  o.feedback_ssrc = kOurSsrc;
  return o;
}

// Makes the publisher's RTP: sequence numbers and transport-wide numbers advance per packet.
struct Publisher {
  uint16_t video_seq = 40'000;
  uint16_t rtx_seq = 7;
  uint16_t audio_seq = 100;
  uint16_t transport_seq = 0;

  Bytes rtp(uint8_t pt, uint32_t ssrc, uint16_t seq, uint32_t ts, bool marker,
            std::span<const uint8_t> payload) {
    RtpHeader h;
    h.marker = marker;
    h.payload_type = pt;
    h.sequence = seq;
    h.timestamp = ts;
    h.ssrc = ssrc;
    const uint16_t t = transport_seq++;
    h.extensions.push_back({kTwccId, {static_cast<uint8_t>(t >> 8), static_cast<uint8_t>(t)}});
    Bytes out;
    EXPECT_TRUE(write_rtp(h, payload, out));
    return out;
  }
  std::vector<Bytes> video(const std::vector<Bytes>& nals, uint32_t ts, size_t max_payload = 1200) {
    auto payloads = packetize_h264(base::Buffer::adopt(avcc(nals)), max_payload);
    EXPECT_TRUE(payloads);
    std::vector<Bytes> packets;
    for (const auto& p : *payloads)
      packets.push_back(rtp(kVideoPt, kVideoSsrc, video_seq++, ts, p.marker, p.data.span()));
    return packets;
  }
  Bytes audio(uint32_t ts, uint8_t fill = 0xFC) {
    Bytes payload(60, fill);
    return rtp(kAudioPt, kAudioSsrc, audio_seq++, ts, false, payload);
  }
  // RFC 4588: the original sequence number, then the original payload.
  Bytes rtx(const Bytes& media_packet) {
    auto p = parse_rtp(media_packet);
    EXPECT_TRUE(p);
    Bytes payload{static_cast<uint8_t>(p->sequence >> 8), static_cast<uint8_t>(p->sequence)};
    payload.insert(payload.end(), p->payload.begin(), p->payload.end());
    return rtp(kRtxPt, kRtxSsrc, rtx_seq++, p->timestamp, p->marker, payload);
  }
};

struct Feedback {
  std::vector<Nack> nacks;
  std::vector<Pli> plis;
  std::vector<Fir> firs;
  std::vector<TransportFeedback> twcc;
  std::vector<ReceiverReport> reports;
  std::vector<Sdes> sdes;
  std::vector<uint8_t> first_types;  // packet type of the first packet of each compound
};
Feedback parse_feedback(const std::vector<Bytes>& compounds) {
  Feedback f;
  for (const auto& c : compounds) {
    auto parsed = parse_rtcp(c);
    EXPECT_FALSE(parsed.error) << parsed.error->message;
    EXPECT_EQ(parsed.skipped, 0u);
    f.first_types.push_back(c.size() > 1 ? c[1] : 0);
    for (auto& m : parsed.messages) {
      if (auto* x = std::get_if<Nack>(&m)) f.nacks.push_back(*x);
      if (auto* x = std::get_if<Pli>(&m)) f.plis.push_back(*x);
      if (auto* x = std::get_if<Fir>(&m)) f.firs.push_back(*x);
      if (auto* x = std::get_if<TransportFeedback>(&m)) f.twcc.push_back(*x);
      if (auto* x = std::get_if<ReceiverReport>(&m)) f.reports.push_back(*x);
      if (auto* x = std::get_if<Sdes>(&m)) f.sdes.push_back(*x);
    }
  }
  return f;
}
Feedback take(WebRtcIngestReceiver& r, int64_t now) {
  std::vector<Bytes> compounds;
  r.take_feedback(now, compounds);
  return parse_feedback(compounds);
}

std::vector<uint16_t> nacked(const Feedback& f) {
  std::vector<uint16_t> out;
  for (const auto& n : f.nacks) out.insert(out.end(), n.sequences.begin(), n.sequences.end());
  return out;
}

std::vector<media::FramePtr> frames_of(const std::vector<media::FramePtr>& frames, uint32_t track) {
  std::vector<media::FramePtr> out;
  for (const auto& f : frames) {
    if (f->track_id == track) out.push_back(f);
  }
  return out;
}

Bytes bytes_of(const base::Buffer& b) {
  return Bytes(b.span().begin(), b.span().end());
}

class ReceiverTest : public ::testing::Test {
 protected:
  ParameterSets ps = parameter_sets(kAvcc360p);
  Publisher pub;

  std::vector<Bytes> keyframe(uint32_t ts, uint8_t seed = 1, size_t max_payload = 1200) {
    return pub.video({ps.sps, ps.pps, idr(3000, seed)}, ts, max_payload);
  }
  static void feed(WebRtcIngestReceiver& r, const std::vector<Bytes>& packets, int64_t now) {
    for (const auto& p : packets) r.on_rtp(p, now);
  }
};

TEST_F(ReceiverTest, DeclaresBothTracksAtTheFirstKeyframeAndStampsDts) {
  WebRtcIngestReceiver r(negotiated(true, true), test_options());
  WebRtcIngestOutput out;
  // Audio first: the receiver's zero. It is dropped until the video track is known.
  r.on_rtp(pub.audio(5000), kStart);
  r.on_rtp(pub.audio(5960), kStart + 20'000);
  r.poll(kStart + 20'000, out);
  EXPECT_FALSE(out.tracks_changed);
  EXPECT_TRUE(out.frames.empty());

  // Video arrives 40 ms after the first audio packet: its timeline starts at 3600 (90 kHz).
  const uint32_t vts = 777'000;
  feed(r, keyframe(vts), kStart + 40'000);
  feed(r, pub.video({p_slice(900, 2)}, vts + 3000), kStart + 73'000);
  r.on_rtp(pub.audio(5000 + 960 * 3), kStart + 80'000);
  r.poll(kStart + 100'000, out);  // after the depacketizer's start-up hold

  ASSERT_TRUE(out.tracks_changed);
  ASSERT_EQ(out.tracks.size(), 2u);
  const auto& video = out.tracks[0];
  EXPECT_EQ(video.id, kWebRtcVideoTrackId);
  EXPECT_EQ(video.kind, media::MediaKind::video);
  EXPECT_EQ(video.codec, media::Codec::h264);
  EXPECT_EQ(video.codec_string, "avc1.42c01e");
  EXPECT_EQ(video.width, 640u);
  EXPECT_EQ(video.height, 360u);
  EXPECT_EQ(bytes_of(video.codec_config), from_hex(kAvcc360p));
  EXPECT_LT(video.id, media::kFirstDerivedTrackId);
  const auto& audio = out.tracks[1];
  EXPECT_EQ(audio.id, kWebRtcAudioTrackId);
  EXPECT_EQ(audio.codec, media::Codec::opus);
  EXPECT_EQ(audio.codec_string, "opus");
  EXPECT_EQ(audio.timescale, 48'000);
  EXPECT_EQ(audio.sample_rate, 48'000u);
  EXPECT_EQ(audio.channels, 2u);
  const Bytes head = bytes_of(audio.codec_config);
  ASSERT_EQ(head.size(), 19u);
  EXPECT_EQ(std::string(head.begin(), head.begin() + 8), "OpusHead");
  EXPECT_EQ(head[9], 2);  // channels

  auto v = frames_of(out.frames, kWebRtcVideoTrackId);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_TRUE(v[0]->keyframe);
  EXPECT_EQ(v[0]->dts, 3600);
  EXPECT_EQ(v[0]->cts, 0);
  EXPECT_EQ(bytes_of(v[0]->payload), avcc({ps.sps, ps.pps, idr(3000, 1)}));  // SPS/PPS kept in-band
  EXPECT_FALSE(v[1]->keyframe);
  EXPECT_EQ(v[1]->dts, 6600);
  EXPECT_EQ(bytes_of(v[1]->payload), avcc({p_slice(900, 2)}));
  EXPECT_EQ(v[0]->wall_clock_us, 0);

  auto a = frames_of(out.frames, kWebRtcAudioTrackId);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->dts, 960 * 3);  // audio's timeline started at its own first packet
  EXPECT_TRUE(a[0]->keyframe);
  EXPECT_EQ(bytes_of(a[0]->payload), Bytes(60, 0xFC));

  EXPECT_EQ(r.stats().dropped_frames, 2u);  // the two audio frames before the tracks
  EXPECT_EQ(r.stats().frames, 3u);
  EXPECT_EQ(r.stats().keyframes, 1u);
  EXPECT_EQ(r.stats().plis_sent, 0u);

  r.poll(kStart + 120'000, out);
  EXPECT_FALSE(out.tracks_changed);
  EXPECT_TRUE(out.frames.empty());
}

TEST_F(ReceiverTest, WallClockFollowsTheOffsetWhenGiven) {
  auto options = test_options();
  options.wall_clock_offset_us = 1'700'000'000'000'000 - kStart;
  WebRtcIngestReceiver r(negotiated(true, false), options);
  feed(r, keyframe(90'000), kStart);
  feed(r, pub.video({p_slice(100, 3)}, 90'000 + 9000), kStart + 100'000);
  WebRtcIngestOutput out;
  r.poll(kStart + 100'000, out);
  ASSERT_EQ(out.frames.size(), 2u);
  EXPECT_EQ(out.frames[0]->wall_clock_us, 1'700'000'000'000'000);
  EXPECT_EQ(out.frames[1]->wall_clock_us, 1'700'000'000'100'000);
}

TEST_F(ReceiverTest, AudioOnlyDeclaresAtOnce) {
  WebRtcIngestReceiver r(negotiated(false, true), test_options());
  WebRtcIngestOutput out;
  r.poll(kStart, out);
  ASSERT_TRUE(out.tracks_changed);
  ASSERT_EQ(out.tracks.size(), 1u);
  EXPECT_EQ(out.tracks[0].id, kWebRtcAudioTrackId);
  for (int i = 0; i < 5; ++i)
    r.on_rtp(pub.audio(static_cast<uint32_t>(1000 + 960 * i)), kStart + i * 20'000);
  r.poll(kStart + 100'000, out);
  EXPECT_FALSE(out.tracks_changed);
  ASSERT_EQ(out.frames.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out.frames[i]->dts, 960 * i);
}

TEST_F(ReceiverTest, AudioAloneAfterTheVideoWaitThenVideoJoins) {
  WebRtcIngestReceiver r(negotiated(true, true), test_options());
  WebRtcIngestOutput out;
  for (int i = 0; i < 110; ++i) {
    r.on_rtp(pub.audio(static_cast<uint32_t>(960 * i)), kStart + i * 20'000);
    r.poll(kStart + i * 20'000, out);
    if (out.tracks_changed) {
      EXPECT_EQ(i, 100);  // 2 s after the first audio packet
      ASSERT_EQ(out.tracks.size(), 1u);
      EXPECT_EQ(out.tracks[0].kind, media::MediaKind::audio);
      break;
    }
  }
  ASSERT_TRUE(out.tracks_changed);
  feed(r, keyframe(5000), kStart + 2'100'000);
  r.poll(kStart + 2'200'000, out);
  ASSERT_TRUE(out.tracks_changed);
  ASSERT_EQ(out.tracks.size(), 2u);
  EXPECT_EQ(out.tracks[0].kind, media::MediaKind::video);
  ASSERT_EQ(out.frames.size(), 1u);
  EXPECT_EQ(out.frames[0]->dts, 2'100'000 * 9 / 100);
}

TEST_F(ReceiverTest, ReorderedAndDuplicatedPacketsMakeOneFrame) {
  WebRtcIngestReceiver r(negotiated(true, false), test_options());
  auto packets = keyframe(1000, 9, 300);  // FU-A fragments
  ASSERT_GT(packets.size(), 8u);
  std::mt19937 rng(42);
  std::shuffle(packets.begin(), packets.end(), rng);
  packets.push_back(packets[2]);
  feed(r, packets, kStart);
  WebRtcIngestOutput out;
  r.poll(kStart + 50'000, out);
  ASSERT_EQ(out.frames.size(), 1u);
  EXPECT_EQ(bytes_of(out.frames[0]->payload), avcc({ps.sps, ps.pps, idr(3000, 9)}));
}

TEST_F(ReceiverTest, NackForTheGapAndRtxFillsIt) {
  WebRtcIngestReceiver r(negotiated(true, false), test_options());
  WebRtcIngestOutput out;
  feed(r, keyframe(1000), kStart);
  r.poll(kStart + 30'000, out);
  ASSERT_EQ(out.frames.size(), 1u);
  take(r, kStart + 30'000);  // the first RR

  auto p1 = pub.video({p_slice(2000, 4)}, 4000, 500);  // 5 FU-A packets
  ASSERT_EQ(p1.size(), 5u);
  const Bytes lost = p1[2];
  p1.erase(p1.begin() + 2);
  feed(r, p1, kStart + 40'000);
  r.poll(kStart + 40'000, out);
  EXPECT_TRUE(out.frames.empty());

  auto fb = take(r, kStart + 45'000);
  ASSERT_EQ(fb.nacks.size(), 1u);
  EXPECT_EQ(fb.nacks[0].sender_ssrc, kOurSsrc);
  EXPECT_EQ(fb.nacks[0].media_ssrc, kVideoSsrc);
  EXPECT_EQ(nacked(fb), std::vector<uint16_t>{parse_rtp(lost)->sequence});
  EXPECT_TRUE(fb.plis.empty());
  EXPECT_EQ(r.stats().nacks_sent, 1u);

  r.on_rtp(pub.rtx(lost), kStart + 60'000);
  r.poll(kStart + 60'000, out);
  ASSERT_EQ(out.frames.size(), 1u);
  EXPECT_EQ(bytes_of(out.frames[0]->payload), avcc({p_slice(2000, 4)}));
  EXPECT_EQ(out.frames[0]->dts, 3000);
  EXPECT_EQ(r.stats().rtx_packets, 1u);
  EXPECT_EQ(r.stats().lost, 0u);
  // Recovered: no more NACKs, no PLI.
  fb = take(r, kStart + 300'000);
  EXPECT_TRUE(fb.nacks.empty());
  EXPECT_TRUE(fb.plis.empty());
}

TEST_F(ReceiverTest, UnrecoveredLossSendsPliAndResumesAtTheNextKeyframe) {
  WebRtcIngestReceiver r(negotiated(true, false), test_options());
  WebRtcIngestOutput out;
  feed(r, keyframe(0), kStart);
  r.poll(kStart + 30'000, out);
  ASSERT_EQ(out.frames.size(), 1u);

  auto p1 = pub.video({p_slice(2000, 4)}, 3000, 500);
  p1.erase(p1.begin() + 1);  // never comes back
  feed(r, p1, kStart + 33'000);
  feed(r, pub.video({p_slice(300, 5)}, 6000), kStart + 66'000);
  r.poll(kStart + 250'000, out);  // the depacketizer gives up on the gap
  EXPECT_TRUE(out.frames.empty());
  EXPECT_EQ(r.stats().lost, 1u);

  auto fb = take(r, kStart + 250'000);
  ASSERT_EQ(fb.plis.size(), 1u);
  EXPECT_EQ(fb.plis[0].sender_ssrc, kOurSsrc);
  EXPECT_EQ(fb.plis[0].media_ssrc, kVideoSsrc);
  EXPECT_EQ(r.stats().plis_sent, 1u);
  EXPECT_TRUE(take(r, kStart + 300'000).plis.empty());   // rate limited
  EXPECT_EQ(take(r, kStart + 760'000).plis.size(), 1u);  // repeated: no keyframe yet

  feed(r, pub.video({p_slice(300, 6)}, 9000), kStart + 770'000);  // still waiting: dropped
  feed(r, keyframe(12'000, 7), kStart + 780'000);
  feed(r, pub.video({p_slice(300, 8)}, 15'000), kStart + 800'000);
  r.poll(kStart + 800'000, out);
  ASSERT_EQ(out.frames.size(), 2u);
  EXPECT_TRUE(out.frames[0]->keyframe);
  EXPECT_EQ(out.frames[0]->dts, 12'000);
  EXPECT_EQ(out.frames[1]->dts, 15'000);
  EXPECT_TRUE(take(r, kStart + 2'000'000).plis.empty());  // the keyframe came: no more
}

TEST_F(ReceiverTest, ViewerKeyframeRequestsAreRateLimited) {
  WebRtcIngestReceiver r(negotiated(true, false), test_options());
  WebRtcIngestOutput out;
  feed(r, keyframe(0), kStart);
  r.poll(kStart + 30'000, out);
  take(r, kStart + 30'000);
  r.request_keyframe(kStart + 40'000);
  EXPECT_EQ(take(r, kStart + 40'000).plis.size(), 1u);
  r.request_keyframe(kStart + 50'000);
  EXPECT_TRUE(take(r, kStart + 50'000).plis.empty());
  EXPECT_EQ(take(r, kStart + 540'000).plis.size(), 1u);
  feed(r, keyframe(90'000, 3), kStart + 600'000);
  r.poll(kStart + 600'000, out);
  EXPECT_TRUE(take(r, kStart + 1'200'000).plis.empty());
  EXPECT_EQ(r.stats().plis_sent, 2u);
}

TEST_F(ReceiverTest, FirWhenOnlyFirWasNegotiated) {
  auto n = negotiated(true, false);
  n.media[0].pli = false;
  WebRtcIngestReceiver r(n, test_options());
  feed(r, keyframe(0), kStart);
  r.request_keyframe(kStart);
  auto fb = take(r, kStart);
  EXPECT_TRUE(fb.plis.empty());
  ASSERT_EQ(fb.firs.size(), 1u);
  ASSERT_EQ(fb.firs[0].entries.size(), 1u);
  EXPECT_EQ(fb.firs[0].entries[0].ssrc, kVideoSsrc);
  EXPECT_EQ(fb.firs[0].entries[0].sequence, 1);
}

TEST_F(ReceiverTest, TransportFeedbackCarriesTheArrivals) {
  WebRtcIngestReceiver r(negotiated(true, true), test_options());
  std::vector<int64_t> arrivals;
  for (int i = 0; i < 10; ++i) {
    Bytes packet = pub.audio(static_cast<uint32_t>(960 * i));
    arrivals.push_back(kStart + i * 20'000 + (i % 3) * 1000);
    if (i != 5) r.on_rtp(packet, arrivals.back());  // transport-wide number 5 is lost
  }
  auto fb = take(r, kStart + 200'000);
  ASSERT_EQ(fb.twcc.size(), 1u);
  const auto& twcc = fb.twcc[0];
  EXPECT_EQ(twcc.sender_ssrc, kOurSsrc);
  EXPECT_EQ(twcc.base_sequence, 0);
  EXPECT_EQ(twcc.feedback_count, 0);
  auto got = feedback_arrivals(twcc);
  ASSERT_EQ(got.size(), 10u);
  const int64_t offset = *got[0].arrival_us - arrivals[0];  // reference time is modulo 2^24 * 64 ms
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(got[i].sequence, i);
    if (i == 5) {
      EXPECT_FALSE(got[i].arrival_us);
    } else {
      ASSERT_TRUE(got[i].arrival_us);
      EXPECT_NEAR(static_cast<double>(*got[i].arrival_us - offset),
                  static_cast<double>(arrivals[i]), 250);
    }
  }
  // Next interval: numbers 10 and 11 never come; the feedback starts right after 9.
  pub.transport_seq = 12;
  r.on_rtp(pub.audio(960 * 12), kStart + 210'000);
  EXPECT_TRUE(take(r, kStart + 220'000).twcc.empty());  // within 50 ms of the last one
  fb = take(r, kStart + 260'000);
  ASSERT_EQ(fb.twcc.size(), 1u);
  EXPECT_EQ(fb.twcc[0].base_sequence, 10);
  EXPECT_EQ(fb.twcc[0].feedback_count, 1);
  got = feedback_arrivals(fb.twcc[0]);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[0].arrival_us);
  EXPECT_FALSE(got[1].arrival_us);
  EXPECT_TRUE(got[2].arrival_us);
  EXPECT_EQ(r.stats().transport_feedback_sent, 2u);
}

TEST_F(ReceiverTest, NoTransportFeedbackWhenNotNegotiated) {
  auto n = negotiated(true, true);
  for (auto& m : n.media) m.transport_cc = false;
  WebRtcIngestReceiver r(n, test_options());
  r.on_rtp(pub.audio(0), kStart);
  EXPECT_TRUE(take(r, kStart + 100'000).twcc.empty());
}

TEST_F(ReceiverTest, ReceiverReportsLossJitterAndSenderReportTiming) {
  WebRtcIngestReceiver r(negotiated(true, true), test_options());
  // 20 audio packets 20 ms apart, arriving exactly on time (no jitter); two are lost.
  for (int i = 0; i < 20; ++i) {
    Bytes packet = pub.audio(static_cast<uint32_t>(960 * i));
    if (i != 5 && i != 6) r.on_rtp(packet, kStart + i * 20'000);
  }
  auto fb = take(r, kStart + 400'000);
  ASSERT_EQ(fb.reports.size(), 1u);
  EXPECT_EQ(fb.first_types[0], kRtcpRr);
  EXPECT_EQ(fb.reports[0].ssrc, kOurSsrc);
  ASSERT_EQ(fb.reports[0].reports.size(), 1u);  // no video yet
  auto block = fb.reports[0].reports[0];
  EXPECT_EQ(block.ssrc, kAudioSsrc);
  EXPECT_EQ(block.highest_sequence, 119u);
  EXPECT_EQ(block.cumulative_lost, 2);
  EXPECT_EQ(block.fraction_lost, 2 * 256 / 20);
  EXPECT_EQ(block.jitter, 0u);
  EXPECT_EQ(block.last_sr, 0u);
  EXPECT_EQ(block.delay_since_last_sr, 0u);
  ASSERT_EQ(fb.sdes.size(), 1u);
  EXPECT_EQ(fb.sdes[0].chunks[0].cname, "vela");
  EXPECT_TRUE(take(r, kStart + 900'000).reports.empty());  // once a second

  // A sender report; 450 ms later the RR echoes it.
  SenderReport sr;
  sr.ssrc = kAudioSsrc;
  sr.ntp_time = 0x1234'5678'9ABC'DEF0ull;
  Bytes sr_packet;
  ASSERT_TRUE(write_rtcp(sr, sr_packet));
  r.on_rtcp(sr_packet, kStart + 950'000);
  EXPECT_EQ(r.stats().sender_reports, 1u);
  // From 1 s on (the RTP clock following), every other packet arrives 10 ms late: jitter rises.
  for (int i = 20; i < 40; ++i) {
    const int64_t sent = 1'000'000 + (i - 20) * 20'000;
    r.on_rtp(pub.audio(static_cast<uint32_t>(sent * 48 / 1000)), kStart + sent + (i % 2) * 10'000);
  }
  fb = take(r, kStart + 1'400'000);
  ASSERT_EQ(fb.reports.size(), 1u);
  block = fb.reports[0].reports[0];
  EXPECT_EQ(block.highest_sequence, 139u);
  EXPECT_EQ(block.cumulative_lost, 2);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.last_sr, 0x5678'9ABCu);
  EXPECT_EQ(block.delay_since_last_sr, 450'000ull * 65536 / 1'000'000);
  EXPECT_GT(block.jitter, 100u);  // 480 ticks of delay swing, smoothed by 1/16
  EXPECT_LT(block.jitter, 480u);
}

TEST_F(ReceiverTest, FeedbackAsFullCompoundsWhenReducedSizeIsOff) {
  auto options = test_options();
  options.reduced_size_rtcp = false;
  WebRtcIngestReceiver r(negotiated(true, false), options);
  feed(r, keyframe(0), kStart);
  take(r, kStart);
  r.request_keyframe(kStart + 10'000);
  std::vector<Bytes> compounds;
  r.take_feedback(kStart + 10'000, compounds);
  ASSERT_FALSE(compounds.empty());
  for (const auto& c : compounds) EXPECT_EQ(c[1], kRtcpRr);
  auto fb = parse_feedback(compounds);
  EXPECT_EQ(fb.plis.size(), 1u);
}

TEST_F(ReceiverTest, ResolutionChangeDeclaresTheTracksAgainAfterTheOldFrames) {
  WebRtcIngestReceiver r(negotiated(true, false), test_options());
  WebRtcIngestOutput out;
  feed(r, keyframe(0), kStart);
  r.poll(kStart + 30'000, out);
  ASSERT_TRUE(out.tracks_changed);
  ASSERT_EQ(out.frames.size(), 1u);

  feed(r, keyframe(3000), kStart + 33'000);  // same SPS/PPS: no change
  feed(r, pub.video({p_slice(100, 1)}, 6000), kStart + 66'000);
  const auto hd = parameter_sets(kAvcc720p);
  feed(r, pub.video({hd.sps, hd.pps, idr(4000, 2)}, 9000), kStart + 100'000);
  feed(r, pub.video({p_slice(100, 3)}, 12'000), kStart + 133'000);

  r.poll(kStart + 140'000, out);
  EXPECT_FALSE(out.tracks_changed);
  ASSERT_EQ(out.frames.size(), 2u);  // the old resolution's frames first
  EXPECT_EQ(out.frames[1]->dts, 6000);
  r.poll(kStart + 141'000, out);
  ASSERT_TRUE(out.tracks_changed);
  ASSERT_EQ(out.tracks.size(), 1u);
  EXPECT_EQ(out.tracks[0].width, 1280u);
  EXPECT_EQ(out.tracks[0].height, 720u);
  EXPECT_EQ(out.tracks[0].codec_string, "avc1.64001f");
  EXPECT_EQ(bytes_of(out.tracks[0].codec_config).size(),
            from_hex(kAvcc720p).size() - 4);  // no high-profile tail
  ASSERT_EQ(out.frames.size(), 2u);
  EXPECT_TRUE(out.frames[0]->keyframe);
  EXPECT_EQ(out.frames[0]->dts, 9000);
  EXPECT_EQ(r.stats().track_changes, 1u);
}

TEST_F(ReceiverTest, TimestampsWrapAround) {
  auto options = test_options();
  options.depacketizer.startup_hold_us = 0;  // the keyframe comes out (declaring) at once
  WebRtcIngestReceiver r(negotiated(true, true), options);
  WebRtcIngestOutput out;
  const uint32_t vts = 0xFFFFFFFFu - 4000;
  const uint32_t ats = 0xFFFFFFFFu - 1000;
  for (uint32_t i = 0; i < 5; ++i) {
    const int64_t now = kStart + i * 33'000;
    feed(
        r,
        i == 0 ? keyframe(vts) : pub.video({p_slice(100, static_cast<uint8_t>(i))}, vts + 3000 * i),
        now);
    r.on_rtp(pub.audio(ats + 960 * i), now);
  }
  r.poll(kStart + 200'000, out);
  auto v = frames_of(out.frames, kWebRtcVideoTrackId);
  auto a = frames_of(out.frames, kWebRtcAudioTrackId);
  ASSERT_EQ(v.size(), 5u);
  ASSERT_EQ(a.size(), 5u);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i]->dts, static_cast<int64_t>(3000 * i));
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i]->dts, static_cast<int64_t>(960 * i));
  EXPECT_EQ(r.stats().discontinuities, 0u);
}

TEST_F(ReceiverTest, ATimestampJumpIsADiscontinuityNeverABackwardStep) {
  WebRtcIngestReceiver r(negotiated(false, true), test_options());
  WebRtcIngestOutput out;
  r.on_rtp(pub.audio(1000), kStart);
  r.on_rtp(pub.audio(1960), kStart + 20'000);
  r.on_rtp(pub.audio(1000 + 0x70000000u), kStart + 40'000);  // hours ahead
  r.on_rtp(pub.audio(1000 + 0x70000000u + 960), kStart + 60'000);
  r.on_rtp(pub.audio(1000 + 0x70000000u), kStart + 61'000);  // duplicate: dropped
  r.poll(kStart + 100'000, out);
  ASSERT_EQ(out.frames.size(), 4u);
  EXPECT_EQ(out.frames[1]->dts, 960);
  EXPECT_TRUE(out.frames[2]->discontinuity);
  EXPECT_EQ(out.frames[2]->dts, 40'000 * 48 / 1000);  // re-anchored at its arrival
  EXPECT_EQ(out.frames[3]->dts, out.frames[2]->dts + 960);
  EXPECT_EQ(r.stats().discontinuities, 1u);
  EXPECT_EQ(r.stats().dropped_frames, 1u);
}

TEST_F(ReceiverTest, LearnsSsrcsWhenNotAnnouncedAndDropsOthers) {
  WebRtcIngestReceiver r(negotiated(true, true, false), test_options());
  WebRtcIngestOutput out;
  feed(r, keyframe(0), kStart);
  r.on_rtp(pub.audio(0), kStart);
  // Another SSRC with the video payload type, and the audio SSRC with the RTX type.
  Publisher other;
  Bytes stray = other.rtp(kVideoPt, 0x99999999, 1, 0, true, idr(50, 1));
  r.on_rtp(stray, kStart + 1000);
  Bytes hijack = other.rtp(kRtxPt, kAudioSsrc, 1, 0, true, Bytes{0, 1, 0x41, 2});
  r.on_rtp(hijack, kStart + 1000);
  r.poll(kStart + 50'000, out);
  EXPECT_EQ(frames_of(out.frames, kWebRtcVideoTrackId).size(), 1u);
  EXPECT_EQ(r.stats().unknown_ssrc, 2u);
}

TEST_F(ReceiverTest, PaddingOnTheVideoSsrcIsNotLoss) {
  WebRtcIngestReceiver r(negotiated(true, false), test_options());
  WebRtcIngestOutput out;
  feed(r, keyframe(0), kStart);
  RtpHeader h;
  h.payload_type = kVideoPt;
  h.ssrc = kVideoSsrc;
  h.sequence = pub.video_seq++;
  h.padding = 200;
  Bytes padding;
  ASSERT_TRUE(write_rtp(h, {}, padding));
  r.on_rtp(padding, kStart + 10'000);
  feed(r, pub.video({p_slice(100, 1)}, 3000), kStart + 33'000);
  r.poll(kStart + 50'000, out);
  ASSERT_EQ(out.frames.size(), 2u);
  EXPECT_EQ(bytes_of(out.frames[1]->payload), avcc({p_slice(100, 1)}));
  EXPECT_EQ(r.stats().padding, 1u);
  EXPECT_TRUE(nacked(take(r, kStart + 60'000)).empty());
}

TEST_F(ReceiverTest, MalformedInputIsCountedAndHarmless) {
  WebRtcIngestReceiver r(negotiated(true, true), test_options());
  const Bytes good = pub.audio(0);
  r.on_rtp(std::span(good).first(5), kStart);  // truncated
  Bytes v1 = good;
  v1[0] = static_cast<uint8_t>((v1[0] & 0x3F) | 0x40);  // version 1
  r.on_rtp(v1, kStart);
  r.on_rtp({}, kStart);
  Publisher other;
  r.on_rtp(other.rtp(96, kAudioSsrc, 1, 0, false, Bytes{1, 2, 3}), kStart);  // unknown payload type
  r.on_rtp(other.rtp(kRtxPt, kRtxSsrc, 1, 0, false, Bytes{1}), kStart);      // RTX without its OSN
  EXPECT_EQ(r.stats().malformed, 4u);
  EXPECT_EQ(r.stats().unknown_payload_type, 1u);

  const Bytes garbage = {0x80, 0xC8, 0x00, 0x40, 1, 2, 3};
  r.on_rtcp(garbage, kStart);
  r.on_rtcp({}, kStart);
  EXPECT_EQ(r.stats().rtcp_malformed, 2u);
  WebRtcIngestOutput out;
  r.poll(kStart + 100'000, out);
  EXPECT_TRUE(out.frames.empty());
  EXPECT_FALSE(out.tracks_changed);
}

TEST_F(ReceiverTest, HostileFloodStaysBounded) {
  auto options = test_options();
  options.max_pending_frames = 16;
  WebRtcIngestReceiver r(negotiated(false, true, false), options);
  std::mt19937 rng(7);
  // Audio frames nobody polls: at most max_pending_frames are kept.
  for (int i = 0; i < 100; ++i)
    r.on_rtp(pub.audio(static_cast<uint32_t>(960 * i)), kStart + i * 20'000);
  for (int i = 0; i < 20'000; ++i) {
    Bytes junk(12 + rng() % 100);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    junk[0] = 0x80;
    junk[1] = static_cast<uint8_t>(rng() % 2 ? kAudioPt : kVideoPt);
    r.on_rtp(junk, kStart + 2'000'000 + i);
    r.on_rtcp(junk, kStart + 2'000'000 + i);
  }
  WebRtcIngestOutput out;
  r.poll(kStart + 3'000'000, out);
  EXPECT_EQ(out.frames.size(), 16u);
  EXPECT_EQ(r.stats().dropped_frames, 84u);
  EXPECT_GT(r.stats().unknown_ssrc, 5000u);
  EXPECT_GT(r.stats().unknown_payload_type, 5000u);
}

}  // namespace
}  // namespace vela::ingest
