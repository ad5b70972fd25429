#include <gtest/gtest.h>

#include "format/mpegts/demuxer.hpp"
#include "unit/format/mpegts_test_util.hpp"

namespace vela::format::mpegts {
namespace {

using test::Bytes;

constexpr uint16_t kPmtPid = 0x1000;
constexpr uint16_t kVideoPid = 0x100;
constexpr uint16_t kAudioPid = 0x101;
constexpr uint16_t kCuePid = 0x1F4;

void append(Bytes& to, const Bytes& more) {
  to.insert(to.end(), more.begin(), more.end());
}

// A little stream writer keeping continuity counters per PID.
struct Muxer {
  uint8_t cc[0x2000] = {};
  Bytes out;

  void pat(uint16_t pmt_pid = kPmtPid, uint16_t program = 1) {
    append(out, test::packetize(kPatPid, test::with_pointer(test::pat_section(pmt_pid, program)),
                                cc[kPatPid]));
  }
  void pmt(const std::vector<test::TestStream>& streams, uint8_t version = 0) {
    append(out, test::packetize(kPmtPid,
                                test::with_pointer(test::pmt_section(streams, kVideoPid, version)),
                                cc[kPmtPid]));
  }
  void pes(uint16_t pid, const Bytes& pes, test::PacketOptions first = {}) {
    append(out, test::packetize(pid, pes, cc[pid], first));
  }
  void video(uint64_t pts, uint64_t dts, const Bytes& data, test::PacketOptions first = {}) {
    pes(kVideoPid, test::make_pes(0xE0, pts, dts, data, false), first);
  }
  void audio(uint64_t pts, const Bytes& data) {
    pes(kAudioPid, test::make_pes(0xC0, pts, std::nullopt, data, true));
  }
};

const std::vector<test::TestStream> kAv = {{0x1B, kVideoPid}, {0x0F, kAudioPid}};

std::vector<DemuxEvent> feed_all(Demuxer& d, std::span<const uint8_t> bytes, size_t step) {
  std::vector<DemuxEvent> all;
  for (size_t pos = 0; pos < bytes.size(); pos += step) {
    auto events = d.feed(bytes.subspan(pos, std::min(step, bytes.size() - pos)));
    EXPECT_TRUE(events.ok()) << events.error().message;
    if (!events.ok()) break;
    for (auto& e : *events) all.push_back(std::move(e));
  }
  for (auto& e : d.flush()) all.push_back(std::move(e));
  return all;
}

template <class T>
std::vector<T> only(const std::vector<DemuxEvent>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (auto* t = std::get_if<T>(&e)) out.push_back(*t);
  }
  return out;
}

Bytes payload_of(const PesPacket& p) {
  return Bytes(p.data.span().begin(), p.data.span().end());
}

Bytes basic_stream() {
  Muxer m;
  m.pat();
  m.pmt(kAv);
  m.video(93000, 90000, Bytes(400, 0x11), {.random_access = true, .pcr_base = 90000});
  m.audio(91000, Bytes(50, 0x22));
  m.video(96000, 93000, Bytes(10, 0x33));
  return m.out;
}

TEST(MpegtsDemuxer, FindsProgramAndReassemblesPes) {
  Demuxer d;
  auto events = feed_all(d, basic_stream(), 188 * 100);
  auto programs = only<ProgramChanged>(events);
  ASSERT_EQ(programs.size(), 1u);
  ASSERT_EQ(programs[0].streams.size(), 2u);
  EXPECT_EQ(programs[0].streams[0].codec, StreamCodec::h264);
  EXPECT_EQ(programs[0].streams[1].codec, StreamCodec::aac_adts);
  auto pes = only<PesPacket>(events);
  ASSERT_EQ(pes.size(), 3u);
  // The bounded audio PES is complete at once; the first video PES ends at the next start.
  EXPECT_EQ(pes[0].pid, kAudioPid);
  EXPECT_EQ(pes[0].pts, 91000u);
  EXPECT_FALSE(pes[0].dts);
  EXPECT_EQ(payload_of(pes[0]), Bytes(50, 0x22));
  EXPECT_EQ(pes[1].pid, kVideoPid);
  EXPECT_EQ(pes[1].pts, 93000u);
  EXPECT_EQ(pes[1].dts, 90000u);
  EXPECT_TRUE(pes[1].random_access);
  EXPECT_EQ(payload_of(pes[1]), Bytes(400, 0x11));
  EXPECT_EQ(pes[2].codec, StreamCodec::h264);
  EXPECT_FALSE(pes[2].random_access);
  EXPECT_EQ(payload_of(pes[2]), Bytes(10, 0x33));
  EXPECT_EQ(d.last_pcr(), uint64_t{90000} * 300);
  EXPECT_EQ(d.stats().cc_errors, 0u);
  EXPECT_EQ(d.stats().dropped_pes, 0u);
}

TEST(MpegtsDemuxer, AnySplitOfTheInputGivesTheSameEvents) {
  Bytes stream = basic_stream();
  Demuxer whole;
  auto expected = only<PesPacket>(feed_all(whole, stream, stream.size()));
  for (size_t step : {1, 7, 187, 189, 1316}) {
    Demuxer d;
    auto got = only<PesPacket>(feed_all(d, stream, step));
    ASSERT_EQ(got.size(), expected.size()) << step;
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_EQ(payload_of(got[i]), payload_of(expected[i])) << step;
    EXPECT_EQ(d.stats().resyncs, 0u);
  }
}

TEST(MpegtsDemuxer, SkipsLeadingGarbageAndResyncsMidStream) {
  Bytes stream = {1, 2, 3, 0x47, 5};  // a stray sync byte too
  append(stream, basic_stream());
  Bytes tail;
  {
    Muxer m;
    m.cc[kAudioPid] = 1;
    m.audio(95000, Bytes(30, 0x44));  // its packet is damaged by the garbage before it
    m.audio(96000, Bytes(30, 0x45));
    tail = m.out;
  }
  // Lose sync in the middle of the video PES's packets: garbage, then the audio PES.
  Bytes broken(stream.begin(), stream.begin() + 5 + 188 * 3 + 40);
  append(broken, Bytes(77, 0x00));
  append(broken, tail);
  Demuxer d;
  auto events = feed_all(d, broken, 13);
  auto pes = only<PesPacket>(events);
  ASSERT_FALSE(pes.empty());
  EXPECT_EQ(pes.back().pid, kAudioPid);
  EXPECT_EQ(payload_of(pes.back()), Bytes(30, 0x45));
  EXPECT_EQ(d.stats().resyncs, 1u);
  EXPECT_GT(d.stats().skipped_bytes, 5u);
  EXPECT_EQ(d.stats().dropped_pes, 1u);  // the video PES in progress
}

TEST(MpegtsDemuxer, NoSyncAtTheStartIsAnError) {
  Demuxer d;
  Bytes junk(Demuxer::kMaxInitialSyncSearch + 200, 0x00);
  auto first = d.feed(junk);
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.error().message.find("sync"), std::string::npos);
  EXPECT_FALSE(d.feed(basic_stream()).ok());  // sticky
}

