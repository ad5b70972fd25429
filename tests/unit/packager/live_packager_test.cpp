#include "packager/live_packager.hpp"

#include <gtest/gtest.h>

#include <map>

#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"
#include "packager/packaged_audio.hpp"
#include "unit/packager/hls_test_util.hpp"

namespace vela::packager {
namespace {

using test::attribute;
using test::lines_of;
using test::with_prefix;

constexpr uint32_t kVideoId = 1;
constexpr uint32_t kAudioId = 2;
constexpr uint32_t k480Id = media::kFirstDerivedTrackId;
constexpr uint32_t k360Id = media::kFirstDerivedTrackId + 1;
constexpr int64_t kFrameTicks = 3000;  // 30 fps
constexpr int kGop = 30;               // a keyframe every second
constexpr int64_t kWallBaseUs = 1'700'000'000'000'000;
constexpr int64_t kFirstPts = 90000;  // leaves room for the source's B-frame delay

// libx264 720p30 avcC (the sizes below are what the test says, not what it parses); AAC-LC.
constexpr uint8_t kAvcc[] = {0x01, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0x00, 0x1a, 0x67, 0x64, 0x00, 0x1f,
                             0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
                             0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x83, 0x19, 0x60, 0x01, 0x00,
                             0x06, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0, 0xfd, 0xf8, 0xf8, 0x00};
constexpr uint8_t kAsc[] = {0x11, 0x90};

media::TrackInfo video_track(uint32_t id, uint32_t width, uint32_t height,
                             std::string rendition = {}) {
  auto track = *media::codec::make_h264_track(id, base::Buffer::copy_of(kAvcc));
  track.width = width;
  track.height = height;
  track.frame_rate = 30;
  track.rendition = std::move(rendition);
  return track;
}

media::FramePtr frame(uint32_t track, int64_t dts, int32_t cts, bool keyframe) {
  auto f = std::make_shared<media::MediaFrame>();
  f->track_id = track;
  f->dts = dts;
  f->cts = cts;
  f->keyframe = keyframe;
  f->payload = base::Buffer::copy_of("frame " + std::to_string(track) + "@" + std::to_string(dts));
  f->wall_clock_us = kWallBaseUs + (dts + cts) * 100 / 9;  // the same for the same pts
  return f;
}

// One shard, never started: the stream and the packager run synchronously on this thread.
class LivePackagerTest : public ::testing::Test {
 protected:
  LivePackagerTest()
      : shards_(1),
        directory_(io_, std::chrono::seconds(60)),
        stream_(std::make_shared<router::Stream>("demo", shards_, 0, router::StreamOptions{})) {
    LivePackagerOptions options;
    options.segmenter.segment_target_s = 2;
    options.timeline.part_target_s = options.segmenter.part_target_s;
    options.timeline.target_duration_s = 2;
    packager_ = std::make_shared<LivePackager>(
        stream_, shards_, std::vector<HlsShardDirectory*>{&directory_}, options, 1);
    packager_->start();
    stream_->set_tracks({video_track(kVideoId, 1920, 1080),
                         *media::codec::make_aac_track(kAudioId, base::Buffer::copy_of(kAsc))});
  }

  // Source frame i (shown one frame after its decode time, as with B-frames) with its audio.
  void publish_source(int i) {
    int64_t pts = kFirstPts + i * kFrameTicks;
    while (audio_index_ * 1024 * 90000 / 48000 <= pts) {
      auto audio = frame(kAudioId, audio_index_++ * 1024, 0, true);
      stream_->publish(audio);
    }
    stream_->publish(
        frame(kVideoId, pts - kFrameTicks, static_cast<int32_t>(kFrameTicks), i % kGop == 0));
  }
  // Derived frame i: no B-frames, a keyframe exactly where the source has one.
  void publish_derived(uint32_t track, int i) {
    stream_->publish(frame(track, kFirstPts + i * kFrameTicks, 0, i % kGop == 0));
  }

  HlsStreamState& state() { return *directory_.find("demo"); }
  const LiveTimeline& timeline(std::string_view rendition) {
    return state().find(rendition)->timeline;
  }
  std::string playlist(std::string_view rendition) {
    return std::string(state().playlist(*state().find(rendition), false).text());
  }
  // msn -> wall clock of the segment's first part, complete segments only.
  std::map<uint64_t, int64_t> segment_starts(std::string_view rendition) {
    std::map<uint64_t, int64_t> out;
    for (const auto& segment : timeline(rendition).segments()) {
      if (segment.complete) out[segment.msn] = segment.wall_clock_us;
    }
    return out;
  }

