// Real x264 + AAC frames through our init segment and fragment writer, checked by ffprobe
// and a full ffmpeg decode.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "base/time.hpp"
#include "format/fmp4/fragment.hpp"
#include "format/fmp4/init_segment.hpp"
#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"
#include "unit/format/fmp4_test_util.hpp"

namespace vela::format::fmp4 {
namespace {

using media::FramePtr;

std::vector<Sample> samples_of(const std::vector<FramePtr>& frames, size_t begin, size_t end,
                               uint32_t last_duration) {
  std::vector<Sample> out;
  for (size_t i = begin; i < end; ++i) {
    uint32_t duration = i + 1 < frames.size()
                            ? static_cast<uint32_t>(frames[i + 1]->dts - frames[i]->dts)
                            : last_duration;
    out.push_back({frames[i]->payload.span(), duration, frames[i]->cts, frames[i]->keyframe});
  }
  return out;
}

TEST(Fmp4Ffprobe, DecodesMuxedFragmentsFromRealFrames) {
  if (!test::tool_available("/usr/bin/ffprobe")) GTEST_SKIP() << "ffprobe not installed";
  auto media = test::make_test_media();
  if (!media) GTEST_SKIP() << "ffmpeg could not make test media";

  auto video_track = media::codec::make_h264_track(1, media->avcc);
  auto audio_track = media::codec::make_aac_track(2, media->asc);
  ASSERT_TRUE(video_track && audio_track);
  std::vector<media::TrackInfo> tracks = {*video_track, *audio_track};

  std::vector<FramePtr> video, audio;
  for (const auto& frame : media->frames) {
    (frame->track_id == test::kTestVideoId ? video : audio).push_back(frame);
  }
  ASSERT_EQ(video.size(), 90u);

  // Fragments of 15 video frames (0.5 s), with the audio whose time falls inside them.
  std::vector<base::Buffer> pieces = {write_init_segment(tracks)};
  size_t next_audio = 0;
  uint32_t sequence = 1;
  for (size_t begin = 0; begin < video.size(); begin += 15) {
    size_t end = std::min(begin + 15, video.size());
    int64_t cut = end < video.size() ? video[end]->dts : INT64_MAX;
    size_t audio_begin = next_audio;
    while (next_audio < audio.size() &&
           base::rescale(audio[next_audio]->dts, test::kTestAudioRate, 90000) < cut) {
      ++next_audio;
    }
    auto video_samples = samples_of(video, begin, end, 3000);
    auto audio_samples = samples_of(audio, audio_begin, next_audio, 1024);
    const TrackRun runs[] = {
        {1, static_cast<uint64_t>(video[begin]->dts), video_samples},
        {2, static_cast<uint64_t>(audio_begin < audio.size() ? audio[audio_begin]->dts : 0),
         audio_samples}};
    pieces.push_back(write_fragment(sequence++, runs));
  }

  auto path = test::temp_path("writer.mp4");
  test::write_file(path, pieces);
  auto probe = test::probe_file(path);
  std::filesystem::remove(path);

  EXPECT_NE(probe.video.find("codec_name=h264"), std::string::npos) << probe.video;
  EXPECT_NE(probe.video.find("width=320"), std::string::npos) << probe.video;
  EXPECT_NE(probe.video.find("height=240"), std::string::npos) << probe.video;
  EXPECT_NE(probe.video.find("nb_read_frames=90"), std::string::npos) << probe.video;
  EXPECT_NE(probe.audio.find("codec_name=aac"), std::string::npos) << probe.audio;
  EXPECT_NE(probe.audio.find("sample_rate=48000"), std::string::npos) << probe.audio;
  EXPECT_NE(probe.audio.find("channels=2"), std::string::npos) << probe.audio;
  EXPECT_NE(probe.audio.find("nb_read_frames=" + std::to_string(audio.size())), std::string::npos)
      << probe.audio;
  EXPECT_EQ(probe.decode_errors, "");
}

}  // namespace
}  // namespace vela::format::fmp4
