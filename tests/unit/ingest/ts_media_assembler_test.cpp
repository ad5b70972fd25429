#include "ingest/ts_media_assembler.hpp"

#include <gtest/gtest.h>

#include "media/codec/h264.hpp"
#include "media/timestamp_normalizer.hpp"
#include "unit/format/mpegts_test_util.hpp"

namespace vela::ingest {
namespace {

namespace ts = format::mpegts;
namespace tst = format::mpegts::test;
using tst::Bytes;

constexpr uint16_t kPmtPid = 0x1000;
constexpr uint16_t kVideoPid = 0x100;
constexpr uint16_t kAudioPid = 0x101;
constexpr uint64_t kWrap = uint64_t{1} << 33;

void append(Bytes& to, const Bytes& more) {
  to.insert(to.end(), more.begin(), more.end());
}

struct Muxer {
  uint8_t cc[0x2000] = {};
  Bytes out;

  void program(const std::vector<tst::TestStream>& streams, uint8_t version = 0) {
    append(out, tst::packetize(ts::kPatPid, tst::with_pointer(tst::pat_section(kPmtPid)), cc[0]));
    append(out,
           tst::packetize(kPmtPid, tst::with_pointer(tst::pmt_section(streams, kVideoPid, version)),
                          cc[kPmtPid]));
  }
  void video(uint64_t pts, uint64_t dts, const std::vector<Bytes>& nals,
             tst::PacketOptions first = {}) {
    append(out,
           tst::packetize(kVideoPid,
                          tst::make_pes(0xE0, pts % kWrap, dts % kWrap, tst::annex_b(nals), false),
                          cc[kVideoPid], first));
  }
  void audio(uint64_t pts, const std::vector<Bytes>& frames, tst::PacketOptions first = {}) {
    Bytes data;
    for (const auto& f : frames) append(data, tst::adts_frame(f));
    append(out,
           tst::packetize(kAudioPid, tst::make_pes(0xC0, pts % kWrap, std::nullopt, data, true),
                          cc[kAudioPid], first));
  }
};

const std::vector<tst::TestStream> kAv = {{0x1B, kVideoPid}, {0x0F, kAudioPid}};
const std::vector<tst::TestStream> kVideoOnly = {{0x1B, kVideoPid}};

struct Collected {
  std::vector<TracksAnnounced> announcements;
  std::vector<media::FramePtr> video, audio;
  std::vector<size_t> announce_positions;  // frames seen before each announcement
};

void collect(Collected& c, std::vector<AssembledOutput>& out) {
  for (auto& o : out) {
    if (auto* t = std::get_if<TracksAnnounced>(&o)) {
      c.announcements.push_back(*t);
      c.announce_positions.push_back(c.video.size() + c.audio.size());
    } else {
      auto frame = std::get<media::FramePtr>(o);
      (frame->track_id == kTsVideoTrackId ? c.video : c.audio).push_back(frame);
    }
  }
}

Collected run(TsMediaAssembler& a, std::span<const uint8_t> bytes, size_t step,
              bool finish = true) {
  Collected c;
  for (size_t pos = 0; pos < bytes.size(); pos += step) {
    auto out = a.feed(bytes.subspan(pos, std::min(step, bytes.size() - pos)), 1'000'000);
    EXPECT_TRUE(out.ok()) << out.error().message;
    if (!out.ok()) return c;
    collect(c, *out);
  }
  if (finish) {
    auto out = a.finish(1'000'000);
    EXPECT_TRUE(out.ok());
    if (out.ok()) collect(c, *out);
  }
  return c;
}

Bytes payload_of(const media::FramePtr& f) {
  return Bytes(f->payload.span().begin(), f->payload.span().end());
}

Bytes basic_stream() {
  Muxer m;
  m.program(kAv);
  m.video(96000, 90000, {tst::kAud, tst::kSps, tst::kPps, tst::kIdr},
          {.random_access = true, .discontinuity = false, .pcr_base = std::nullopt});
  m.audio(90000, {Bytes(20, 0x21), Bytes(21, 0x22)});
  m.video(105000, 93000, {tst::kAud, tst::kSlice});
  m.video(99000, 96000, {tst::kSlice});
  return m.out;
}

TEST(TsMediaAssembler, AnnouncesTracksOnceConfiguredAndConvertsFrames) {
  TsMediaAssembler a;
  auto c = run(a, basic_stream(), 188 * 7);
  ASSERT_EQ(c.announcements.size(), 1u);
  const auto& tracks = c.announcements[0].tracks;
  ASSERT_EQ(tracks.size(), 2u);
  EXPECT_EQ(tracks[0].id, kTsVideoTrackId);
  EXPECT_EQ(tracks[0].width, 1280u);
  EXPECT_EQ(tracks[0].codec_string, "avc1.64001f");
  EXPECT_EQ(tracks[1].id, kTsAudioTrackId);
  EXPECT_EQ(tracks[1].sample_rate, 48000u);
  EXPECT_EQ(tracks[1].codec_string, "mp4a.40.2");
  ASSERT_EQ(c.video.size(), 3u);
  ASSERT_EQ(c.audio.size(), 2u);
  // AVCC, without the AUD and the parameter sets (they are in the avcC).
  EXPECT_EQ(payload_of(c.video[0]), (Bytes{0, 0, 0, 4, 0x65, 0x88, 0x84, 0x21}));
  EXPECT_TRUE(c.video[0]->keyframe);
  EXPECT_FALSE(c.video[1]->keyframe);
  EXPECT_EQ(c.video[0]->dts, 0);
  EXPECT_EQ(c.video[0]->cts, 6000);
  EXPECT_EQ(c.video[1]->dts, 3000);
  EXPECT_EQ(c.video[1]->cts, 12000);
  EXPECT_EQ(c.video[2]->dts, 6000);
  EXPECT_EQ(c.video[2]->cts, 3000);
  // Raw AAC frames; the second 1024 samples after the first (48 kHz timescale).
  EXPECT_EQ(payload_of(c.audio[0]), Bytes(20, 0x21));
  EXPECT_EQ(payload_of(c.audio[1]), Bytes(21, 0x22));
  EXPECT_EQ(c.audio[0]->dts, 0);
  EXPECT_EQ(c.audio[1]->dts, 1024);
  EXPECT_TRUE(c.audio[1]->keyframe);
  EXPECT_EQ(c.video[0]->wall_clock_us, 1'000'000);
}

TEST(TsMediaAssembler, OneByteAtATimeGivesTheSameFrames) {
  TsMediaAssembler whole;
  auto expected = run(whole, basic_stream(), 100'000);
  TsMediaAssembler bytewise;
  auto got = run(bytewise, basic_stream(), 1);
  ASSERT_EQ(got.video.size(), expected.video.size());
  ASSERT_EQ(got.audio.size(), expected.audio.size());
  for (size_t i = 0; i < got.video.size(); ++i) {
    EXPECT_EQ(payload_of(got.video[i]), payload_of(expected.video[i]));
    EXPECT_EQ(got.video[i]->dts, expected.video[i]->dts);
  }
  EXPECT_EQ(got.announcements.size(), 1u);
}

TEST(TsMediaAssembler, RejectsUnsupportedCodecsClearly) {
  auto error_for = [](const std::vector<tst::TestStream>& streams) {
    Muxer m;
    m.program(streams);
    TsMediaAssembler a;
    auto out = a.feed(m.out, 0);
    EXPECT_FALSE(out.ok());
    auto again = a.feed(m.out, 0);  // sticky
    EXPECT_FALSE(again.ok());
    return out.ok() ? std::string() : out.error().message;
  };
  EXPECT_EQ(error_for({{0x24, kVideoPid}}), "unsupported video codec: HEVC (Vela ingests H.264)");
  EXPECT_EQ(error_for({{0x24, kVideoPid}, {0x0F, kAudioPid}}),
            "unsupported video codec: HEVC (Vela ingests H.264)");
  Bytes opus = {0x05, 0x04, 'O', 'p', 'u', 's'};
  EXPECT_EQ(error_for({{0x1B, kVideoPid}, {0x06, kAudioPid, opus}}),
            "unsupported audio codec: Opus (Vela ingests AAC)");
  EXPECT_EQ(error_for({{0x86, 0x1F4}}), "no H.264 or AAC stream in the MPEG-TS program");
}

TEST(TsMediaAssembler, NotATransportStreamIsAnError) {
  TsMediaAssembler a;
  Bytes junk(4000, 0x00);
  EXPECT_FALSE(a.feed(junk, 0).ok());
  // Packets that sync but never carry a PAT/PMT.
  TsMediaAssembler b;
  Bytes null_packet = {0x47, 0x1F, 0xFF, 0x10};
  null_packet.resize(188, 0xFF);
  Bytes many;
  for (uint64_t i = 0; i <= TsMediaAssembler::kMaxPacketsWithoutProgram; ++i)
    append(many, null_packet);
  auto out = b.feed(many, 0);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("PAT/PMT"), std::string::npos);
}

TEST(TsMediaAssembler, UnwrapsThe33BitClock) {
  Muxer m;
  m.program(kVideoOnly);
  uint64_t start = kWrap - 6000;
  for (uint64_t i = 0; i < 5; ++i) {
    std::vector<Bytes> nals = i == 0 ? std::vector<Bytes>{tst::kSps, tst::kPps, tst::kIdr}
                                     : std::vector<Bytes>{tst::kSlice};
    m.video(start + i * 3000 + 3000, start + i * 3000, nals);
  }
  TsMediaAssembler a;
  auto c = run(a, m.out, 188);
  ASSERT_EQ(c.video.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(c.video[i]->dts, static_cast<int64_t>(i) * 3000) << i;
    EXPECT_EQ(c.video[i]->cts, 3000) << i;
    EXPECT_FALSE(c.video[i]->discontinuity);
  }
}

TEST(TsMediaAssembler, MarksDiscontinuitiesAndKeepsTheTimelineContinuous) {
  Muxer m;
  m.program(kAv);
  m.video(90000, 90000, {tst::kSps, tst::kPps, tst::kIdr});
  m.audio(90000, {Bytes(8, 1)});
  m.video(93000, 93000, {tst::kSlice});
  m.audio(91920, {Bytes(8, 2)});
  m.cc[kVideoPid] = 3;
  // The encoder restarted its clock: a new time base, flagged in the adaptation field.
  m.video(500, 500, {tst::kSlice},
          {.random_access = false, .discontinuity = true, .pcr_base = 500});
  m.audio(500, {Bytes(8, 3)},
          {.random_access = false, .discontinuity = true, .pcr_base = std::nullopt});
  m.video(3500, 3500, {tst::kSlice});
  m.audio(2420, {Bytes(8, 4)});
  TsMediaAssembler a;
  auto c = run(a, m.out, 188);
  ASSERT_EQ(c.video.size(), 4u);
  ASSERT_EQ(c.audio.size(), 4u);
  // The bounded audio PES completes first: audio bridges the jump one usual audio interval
  // (1024 samples) after its last frame, and video follows the same shift, marked too.
  EXPECT_TRUE(c.audio[2]->discontinuity);
  EXPECT_EQ(c.audio[2]->dts, 2048);
  EXPECT_EQ(c.audio[3]->dts, 3072);
  EXPECT_FALSE(c.audio[3]->discontinuity);
  EXPECT_TRUE(c.video[2]->discontinuity);
  EXPECT_EQ(c.video[2]->dts, 3840);  // 2048 samples = 3840 ticks at 90 kHz
  EXPECT_EQ(c.video[3]->dts, 6840);
  EXPECT_FALSE(c.video[3]->discontinuity);
  EXPECT_EQ(a.demux_stats().cc_errors, 0u);
}

TEST(TsMediaAssembler, ReannouncesWhenTheParameterSetsChange) {
  Bytes sps2 = tst::kSps;
  sps2[3] = 0x28;  // level 4.0
  Muxer m;
  m.program(kVideoOnly);
  m.video(3000, 0, {tst::kSlice});  // before any SPS: cannot decode, dropped
  m.video(6000, 3000, {tst::kSps, tst::kPps, tst::kIdr});
  m.video(9000, 6000, {tst::kSps, tst::kPps, tst::kIdr});  // same again: no new announcement
  m.video(12000, 9000, {sps2, tst::kPps, tst::kIdr});
  m.video(15000, 12000, {tst::kSlice});
  TsMediaAssembler a;
  auto c = run(a, m.out, 188);
  ASSERT_EQ(c.announcements.size(), 2u);
  EXPECT_EQ(c.announcements[0].tracks[0].codec_string, "avc1.64001f");
  EXPECT_EQ(c.announcements[1].tracks[0].codec_string, "avc1.640028");
  EXPECT_EQ(c.announce_positions[1], 2u);  // before the frame with the new SPS
  EXPECT_EQ(c.video.size(), 4u);
  EXPECT_EQ(a.stats().frames_without_config, 1u);
}

TEST(TsMediaAssembler, ReannouncesWhenTheProgramDropsAStream) {
  Muxer m;
  m.program(kAv);
  m.video(3000, 0, {tst::kSps, tst::kPps, tst::kIdr});
  m.audio(0, {Bytes(8, 1)});
  m.video(6000, 3000, {tst::kSlice});  // completes the first video PES: announced
  m.program(kVideoOnly, 1);
  m.video(9000, 6000, {tst::kSlice});
  m.video(12000, 9000, {tst::kSlice});
  TsMediaAssembler a;
  auto c = run(a, m.out, 188);
  ASSERT_EQ(c.announcements.size(), 2u);
  EXPECT_EQ(c.announcements[0].tracks.size(), 2u);
  ASSERT_EQ(c.announcements[1].tracks.size(), 1u);
  EXPECT_EQ(c.announcements[1].tracks[0].id, kTsVideoTrackId);
}

TEST(TsMediaAssembler, HoldsFramesBoundedWhileAStreamHasNoConfig) {
  Muxer m;
  m.program(kAv);
  for (uint64_t i = 0; i < TsMediaAssembler::kMaxHeldFrames; ++i) m.audio(i * 1920, {Bytes(8, 1)});
  TsMediaAssembler a;
  auto c = run(a, m.out, 1316, false);
  ASSERT_EQ(c.announcements.size(), 1u);  // video never configured: announced with audio only
  EXPECT_EQ(c.announcements[0].tracks.size(), 1u);
  EXPECT_EQ(c.audio.size(), TsMediaAssembler::kMaxHeldFrames);
}

TEST(TsMediaAssembler, ToleratesContinuityErrorsAndBadAdts) {
  Muxer m;
  m.program(kAv);
  m.video(3000, 0, {tst::kSps, tst::kPps, tst::kIdr});
  m.audio(0, {Bytes(8, 1)});
  size_t cut = m.out.size();
  m.video(6000, 3000, {tst::kSlice, Bytes(600, 0x77)});  // loses a packet below
  m.video(9000, 6000, {tst::kSlice});
  Bytes not_adts = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  append(m.out, tst::packetize(kAudioPid, tst::make_pes(0xC0, 1920, std::nullopt, not_adts, true),
                               m.cc[kAudioPid]));
  m.audio(3840, {Bytes(8, 2)});
  Bytes stream(m.out.begin(), m.out.begin() + static_cast<ptrdiff_t>(cut + 188));
  stream.insert(stream.end(), m.out.begin() + static_cast<ptrdiff_t>(cut + 2 * 188), m.out.end());
  TsMediaAssembler a;
  auto c = run(a, stream, 188);
  EXPECT_EQ(c.video.size(), 2u);
  EXPECT_EQ(c.audio.size(), 2u);
  EXPECT_EQ(a.demux_stats().cc_errors, 1u);
  EXPECT_EQ(a.demux_stats().dropped_pes, 1u);
  EXPECT_EQ(a.stats().adts_errors, 1u);
}

// A splice_insert (out of network, 60 s break, event 0x4800008F) whose splice time is
// `pts` on the source clock.
Bytes splice_insert_at(uint64_t pts) {
  Bytes s = {0xFC, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xF0, 0x14, 0x05,
             0x48, 0x00, 0x00, 0x8F, 0x7F, 0xEF};
  s.push_back(static_cast<uint8_t>(0xFE | (pts >> 32)));  // time_specified, 33-bit PTS
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<uint8_t>(pts >> shift));
  Bytes tail = {0xFE, 0x00, 0x52, 0x65, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  append(s, tail);  // break_duration 5400000 (60 s), auto_return; ids; no descriptors
  s[2] = static_cast<uint8_t>(s.size() + 4 - 3);
  tst::append_crc(s);
  return s;
}

TEST(TsMediaAssembler, PlacesScte35CuesOnTheStreamTimeline) {
  Muxer m;
  m.program({{0x1B, kVideoPid}, {0x86, 0x1F4}});
  // The source clock is about to wrap: the cue 2 s after the frame lies past the wrap.
  uint64_t frame_pts = kWrap - 90000;
  m.video(frame_pts, frame_pts, {tst::kSps, tst::kPps, tst::kIdr});
  m.video(frame_pts + 3000, frame_pts + 3000, {tst::kSlice});
  append(m.out, tst::packetize(0x1F4, tst::with_pointer(splice_insert_at((frame_pts + 3000 + 180000) % kWrap)),
                               m.cc[0x1F4]));
  Bytes garbage_cue = {0xFC, 0x30, 0x05, 0x00};  // a sound section but no splice_info
  tst::append_crc(garbage_cue);
  append(m.out, tst::packetize(0x1F4, tst::with_pointer(garbage_cue), m.cc[0x1F4]));
  TsMediaAssembler a;
  auto c = run(a, m.out, 188);
  ASSERT_EQ(c.video.size(), 2u);  // the last frame comes out at finish
  auto cues = a.take_cues();
  ASSERT_EQ(cues.size(), 1u);
  EXPECT_EQ(cues[0].command, "splice_insert");
  EXPECT_EQ(cues[0].event_id, 0x4800008Fu);
  EXPECT_TRUE(cues[0].out_of_network);
  EXPECT_EQ(cues[0].duration, 5400000);
  ASSERT_TRUE(cues[0].pts);
  EXPECT_EQ(*cues[0].pts, c.video[1]->pts() + 180000);
  EXPECT_TRUE(a.take_cues().empty());
  EXPECT_EQ(a.stats().cues, 2u);
  EXPECT_EQ(a.stats().bad_cues, 1u);
}

TEST(TsMediaAssembler, AssemblesARealFfmpegStream) {
  auto bytes = tst::ffmpeg_test_ts();
  if (!bytes) GTEST_SKIP() << "ffmpeg not available";
  TsMediaAssembler a;
  auto c = run(a, *bytes, 1316);
  ASSERT_EQ(c.announcements.size(), 1u);
  ASSERT_EQ(c.announce_positions[0], 0u);
  const auto& tracks = c.announcements[0].tracks;
  ASSERT_EQ(tracks.size(), 2u);
  EXPECT_EQ(tracks[0].width, 320u);
  EXPECT_EQ(tracks[0].height, 240u);
  EXPECT_EQ(tracks[0].frame_rate, 30);
  EXPECT_EQ(tracks[1].sample_rate, 44100u);
  EXPECT_EQ(tracks[1].channels, 1u);
  ASSERT_EQ(c.video.size(), 60u);
  size_t keyframes = 0, reordered = 0;
  for (size_t i = 0; i < c.video.size(); ++i) {
    const auto& f = c.video[i];
    keyframes += f->keyframe;
    reordered += f->cts > 0;
    if (i > 0) {
      EXPECT_GT(f->dts, c.video[i - 1]->dts);
    }
    EXPECT_GE(f->cts, 0);
    EXPECT_FALSE(f->discontinuity);
    auto idr = media::codec::contains_idr(f->payload.span());
    ASSERT_TRUE(idr.ok());
    EXPECT_EQ(*idr, f->keyframe);
  }
  EXPECT_TRUE(c.video[0]->keyframe);
  EXPECT_TRUE(c.video[30]->keyframe);
  EXPECT_EQ(keyframes, 2u);
  EXPECT_GT(reordered, 30u);  // B-frames: composition after decode
  EXPECT_EQ(c.video[1]->dts - c.video[0]->dts, 3000);
  // About 2 s of 1024-sample frames, back to back.
  EXPECT_GE(c.audio.size(), 85u);
  EXPECT_LE(c.audio.size(), 90u);
  for (size_t i = 1; i < c.audio.size(); ++i)
    EXPECT_EQ(c.audio[i]->dts - c.audio[i - 1]->dts, 1024) << i;
  EXPECT_EQ(a.demux_stats().cc_errors, 0u);
  EXPECT_EQ(a.stats().adts_errors, 0u);
}

TEST(TimestampNormalizer90kHz, BridgesAJumpOnceForAllTracks) {
  media::TimestampNormalizer n;
  n.add_track(1, 90000, 0);
  n.add_track(2, 48000, 1024);
  ASSERT_EQ(n.normalize_90khz(1, 900'000, 0, 0)->dts, 0);
  ASSERT_EQ(n.normalize_90khz(2, 900'000, 0, 0)->dts, 0);
  ASSERT_EQ(n.normalize_90khz(1, 903'000, 0, 0)->dts, 3000);
  auto v = n.normalize_90khz(1, 90'000'000, 0, 0);  // 15 minutes later
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->discontinuity);
  EXPECT_EQ(v->dts, 6000);
  auto a = n.normalize_90khz(2, 90'000'000, 0, 0);  // the same jump, already bridged
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->discontinuity);
  EXPECT_EQ(a->dts, 3200);
  EXPECT_FALSE(n.normalize_90khz(1, 90'003'000, 0, 0)->discontinuity);
  EXPECT_FALSE(n.normalize(1, 5, 0, 0));  // one source clock per normalizer
}

}  // namespace
}  // namespace vela::ingest