  boost::asio::io_context io_;
  runtime::ShardSet shards_;
  HlsShardDirectory directory_;
  std::shared_ptr<router::Stream> stream_;
  std::shared_ptr<LivePackager> packager_;
  int64_t audio_index_ = 0;
};

TEST_F(LivePackagerTest, DerivedRenditionsShareSegmentNumbersWithTheSource) {
  stream_->set_derived_tracks(
      "ladder",
      {video_track(k480Id, 854, 480, "480p"), video_track(k360Id, 640, 360, "360p")});
  // 480p trails the source by 4 frames from the start; 360p starts 3.5 s in.
  for (int i = 0; i < 300; ++i) {
    publish_source(i);
    if (i >= 4) publish_derived(k480Id, i - 4);
    if (i >= 105) publish_derived(k360Id, i - 4);
  }
  auto source = segment_starts("video");
  auto r480 = segment_starts("480p");
  auto r360 = segment_starts("360p");
  ASSERT_GE(source.size(), 4u);
  EXPECT_EQ(r480, source);
  ASSERT_FALSE(r360.empty());
  EXPECT_GT(r360.begin()->first, source.begin()->first);  // it starts later, at a source cut
  for (const auto& [msn, wall] : r360) EXPECT_EQ(source.at(msn), wall) << msn;

  // Every media playlist reports the other two renditions where they are.
  for (std::string_view name : {"video", "480p", "360p"}) {
    auto reports = with_prefix(lines_of(playlist(name)), "#EXT-X-RENDITION-REPORT:");
    ASSERT_EQ(reports.size(), 2u) << name;
    for (const auto& report : reports) {
      std::string uri = attribute(report, "URI");
      std::string other = uri.substr(1, uri.find(".m3u8") - 1);
      EXPECT_NE(other, name);
      auto last = timeline(other).last_part();
      EXPECT_EQ(attribute(report, "LAST-MSN"), std::to_string(last->msn)) << report;
      EXPECT_EQ(attribute(report, "LAST-PART"), std::to_string(last->index)) << report;
    }
  }
}

TEST_F(LivePackagerTest, MultivariantListsRenditionsWithMediaHighestFirst) {
  auto r360 = video_track(k360Id, 640, 360, "360p");
  r360.bitrate = 600'000;
  auto r480 = video_track(k480Id, 854, 480, "480p");
  r480.bitrate = 1'000'000;
  stream_->set_derived_tracks("ladder", {r360, r480});
  for (int i = 0; i < 90; ++i) {
    publish_source(i);
    if (i >= 2) publish_derived(k360Id, i - 2);
  }
  // 480p has no media yet: not offered to players.
  auto variants = with_prefix(lines_of(state().multivariant().text()), "#EXT-X-STREAM-INF:");
  ASSERT_EQ(variants.size(), 2u);
  for (int i = 90; i < 200; ++i) {
    publish_source(i);
    publish_derived(k360Id, i - 2);
    publish_derived(k480Id, i - 2);
  }

  auto lines = lines_of(state().multivariant().text());
  variants = with_prefix(lines, "#EXT-X-STREAM-INF:");
  ASSERT_EQ(variants.size(), 3u);
  EXPECT_EQ(attribute(variants[0], "RESOLUTION"), "1920x1080");
  EXPECT_EQ(attribute(variants[1], "RESOLUTION"), "854x480");
  EXPECT_EQ(attribute(variants[2], "RESOLUTION"), "640x360");
  for (const auto& variant : variants) {
    EXPECT_EQ(attribute(variant, "FRAME-RATE"), "30.000");
    EXPECT_EQ(attribute(variant, "CODECS"), "\"avc1.64001f,mp4a.40.2\"");
    EXPECT_FALSE(attribute(variant, "AVERAGE-BANDWIDTH").empty());  // measured by now
  }
  // Until a segment's peak passes it: the tracks' nominal rates (audio 128 kb/s when unknown).
  EXPECT_EQ(attribute(variants[1], "BANDWIDTH"), "1128000");
  EXPECT_EQ(attribute(variants[2], "BANDWIDTH"), "728000");
  std::vector<std::string> uris;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].starts_with("#EXT-X-STREAM-INF:")) uris.push_back(lines[i + 1]);
  }
  EXPECT_EQ(uris, (std::vector<std::string>{"video.m3u8", "480p.m3u8", "360p.m3u8"}));
}