TEST(MpegtsDemuxer, ContinuityErrorDropsTheBrokenPes) {
  Muxer m;
  m.pat();
  m.pmt(kAv);
  size_t before = m.out.size();
  m.video(93000, 90000, Bytes(1000, 0x11));  // 6 packets
  m.video(96000, 93000, Bytes(10, 0x33));
  Bytes stream(m.out.begin(), m.out.begin() + static_cast<ptrdiff_t>(before + 2 * 188));
  stream.insert(stream.end(), m.out.begin() + static_cast<ptrdiff_t>(before + 3 * 188),
                m.out.end());
  Demuxer d;
  auto pes = only<PesPacket>(feed_all(d, stream, 188));
  ASSERT_EQ(pes.size(), 1u);
  EXPECT_EQ(payload_of(pes[0]), Bytes(10, 0x33));
  EXPECT_EQ(d.stats().cc_errors, 1u);
  EXPECT_EQ(d.stats().dropped_pes, 1u);
}

TEST(MpegtsDemuxer, DuplicatePacketsAreIgnored) {
  Muxer m;
  m.pat();
  m.pmt(kAv);
  size_t before = m.out.size();
  m.video(93000, 90000, Bytes(500, 0x11));
  Bytes stream(m.out.begin(), m.out.begin() + static_cast<ptrdiff_t>(before + 188));
  append(stream, Bytes(m.out.begin() + static_cast<ptrdiff_t>(before),
                       m.out.begin() + static_cast<ptrdiff_t>(before + 188)));
  stream.insert(stream.end(), m.out.begin() + static_cast<ptrdiff_t>(before + 188), m.out.end());
  Demuxer d;
  auto pes = only<PesPacket>(feed_all(d, stream, 188));
  ASSERT_EQ(pes.size(), 1u);
  EXPECT_EQ(payload_of(pes[0]), Bytes(500, 0x11));
  EXPECT_EQ(d.stats().cc_errors, 0u);
}

