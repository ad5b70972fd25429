// The MPEG-TS muxer: read back through our demuxer (tracks, timestamps, keyframes,
// payload conversion), packet structure (sizes, continuity, PCR, PSI repetition), errors,
// and real x264/AAC frames checked by ffprobe and a full ffmpeg decode.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "base/time.hpp"
#include "format/mpegts/adts.hpp"
#include "format/mpegts/annex_b.hpp"
#include "format/mpegts/demuxer.hpp"
#include "format/mpegts/muxer.hpp"
#include "format/mpegts/pes.hpp"
#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"
#include "unit/format/fmp4_test_util.hpp"
#include "unit/format/mpegts_test_util.hpp"

namespace vela::format::mpegts {
namespace {

using test::Bytes;

constexpr uint32_t kVideoId = 3;
constexpr uint32_t kAudioId = 5;
constexpr uint16_t kVideoPid = TsMuxer::kFirstTrackPid;
constexpr uint16_t kAudioPid = TsMuxer::kFirstTrackPid + 1;
const Bytes kAsc48kStereo = {0x11, 0x90};  // AAC-LC, 48 kHz, 2 channels

media::TrackInfo video_track() {
  auto avcc = build_avcc({test::kSps}, {test::kPps});
  EXPECT_TRUE(avcc.ok());
  auto track = media::codec::make_h264_track(kVideoId, base::Buffer::copy_of(*avcc));
  EXPECT_TRUE(track.ok());
  return *track;
}

media::TrackInfo audio_track(const Bytes& asc = kAsc48kStereo) {
  auto track = media::codec::make_aac_track(kAudioId, base::Buffer::copy_of(asc));
  EXPECT_TRUE(track.ok());
  return *track;
}

Bytes avcc_frame(const std::vector<Bytes>& nals) {
  Bytes out;
  for (const auto& nal : nals) {
    uint32_t n = static_cast<uint32_t>(nal.size());
    out.insert(out.end(), {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)});
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

media::MediaFrame video_frame(int64_t dts, int32_t cts, bool key, Bytes payload = {}) {
  media::MediaFrame f;
  f.track_id = kVideoId;
  f.dts = dts;
  f.cts = cts;
  f.keyframe = key;
  if (payload.empty()) payload = avcc_frame({key ? test::kIdr : test::kSlice});
  f.payload = base::Buffer::copy_of(payload);
  return f;
}

media::MediaFrame audio_frame(int64_t dts, Bytes raw = {0x21, 0x10, 0x05}) {
  media::MediaFrame f;
  f.track_id = kAudioId;
  f.dts = dts;
  f.keyframe = true;
  f.payload = base::Buffer::copy_of(raw);
  return f;
}

struct Demuxed {
  std::vector<ProgramChanged> programs;
  std::vector<PesPacket> pes;
  DemuxStats stats;
  std::optional<uint64_t> last_pcr;
};

Demuxed demux(const Bytes& ts) {
  Demuxer demuxer;
  Demuxed out;
  auto events = demuxer.feed(ts);
  EXPECT_TRUE(events.ok());
  auto rest = demuxer.flush();
  if (events.ok()) events->insert(events->end(), rest.begin(), rest.end());
  for (auto& event : events.ok() ? *events : rest) {
    if (auto* p = std::get_if<ProgramChanged>(&event)) out.programs.push_back(*p);
    if (auto* p = std::get_if<PesPacket>(&event)) out.pes.push_back(*p);
  }
  out.stats = demuxer.stats();
  out.last_pcr = demuxer.last_pcr();
  return out;
}

std::vector<PesPacket> on_pid(const Demuxed& d, uint16_t pid) {
  std::vector<PesPacket> out;
  for (const auto& p : d.pes) {
    if (p.pid == pid) out.push_back(p);
  }
  return out;
}

Bytes mux(TsMuxer& muxer, const std::vector<media::MediaFrame>& frames) {
  Bytes out;
  for (const auto& f : frames) {
    auto status = muxer.write(f, out);
    EXPECT_TRUE(status.ok()) << status.error().message;
  }
  return out;
}

std::vector<TsPacket> packets_of(const Bytes& ts) {
  std::vector<TsPacket> out;
  EXPECT_EQ(ts.size() % kPacketSize, 0u);
  for (size_t pos = 0; pos + kPacketSize <= ts.size(); pos += kPacketSize) {
    auto packet = parse_ts_packet(std::span(ts).subspan(pos, kPacketSize));
    EXPECT_TRUE(packet.ok()) << "packet at " << pos;
    if (packet.ok()) out.push_back(*packet);
  }
  return out;
}

Bytes nal_types(std::span<const uint8_t> annex_b) {
  Bytes types;
  for (auto nal : split_annex_b(annex_b)) types.push_back(nal[0] & 0x1F);
  return types;
}

TEST(MpegTsMuxer, RoundTripTracksTimestampsAndKeyframes) {
  TsMuxer muxer(TsMuxerOptions{.psi_interval = 9000, .decoder_delay = 0});
  ASSERT_TRUE(muxer.set_tracks({video_track(), audio_track()}).ok());
  // IDR, then P and B frames in decode order (cts > 0 reorders), interleaved with audio.
  std::vector<media::MediaFrame> frames = {video_frame(0, 3000, true),
                                           audio_frame(0),
                                           video_frame(3000, 9000, false),
                                           video_frame(6000, 0, false),
                                           audio_frame(1024),
                                           video_frame(9000, 0, false),
                                           audio_frame(2048),
                                           video_frame(12000, 3000, true)};
  Demuxed d = demux(mux(muxer, frames));

  ASSERT_EQ(d.programs.size(), 1u);
  EXPECT_EQ(d.programs[0].pcr_pid, kVideoPid);
  ASSERT_EQ(d.programs[0].streams.size(), 2u);
  EXPECT_EQ(d.programs[0].streams[0].stream_type, kStreamTypeH264);
  EXPECT_EQ(d.programs[0].streams[0].pid, kVideoPid);
  EXPECT_EQ(d.programs[0].streams[1].stream_type, kStreamTypeAacAdts);
  EXPECT_EQ(d.programs[0].streams[1].pid, kAudioPid);

  auto video = on_pid(d, kVideoPid);
  ASSERT_EQ(video.size(), 5u);
  const int64_t expect_dts[] = {0, 3000, 6000, 9000, 12000};
  const int64_t expect_pts[] = {3000, 12000, 6000, 9000, 15000};
  const bool expect_key[] = {true, false, false, false, true};
  for (size_t i = 0; i < video.size(); ++i) {
    EXPECT_EQ(video[i].pts, uint64_t(expect_pts[i])) << i;
    EXPECT_EQ(video[i].dts.value_or(*video[i].pts), uint64_t(expect_dts[i])) << i;
    EXPECT_EQ(video[i].random_access, expect_key[i]) << i;
    Bytes types = nal_types(video[i].data.span());
    EXPECT_EQ(types, expect_key[i] ? Bytes({9, 7, 8, 5}) : Bytes({9, 1})) << i;
  }
  auto idr = split_annex_b(video[0].data.span());
  EXPECT_EQ(Bytes(idr[1].begin(), idr[1].end()), test::kSps);
  EXPECT_EQ(Bytes(idr[2].begin(), idr[2].end()), test::kPps);

  auto audio = on_pid(d, kAudioPid);
  ASSERT_EQ(audio.size(), 3u);
  for (size_t i = 0; i < audio.size(); ++i) {
    // 1024 ticks at 48 kHz = 1920 at 90 kHz; no DTS when it equals the PTS.
    EXPECT_EQ(audio[i].pts, uint64_t(1920 * i));
    auto header = parse_adts_header(audio[i].data.span());
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(adts_audio_specific_config(*header), (std::array<uint8_t, 2>{0x11, 0x90}));
    EXPECT_EQ(header->frame_length, audio[i].data.size());
    EXPECT_EQ(Bytes(audio[i].data.data() + 7, audio[i].data.data() + audio[i].data.size()),
              Bytes({0x21, 0x10, 0x05}));
  }
  EXPECT_EQ(d.stats.cc_errors, 0u);
  EXPECT_EQ(d.stats.dropped_pes, 0u);
  EXPECT_EQ(d.stats.malformed_packets, 0u);
  EXPECT_EQ(d.stats.section_errors, 0u);
}

TEST(MpegTsMuxer, DecoderDelayShiftsTimestampsButNotThePcr) {
  TsMuxer muxer(TsMuxerOptions{.psi_interval = 9000, .decoder_delay = 45000});
  ASSERT_TRUE(muxer.set_tracks({video_track()}).ok());
  Demuxed d = demux(mux(muxer, {video_frame(90000, 6000, true)}));
  ASSERT_EQ(d.pes.size(), 1u);
  EXPECT_EQ(d.pes[0].dts, uint64_t(135000));
  EXPECT_EQ(d.pes[0].pts, uint64_t(141000));
  EXPECT_EQ(d.last_pcr, uint64_t(90000) * 300);
}

TEST(MpegTsMuxer, TimestampsWrapAt33Bits) {
  TsMuxer muxer(TsMuxerOptions{.psi_interval = 9000, .decoder_delay = 0});
  ASSERT_TRUE(muxer.set_tracks({video_track(), audio_track()}).ok());
  const int64_t start = (int64_t{1} << 33) - 6000;
  const int64_t audio_start = base::rescale(start, 90000, 48000);
  std::vector<media::MediaFrame> frames;
  for (int i = 0; i < 5; ++i) {
    frames.push_back(video_frame(start + 3000 * i, 3000, i == 0));
    frames.push_back(audio_frame(audio_start + 1024 * i));
  }
  Bytes ts = mux(muxer, frames);
  Demuxed d = demux(ts);
  auto video = on_pid(d, kVideoPid);
  ASSERT_EQ(video.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(video[i].dts, uint64_t(start + 3000 * i) & kTimestampMask) << i;
    EXPECT_EQ(video[i].pts, uint64_t(start + 3000 * i + 3000) & kTimestampMask) << i;
  }
  EXPECT_EQ(video[1].pts, 0u);  // exactly at the wrap
  EXPECT_EQ(video[2].dts, 0u);
  EXPECT_EQ(video[4].dts, 6000u);
  auto audio = on_pid(d, kAudioPid);
  ASSERT_EQ(audio.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    uint64_t expect = uint64_t(base::rescale(audio_start + 1024 * i, 48000, 90000));
    EXPECT_EQ(audio[i].pts, expect & kTimestampMask) << i;
  }
  // The last PCR is the last video DTS, wrapped too.
  EXPECT_EQ(d.last_pcr, uint64_t(6000) * 300);
}

TEST(MpegTsMuxer, AudioTimestampsRescaleFromTheSampleRate) {
  TsMuxer muxer(TsMuxerOptions{.psi_interval = 9000, .decoder_delay = 0});
  const Bytes asc_44k1_mono = {0x12, 0x08};  // AAC-LC, index 4 (44.1 kHz), 1 channel
  ASSERT_TRUE(muxer.set_tracks({audio_track(asc_44k1_mono)}).ok());
  std::vector<media::MediaFrame> frames;
  for (int i = 0; i < 4; ++i) frames.push_back(audio_frame(1024 * i));
  Demuxed d = demux(mux(muxer, frames));
  ASSERT_EQ(d.pes.size(), 4u);
  const uint64_t expect[] = {0, 2089, 4179, 6269};  // floor(1024 i * 90000 / 44100)
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(d.pes[i].pts, expect[i]) << i;
  auto header = parse_adts_header(d.pes[0].data.span());
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->sampling_index, 4);
  EXPECT_EQ(header->channel_config, 1);
}

TEST(MpegTsMuxer, PacketStructureContinuityAndPcr) {
  TsMuxer muxer;
  ASSERT_TRUE(muxer.set_tracks({video_track(), audio_track()}).ok());
  std::vector<media::MediaFrame> frames;
  // Frames of several sizes, so PES end at every offset within a packet over the run.
  for (int i = 0; i < 60; ++i) {
    Bytes slice(1 + 97 * i, 0x5A);
    slice[0] = i % 30 == 0 ? 0x65 : 0x41;
    frames.push_back(video_frame(3000 * i, 0, i % 30 == 0, avcc_frame({slice})));
    frames.push_back(audio_frame(1536 * i, Bytes(5 + 11 * i, 0x33)));
  }
  Bytes ts = mux(muxer, frames);
  auto packets = packets_of(ts);
  ASSERT_EQ(packets.size() * kPacketSize, ts.size());
  ASSERT_GE(packets.size(), 2u);
  EXPECT_EQ(packets[0].pid, kPatPid);
  EXPECT_EQ(packets[1].pid, TsMuxer::kPmtPid);

  std::map<uint16_t, uint8_t> next_cc;
  size_t video_starts = 0, video_pcrs = 0, audio_pcrs = 0;
  for (const auto& p : packets) {
    EXPECT_TRUE(p.has_payload);
    auto it = next_cc.find(p.pid);
    if (it != next_cc.end()) {
      EXPECT_EQ(p.continuity_counter, it->second) << "pid " << p.pid;
    }
    next_cc[p.pid] = (p.continuity_counter + 1) & 0x0F;
    if (p.pid == kVideoPid && p.payload_unit_start) {
      ++video_starts;
      if (p.pcr) ++video_pcrs;
    }
    if (p.pid == kAudioPid && p.pcr) ++audio_pcrs;
    if (p.pid != kVideoPid && p.pid != kAudioPid) {
      EXPECT_TRUE(p.pid == kPatPid || p.pid == TsMuxer::kPmtPid) << p.pid;
    }
  }
  EXPECT_EQ(video_starts, 60u);
  EXPECT_EQ(video_pcrs, 60u);  // a PCR with every video PES
  EXPECT_EQ(audio_pcrs, 0u);
  Demuxed d = demux(ts);
  EXPECT_EQ(on_pid(d, kVideoPid).size(), 60u);
  EXPECT_EQ(on_pid(d, kAudioPid).size(), 60u);
  EXPECT_EQ(d.stats.cc_errors + d.stats.dropped_pes + d.stats.malformed_packets, 0u);
}

TEST(MpegTsMuxer, PsiBeforeEveryVideoKeyframeAndEvery100ms) {
  TsMuxer muxer;  // psi_interval 100 ms
  ASSERT_TRUE(muxer.set_tracks({video_track()}).ok());
  Bytes out;
  // Keyframes every 5th frame at 25 fps (40 ms): PSI at 0, 80 (interval), 200 (key), ...
  std::vector<size_t> psi_before;
  for (int i = 0; i < 10; ++i) {
    size_t before = out.size();
    ASSERT_TRUE(muxer.write(video_frame(3600 * i, 0, i % 5 == 0), out).ok());
    auto packets = packets_of(Bytes(out.begin() + static_cast<ptrdiff_t>(before), out.end()));
    if (packets.front().pid == kPatPid) {
      psi_before.push_back(static_cast<size_t>(i));
      EXPECT_EQ(packets[1].pid, TsMuxer::kPmtPid);
    }
    EXPECT_EQ(packets.back().pid, kVideoPid);
    // The keyframe's first packet says random access and carries the PCR.
    for (const auto& p : packets) {
      if (p.pid == kVideoPid && p.payload_unit_start) {
        EXPECT_EQ(p.random_access, i % 5 == 0) << i;
        EXPECT_TRUE(p.pcr.has_value());
      }
    }
  }
  EXPECT_EQ(psi_before, (std::vector<size_t>{0, 3, 5, 8}));
}

TEST(MpegTsMuxer, InterleavingSkewDoesNotRepeatPsi) {
  TsMuxer muxer;
  ASSERT_TRUE(muxer.set_tracks({video_track(), audio_track()}).ok());
  std::vector<media::MediaFrame> frames;
  // 2 s; audio runs 150 ms ahead of video, as encoders often deliver it.
  for (int i = 0; i < 60; ++i) {
    frames.push_back(audio_frame(1600 * i + 7200));
    frames.push_back(video_frame(3000 * i, 0, i == 0));
  }
  size_t pats = 0;
  for (const auto& p : packets_of(mux(muxer, frames))) pats += p.pid == kPatPid;
  EXPECT_GE(pats, 19u);  // every 100 ms
  EXPECT_LE(pats, 21u);
}

TEST(MpegTsMuxer, AudioOnlyRepeatsPsiAndCarriesThePcr) {
  TsMuxer muxer;
  ASSERT_TRUE(muxer.set_tracks({audio_track()}).ok());
  std::vector<media::MediaFrame> frames;
  for (int i = 0; i < 47; ++i) frames.push_back(audio_frame(1024 * i));  // ~1 s
  auto packets = packets_of(mux(muxer, frames));
  size_t pats = 0, pcrs = 0;
  for (const auto& p : packets) {
    if (p.pid == kPatPid) ++pats;
    if (p.pid == TsMuxer::kFirstTrackPid && p.pcr) ++pcrs;
  }
  EXPECT_GE(pats, 9u);
  EXPECT_LE(pats, 11u);
  EXPECT_EQ(pcrs, 47u);
}

TEST(MpegTsMuxer, LargeVideoFrameIsUnboundedPes) {
  TsMuxer muxer;
  ASSERT_TRUE(muxer.set_tracks({video_track()}).ok());
  Bytes big(100000, 0x77);
  big[0] = 0x65;
  Bytes ts = mux(muxer, {video_frame(0, 0, true, avcc_frame({big})), video_frame(3000, 0, false)});
  Demuxed d = demux(ts);
  ASSERT_EQ(d.pes.size(), 2u);
  auto nals = split_annex_b(d.pes[0].data.span());
  ASSERT_EQ(nals.size(), 4u);
  EXPECT_EQ(nals[3].size(), big.size());
  // PES_packet_length 0: the header right after the first video packet's adaptation field.
  auto packets = packets_of(ts);
  for (const auto& p : packets) {
    if (p.pid != kVideoPid || !p.payload_unit_start) continue;
    auto header = parse_pes_header(p.payload);
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(header->packet_length, 0u);
    break;
  }
}

TEST(MpegTsMuxer, TrackChangeBumpsPmtVersionAndKeepsContinuity) {
  TsMuxer muxer;
  ASSERT_TRUE(muxer.set_tracks({video_track(), audio_track()}).ok());
  Bytes ts = mux(muxer, {video_frame(0, 0, true), audio_frame(0), video_frame(3000, 0, false)});
  ASSERT_TRUE(muxer.set_tracks({video_track()}).ok());  // the audio track is gone
  Bytes more = mux(muxer, {video_frame(6000, 0, false), video_frame(9000, 0, false)});
  // PSI comes first after the change, even without a keyframe.
  EXPECT_EQ(packets_of(more).front().pid, kPatPid);
  ts.insert(ts.end(), more.begin(), more.end());
  Demuxed d = demux(ts);
  ASSERT_EQ(d.programs.size(), 2u);
  EXPECT_EQ(d.programs[0].version, 0);
  EXPECT_EQ(d.programs[1].version, 1);
  EXPECT_EQ(d.programs[1].streams.size(), 1u);
  EXPECT_EQ(d.stats.cc_errors, 0u);
  EXPECT_EQ(on_pid(d, kVideoPid).size(), 4u);
}

TEST(MpegTsMuxer, ErrorsAppendNothing) {
  TsMuxer muxer;
  Bytes out;
  EXPECT_FALSE(muxer.write(audio_frame(0), out).ok());  // no tracks yet
  EXPECT_FALSE(muxer.set_tracks({}).ok());
  ASSERT_TRUE(muxer.set_tracks({video_track(), audio_track()}).ok());
  media::MediaFrame stranger = audio_frame(0);
  stranger.track_id = 42;
  auto unknown = muxer.write(stranger, out);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown track 42"), std::string::npos);
  // A NAL length running past the frame.
  auto broken = muxer.write(video_frame(0, 0, true, {0, 0, 0, 9, 0x65, 1}), out);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("NAL unit length"), std::string::npos);
  EXPECT_FALSE(muxer.write(audio_frame(0, Bytes(9000, 0)), out).ok());  // > ADTS 13-bit length
  EXPECT_TRUE(out.empty());
  // After errors the muxer still writes, starting with PSI.
  ASSERT_TRUE(muxer.write(video_frame(0, 0, true), out).ok());
  EXPECT_EQ(packets_of(out).front().pid, kPatPid);
}

TEST(MpegTsMuxer, RejectsTracksItCannotCarry) {
  TsMuxer muxer;
  media::TrackInfo bad_video = video_track();
  bad_video.codec_config = base::Buffer::copy_of(Bytes{1, 2, 3});
  EXPECT_FALSE(muxer.set_tracks({bad_video}).ok());
  media::TrackInfo twice = audio_track();
  twice.id = kVideoId;
  auto dup = muxer.set_tracks({video_track(), twice});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("twice"), std::string::npos);
  std::vector<media::TrackInfo> many;
  for (uint32_t i = 0; i <= TsMuxer::kMaxTracks; ++i) {
    many.push_back(audio_track());
    many.back().id = i;
  }
  EXPECT_FALSE(muxer.set_tracks(many).ok());
}

