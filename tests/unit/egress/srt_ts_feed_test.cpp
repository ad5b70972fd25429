// SrtTsFeed: frames become whole 1316-byte messages of TS packets; a full transport drops
// to the next keyframe; the queue is bounded.
#include "egress/srt_ts_feed.hpp"

#include <gtest/gtest.h>

#include "format/mpegts/annex_b.hpp"
#include "format/mpegts/demuxer.hpp"
#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"

namespace vela::egress {
namespace {

using Bytes = std::vector<uint8_t>;

// libx264 parameter sets (720p) for a valid avcC.
const Bytes kSps = {0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10, 0x00,
                    0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x83, 0x19, 0x60};
const Bytes kPps = {0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0};

std::vector<media::TrackInfo> av_tracks() {
  auto avcc = format::mpegts::build_avcc({kSps}, {kPps});
  auto video = media::codec::make_h264_track(1, base::Buffer::copy_of(*avcc));
  auto audio = media::codec::make_aac_track(2, base::Buffer::copy_of(Bytes{0x11, 0x90}));
  EXPECT_TRUE(video.ok() && audio.ok());
  return {*video, *audio};
}

media::MediaFrame video(int64_t dts, bool key, size_t size = 3000) {
  media::MediaFrame f;
  f.track_id = 1;
  f.dts = dts;
  f.keyframe = key;
  Bytes avcc = {uint8_t(size >> 24), uint8_t(size >> 16), uint8_t(size >> 8), uint8_t(size)};
  avcc.resize(4 + size, 0x11);
  avcc[4] = key ? 0x65 : 0x41;
  f.payload = base::Buffer::copy_of(avcc);
  return f;
}

media::MediaFrame audio(int64_t dts) {
  media::MediaFrame f;
  f.track_id = 2;
  f.dts = dts;
  f.keyframe = true;
  f.payload = base::Buffer::copy_of(Bytes(300, 0x21));
  return f;
}

// Takes every whole message; returns their bytes laid end to end.
Bytes take_messages(SrtTsFeed& feed) {
  Bytes out;
  while (feed.has_message()) {
    auto m = feed.message();
    EXPECT_EQ(m.size(), SrtTsFeed::kMessageSize);
    out.insert(out.end(), m.begin(), m.end());
    feed.pop_message();
  }
  return out;
}

size_t video_pes_count(const Bytes& ts) {
  format::mpegts::Demuxer demuxer;
  auto events = demuxer.feed(ts);
  EXPECT_TRUE(events.ok());
  size_t n = 0;
  auto count = [&](const std::vector<format::mpegts::DemuxEvent>& list) {
    for (const auto& e : list) {
      auto* pes = std::get_if<format::mpegts::PesPacket>(&e);
      if (pes && pes->codec == format::mpegts::StreamCodec::h264) ++n;
    }
  };
  if (events.ok()) count(*events);
  count(demuxer.flush());
  return n;
}

TEST(SrtTsFeed, MessagesAreSevenWholePacketsAndTheTailWaits) {
  SrtTsFeed feed;
  ASSERT_TRUE(feed.update_tracks(av_tracks()).ok());
  // PAT, PMT, 12 video packets, 2 audio packets: two messages and 2 packets over.
  ASSERT_TRUE(feed.push(video(0, true, 2000)).ok());
  ASSERT_TRUE(feed.push(audio(0)).ok());
  EXPECT_EQ(feed.queued(), 16 * 188u);
  Bytes sent = take_messages(feed);
  EXPECT_FALSE(feed.has_message());
  EXPECT_EQ(feed.queued(), 2 * 188u);  // less than a message waits for the next frame
  auto tail = feed.flush();
  sent.insert(sent.end(), tail.begin(), tail.end());
  EXPECT_EQ(feed.queued(), 0u);
  EXPECT_EQ(sent.size() % 188, 0u);
  for (size_t pos = 0; pos < sent.size(); pos += 188) EXPECT_EQ(sent[pos], 0x47) << pos;
  EXPECT_EQ(video_pes_count(sent), 1u);
}

TEST(SrtTsFeed, FullTransportSkipsToTheNextKeyframe) {
  SrtTsFeed feed;
  ASSERT_TRUE(feed.update_tracks(av_tracks()).ok());
  ASSERT_TRUE(feed.push(video(0, true)).ok());
  feed.skip_to_keyframe();  // the sender found libsrt's buffer full
  EXPECT_EQ(feed.queued(), 0u);
  EXPECT_GT(feed.dropped_bytes(), 0u);
  EXPECT_EQ(feed.skips(), 1u);
  ASSERT_TRUE(feed.push(video(3000, false)).ok());
  ASSERT_TRUE(feed.push(audio(1024)).ok());  // audio waits for the keyframe too
  EXPECT_EQ(feed.queued(), 0u);
  EXPECT_EQ(feed.dropped_frames(), 2u);
  ASSERT_TRUE(feed.push(video(6000, true)).ok());
  ASSERT_TRUE(feed.push(audio(2048)).ok());
  Bytes sent = take_messages(feed);
  auto tail = feed.flush();
  sent.insert(sent.end(), tail.begin(), tail.end());
  // Resumes with PAT/PMT before the keyframe, so a receiver can start here.
  ASSERT_GE(sent.size(), 2 * 188u);
  EXPECT_EQ(sent[1] & 0x1F, 0);
  EXPECT_EQ(sent[2], 0);  // PID 0: the PAT
  EXPECT_EQ(video_pes_count(sent), 1u);
}

TEST(SrtTsFeed, QueueIsBoundedWhenNothingIsTaken) {
  SrtTsFeed feed;
  ASSERT_TRUE(feed.update_tracks(av_tracks()).ok());
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(feed.push(video(3000 * i, i % 100 == 0, 20000)).ok());
  EXPECT_LE(feed.queued(), SrtTsFeed::kMaxQueuedBytes);
  EXPECT_GE(feed.skips(), 1u);
  EXPECT_GT(feed.dropped_frames(), 0u);
}

TEST(SrtTsFeed, TrackErrorsAndFrameErrors) {
  SrtTsFeed feed;
  auto tracks = av_tracks();
  tracks[1].codec_config = base::Buffer::copy_of(Bytes{0xF8, 0x00});  // object type 31: escape
  EXPECT_FALSE(feed.update_tracks(tracks).ok());
  ASSERT_TRUE(feed.update_tracks(av_tracks()).ok());
  ASSERT_TRUE(feed.update_tracks(av_tracks()).ok());  // unchanged: nothing to do
  media::MediaFrame stranger = audio(0);
  stranger.track_id = 9;
  EXPECT_FALSE(feed.push(stranger).ok());
  EXPECT_EQ(feed.dropped_frames(), 1u);
  EXPECT_TRUE(feed.push(video(0, true)).ok());
}

}  // namespace
}  // namespace vela::egress