TEST(MpegtsDemuxer, FollowsPmtVersionChanges) {
  Muxer m;
  m.pat();
  m.pmt({{0x1B, kVideoPid}});
  m.pmt({{0x1B, kVideoPid}}, 0);  // a repeat: no event
  m.audio(1000, Bytes(5, 1));     // not in the program yet: ignored
  m.pmt(kAv, 1);                  // audio added
  m.audio(2000, Bytes(5, 2));
  m.pmt({{0x0F, kAudioPid}}, 2);  // video removed
  m.video(3000, 3000, Bytes(5, 3));
  m.audio(4000, Bytes(5, 4));
  Demuxer d;
  auto events = feed_all(d, m.out, 188);
  auto programs = only<ProgramChanged>(events);
  ASSERT_EQ(programs.size(), 3u);
  EXPECT_EQ(programs[1].version, 1);
  EXPECT_EQ(programs[1].streams.size(), 2u);
  ASSERT_EQ(programs[2].streams.size(), 1u);
  EXPECT_EQ(programs[2].streams[0].pid, kAudioPid);
  auto pes = only<PesPacket>(events);
  ASSERT_EQ(pes.size(), 2u);
  EXPECT_EQ(pes[0].pts, 2000u);
  EXPECT_EQ(pes[1].pts, 4000u);
  ASSERT_TRUE(d.program());
  EXPECT_EQ(d.program()->version, 2);
}

TEST(MpegtsDemuxer, RecognisesOpusHevcAndKeepsScte35Cues) {
  Bytes opus_reg = {0x05, 0x04, 'O', 'p', 'u', 's'};
  Muxer m;
  m.pat();
  m.pmt({{0x24, kVideoPid}, {0x06, kAudioPid, opus_reg}, {0x86, kCuePid}});
  Bytes splice = {0xFC, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00,
                  0x00, 0x00, 0xFF, 0xF0, 0x00, 0x00, 0x00};
  splice[2] = static_cast<uint8_t>(splice.size() - 3 + 4);
  test::append_crc(splice);
  m.pes(kCuePid, test::with_pointer(splice));
  Bytes bad = splice;
  bad.back() ^= 1;
  m.pes(kCuePid, test::with_pointer(bad));
  Demuxer d;
  auto events = feed_all(d, m.out, 100);
  auto programs = only<ProgramChanged>(events);
  ASSERT_EQ(programs.size(), 1u);
  EXPECT_EQ(programs[0].streams[0].codec, StreamCodec::hevc);
  EXPECT_EQ(programs[0].streams[1].codec, StreamCodec::opus);
  EXPECT_EQ(programs[0].streams[2].codec, StreamCodec::scte35);
  auto cues = only<Cue>(events);
  ASSERT_EQ(cues.size(), 1u);
  EXPECT_EQ(cues[0].pid, kCuePid);
  EXPECT_EQ(Bytes(cues[0].section.span().begin(), cues[0].section.span().end()), splice);
  EXPECT_EQ(d.stats().section_errors, 1u);
}