TEST_F(LivePackagerTest, AStoppedRenditionEndsAndAGapStartsItsPlaylistOver) {
  stream_->set_derived_tracks("ladder", {video_track(k480Id, 854, 480, "480p")});
  for (int i = 0; i < 120; ++i) {
    publish_source(i);
    publish_derived(k480Id, i);
  }
  uint64_t first = timeline("480p").segments().front().msn;
  uint64_t init = timeline("480p").current_init_id();
  // Paused for 4 s: the playlist does not grow, then starts over where the source is.
  for (int i = 120; i < 240; ++i) publish_source(i);
  uint64_t last_before = *timeline("480p").last_complete_msn();
  for (int i = 240; i < 330; ++i) {
    publish_source(i);
    publish_derived(k480Id, i);
  }
  EXPECT_GT(timeline("480p").media_sequence(), last_before + 1);
  EXPECT_GT(timeline("480p").segments().front().msn, first);
  EXPECT_GT(timeline("480p").oldest_init_id(), init);  // new init names, never reused
  for (const auto& [msn, wall] : segment_starts("480p"))
    EXPECT_EQ(segment_starts("video").at(msn), wall);

  // The transcoder drops the rung: its playlist ends and players are no longer offered it.
  stream_->set_derived_tracks("ladder", {});
  publish_source(330);
  EXPECT_TRUE(timeline("480p").ended());
  EXPECT_EQ(with_prefix(lines_of(state().multivariant().text()), "#EXT-X-STREAM-INF:").size(), 1u);
  EXPECT_TRUE(with_prefix(lines_of(playlist("video")), "#EXT-X-RENDITION-REPORT:").empty());

  packager_->stop();
  EXPECT_TRUE(timeline("video").ended());
}

// --- audio: a source with Opus audio (WebRTC) is packaged with the audio bridge's AAC.

constexpr uint32_t kBridgedId = media::kFirstAudioBridgeTrackId;

media::TrackInfo opus_track(uint32_t id, std::string rendition = {}) {
  media::TrackInfo track;
  track.id = id;
  track.kind = media::MediaKind::audio;
  track.codec = media::Codec::opus;
  track.timescale = 48'000;
  track.codec_string = "opus";
  track.sample_rate = 48'000;
  track.channels = 2;
  track.rendition = std::move(rendition);
  return track;
}

media::TrackInfo bridged_aac() {
  auto track = *media::codec::make_aac_track(kBridgedId, base::Buffer::copy_of(kAsc));
  track.rendition = "audio-aac";
  return track;
}

// The bytes of every part of the source rendition, as text.
std::string all_parts(const LiveTimeline& timeline) {
  std::string out;
  for (const auto& segment : timeline.segments()) {
    for (const auto& part : segment.parts) out += part.data.text();
  }
  return out;
}

TEST_F(LivePackagerTest, OpusSourceWaitsForTheBridgedAacAndPackagesIt) {
  stream_->set_tracks({video_track(kVideoId, 1920, 1080), opus_track(kAudioId)});
  for (int i = 0; i < 10; ++i) publish_source(i);  // a third of a second: held back
  EXPECT_EQ(directory_.find("demo"), nullptr);
  stream_->set_derived_tracks("audio_bridge", {bridged_aac()});
  int64_t bridged = 0;
  for (int i = 10; i < 200; ++i) {
    publish_source(i);
    // The bridge's AAC comes a few frames behind the video, on the source's clock.
    while (bridged * 1024 * 90000 / 48000 <= kFirstPts + (i - 3) * kFrameTicks) {
      stream_->publish(frame(kBridgedId, bridged++ * 1024, 0, true));
    }
  }
  auto variants = with_prefix(lines_of(state().multivariant().text()), "#EXT-X-STREAM-INF:");
  ASSERT_EQ(variants.size(), 1u);
  EXPECT_EQ(attribute(variants[0], "CODECS"), "\"avc1.64001f,mp4a.40.2\"");
  // Nothing held was lost, and the segmenter never restarted for the audio.
  const auto& video = timeline("video");
  ASSERT_GE(video.segments().size(), 3u);
  EXPECT_EQ(video.segments().front().wall_clock_us, kWallBaseUs + kFirstPts * 100 / 9);
  EXPECT_EQ(video.oldest_init_id(), video.current_init_id());
  std::string parts = all_parts(video);
  EXPECT_NE(parts.find("frame 1900@"), std::string::npos) << "the bridged AAC is muxed";
  EXPECT_EQ(parts.find("frame 2@"), std::string::npos) << "the Opus source audio is not";
}