TEST(MpegTsMuxerEs, AnnexBKeepsInBandParameterSetsAndDropsAuds) {
  auto avcc = build_avcc({test::kSps}, {test::kPps});
  ASSERT_TRUE(avcc.ok());
  auto params = annex_b_parameters(*avcc);
  ASSERT_TRUE(params.ok());
  Bytes out;
  ASSERT_TRUE(
      append_annex_b(avcc_frame({test::kAud, test::kSps, test::kPps, test::kIdr}), *params, out)
          .ok());
  EXPECT_EQ(nal_types(out), Bytes({9, 7, 8, 5}));
  out.clear();
  ASSERT_TRUE(append_annex_b(avcc_frame({test::kSlice}), *params, out).ok());
  EXPECT_EQ(out, test::annex_b({test::kAud, test::kSlice}));
}

TEST(MpegTsMuxerEs, AdtsHeaderFromAudioSpecificConfig) {
  // HE-AAC with explicit SBR signalling (object 5, core 24 kHz, output 48 kHz, core LC):
  // written as its AAC-LC core.
  const Bytes he_aac = {0x2B, 0x11, 0x88, 0x00};
  auto header = adts_header_for(he_aac);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->object_type, media::codec::kAacObjectLc);
  EXPECT_EQ(header->sampling_index, 6);  // 24 kHz
  // An explicit frequency (index 15) of 50 kHz has no ADTS index.
  EXPECT_FALSE(adts_header_for(Bytes{0x17, 0x80, 0x61, 0xA8, 0x10}).ok());
  EXPECT_FALSE(adts_header_for(Bytes{}).ok());
}