TEST(MpegtsDemuxer, DropsOversizedAndTruncatedPes) {
  Muxer m;
  m.pat();
  m.pmt(kAv);
  // An unbounded audio PES past the 1 MiB limit, then a bounded one cut short.
  m.pes(kAudioPid,
        test::make_pes(0xC0, 1000, std::nullopt, Bytes(Demuxer::kMaxOtherPesSize + 10, 7), false));
  Bytes cut = test::make_pes(0xC0, 2000, std::nullopt, Bytes(300, 8), true);
  cut.resize(200);
  m.pes(kAudioPid, cut);
  m.audio(3000, Bytes(20, 9));
  Demuxer d;
  auto pes = only<PesPacket>(feed_all(d, m.out, 188 * 7));
  ASSERT_EQ(pes.size(), 1u);
  EXPECT_EQ(pes[0].pts, 3000u);
  EXPECT_EQ(d.stats().dropped_pes, 2u);
}

TEST(MpegtsDemuxer, CountsDamagedPacketsWithoutFailing) {
  Muxer m;
  m.pat();
  m.pmt(kAv);
  Bytes stream = m.out;
  Bytes bad_adaptation = {0x47, 0x01, 0x00, 0x30, 190};
  bad_adaptation.resize(188, 0);
  append(stream, bad_adaptation);
  Bytes transport_error = {0x47, 0x81, 0x00, 0x10};
  transport_error.resize(188, 0);
  append(stream, transport_error);
  Bytes scrambled = {0x47, 0x01, 0x00, 0x90};
  scrambled.resize(188, 0);
  append(stream, scrambled);
  Demuxer d;
  feed_all(d, stream, 188);
  EXPECT_EQ(d.stats().malformed_packets, 1u);
  EXPECT_EQ(d.stats().transport_errors, 1u);
  EXPECT_EQ(d.stats().scrambled_packets, 1u);
}

TEST(MpegtsDemuxer, CarriesDiscontinuityIndicator) {
  Muxer m;
  m.pat();
  m.pmt(kAv);
  m.video(93000, 90000, Bytes(10, 1));
  m.cc[kVideoPid] = 9;  // the counter may jump at a discontinuity
  m.video(500, 400, Bytes(10, 2),
          {.random_access = false, .discontinuity = true, .pcr_base = std::nullopt});
  Demuxer d;
  auto pes = only<PesPacket>(feed_all(d, m.out, 188));
  ASSERT_EQ(pes.size(), 2u);
  EXPECT_FALSE(pes[0].discontinuity);
  EXPECT_TRUE(pes[1].discontinuity);
  EXPECT_EQ(d.stats().cc_errors, 0u);
}

TEST(MpegtsDemuxer, DemuxesARealFfmpegStream) {
  auto ts = test::ffmpeg_test_ts();
  if (!ts) GTEST_SKIP() << "ffmpeg not available";
  Demuxer d;
  auto events = feed_all(d, *ts, 1316);
  auto programs = only<ProgramChanged>(events);
  ASSERT_EQ(programs.size(), 1u);
  size_t video = 0, audio = 0;
  for (const auto& p : only<PesPacket>(events)) {
    (p.codec == StreamCodec::h264 ? video : audio)++;
    EXPECT_TRUE(p.pts);
  }
  EXPECT_EQ(video, 60u);
  EXPECT_GE(audio, 5u);  // ffmpeg puts several ADTS frames in one PES
  EXPECT_EQ(d.stats().cc_errors, 0u);
  EXPECT_EQ(d.stats().dropped_pes, 0u);
  EXPECT_EQ(d.stats().resyncs, 0u);
}

}  // namespace
}  // namespace vela::format::mpegts