TEST_F(LivePackagerTest, DerivedRenditionsOfAnOpusSourceCarryTheBridgedAac) {
  stream_->set_tracks({video_track(kVideoId, 1920, 1080), opus_track(kAudioId)});
  stream_->set_derived_tracks("audio_bridge", {bridged_aac()});
  stream_->set_derived_tracks("ladder", {video_track(k480Id, 854, 480, "480p")});
  int64_t bridged = 0;
  for (int i = 0; i < 120; ++i) {
    publish_source(i);
    publish_derived(k480Id, i);
    while (bridged * 1024 * 90000 / 48000 <= kFirstPts + i * kFrameTicks) {
      stream_->publish(frame(kBridgedId, bridged++ * 1024, 0, true));
    }
  }
  auto variants = with_prefix(lines_of(state().multivariant().text()), "#EXT-X-STREAM-INF:");
  ASSERT_EQ(variants.size(), 2u);
  for (const auto& variant : variants) EXPECT_EQ(attribute(variant, "CODECS"), "\"avc1.64001f,mp4a.40.2\"");
  EXPECT_NE(all_parts(timeline("480p")).find("frame 1900@"), std::string::npos);
  EXPECT_EQ(state().find("audio-aac"), nullptr) << "derived audio is not a rendition of its own";
}

TEST_F(LivePackagerTest, WithoutABridgedTrackAnOpusSourceIsPackagedVideoOnlyAfterTheWait) {
  stream_->set_tracks({video_track(kVideoId, 1920, 1080), opus_track(kAudioId)});
  for (int i = 0; i < 25; ++i) publish_source(i);  // < 1 s
  EXPECT_EQ(directory_.find("demo"), nullptr);
  for (int i = 25; i < 120; ++i) publish_source(i);
  auto variants = with_prefix(lines_of(state().multivariant().text()), "#EXT-X-STREAM-INF:");
  ASSERT_EQ(variants.size(), 1u);
  EXPECT_EQ(attribute(variants[0], "CODECS"), "\"avc1.64001f\"");
  EXPECT_EQ(timeline("video").segments().front().wall_clock_us, kWallBaseUs + kFirstPts * 100 / 9)
      << "the held frames are packaged, not dropped";
}

TEST_F(LivePackagerTest, ABridgedOpusTrackOfAnAacSourceIsNeverPackaged) {
  stream_->set_derived_tracks("audio_bridge", {opus_track(kBridgedId, "audio-opus")});
  for (int i = 0; i < 120; ++i) {
    publish_source(i);
    stream_->publish(frame(kBridgedId, i * 1600, 0, true));
  }
  auto variants = with_prefix(lines_of(state().multivariant().text()), "#EXT-X-STREAM-INF:");
  ASSERT_EQ(variants.size(), 1u);
  EXPECT_EQ(attribute(variants[0], "CODECS"), "\"avc1.64001f,mp4a.40.2\"");
  EXPECT_EQ(state().find("audio-opus"), nullptr);
  std::string parts = all_parts(timeline("video"));
  EXPECT_NE(parts.find("frame 2@"), std::string::npos);
  EXPECT_EQ(parts.find("frame 1900@"), std::string::npos);
}

TEST(PackagedAudio, SourceAacElseDerivedAacNeverOpus) {
  auto video = video_track(kVideoId, 1280, 720);
  auto aac = *media::codec::make_aac_track(kAudioId, base::Buffer::copy_of(kAsc));
  auto opus = opus_track(kAudioId);
  EXPECT_EQ(packaged_audio({video, aac}, {bridged_aac()})->id, kAudioId);
  EXPECT_EQ(packaged_audio({video, opus}, {video_track(k480Id, 854, 480, "480p"), bridged_aac()})->id, kBridgedId);
  EXPECT_FALSE(packaged_audio({video, opus}, {opus_track(kBridgedId, "audio-opus")}));
  EXPECT_FALSE(packaged_audio({video}, {bridged_aac()})) << "no source audio: nothing to stand in for";
  EXPECT_TRUE(needs_derived_audio({video, opus}));
  EXPECT_FALSE(needs_derived_audio({video, aac}));
  EXPECT_FALSE(needs_derived_audio({video}));
}

}  // namespace
}  // namespace vela::packager