TEST(MpegTsMuxerFfprobe, RealFramesDecode) {
  if (!fmp4::test::tool_available("/usr/bin/ffprobe")) GTEST_SKIP() << "ffprobe not installed";
  auto media = fmp4::test::make_test_media();
  if (!media) GTEST_SKIP() << "ffmpeg could not make test media";
  auto video = media::codec::make_h264_track(fmp4::test::kTestVideoId, media->avcc);
  auto audio = media::codec::make_aac_track(fmp4::test::kTestAudioId, media->asc);
  ASSERT_TRUE(video.ok() && audio.ok());
  TsMuxer muxer;
  ASSERT_TRUE(muxer.set_tracks({*video, *audio}).ok());
  std::vector<uint8_t> ts;
  size_t audio_frames = 0;
  for (const auto& frame : media->frames) {
    ASSERT_TRUE(muxer.write(*frame, ts).ok());
    if (frame->track_id == fmp4::test::kTestAudioId) ++audio_frames;
  }
  auto path = fmp4::test::temp_path("muxer.ts");
  fmp4::test::write_file(path, std::vector<base::Buffer>{base::Buffer::adopt(std::move(ts))});
  auto probe = fmp4::test::probe_file(path);
  std::string format = fmp4::test::run_command(
      "/usr/bin/ffprobe -v error -show_entries format=format_name -of default=nw=1 " +
      path.string() + " 2>&1");
  std::filesystem::remove(path);

  EXPECT_NE(format.find("format_name=mpegts"), std::string::npos) << format;
  EXPECT_NE(probe.video.find("codec_name=h264"), std::string::npos) << probe.video;
  EXPECT_NE(probe.video.find("width=320"), std::string::npos) << probe.video;
  EXPECT_NE(probe.video.find("height=240"), std::string::npos) << probe.video;
  EXPECT_NE(probe.video.find("nb_read_frames=90"), std::string::npos) << probe.video;
  EXPECT_NE(probe.audio.find("codec_name=aac"), std::string::npos) << probe.audio;
  EXPECT_NE(probe.audio.find("sample_rate=48000"), std::string::npos) << probe.audio;
  EXPECT_NE(probe.audio.find("channels=2"), std::string::npos) << probe.audio;
  EXPECT_NE(probe.audio.find("nb_read_frames=" + std::to_string(audio_frames)), std::string::npos)
      << probe.audio;
  EXPECT_EQ(probe.decode_errors, "");
}

}  // namespace
}  // namespace vela::format::mpegts
