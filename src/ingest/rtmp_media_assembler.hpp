#pragma once
// Turns an RTMP publisher's media messages (FLV tag bodies) into the stream's tracks and
// frames: H.264 and AAC sequence headers become TrackInfos, coded frames become
// MediaFrames on the normalized timeline. The frame payload is a slice of the message's
// Buffer: no copy. Pure; one owner (the RTMP session).
//
// Tracks are announced once every track the metadata promised has its sequence header
// (or, without metadata, at the first coded frame), holding back the frames that arrive
// before; a changed sequence header re-announces the tracks.
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "format/amf0.hpp"
#include "ingest/assembled_output.hpp"
#include "media/media_frame.hpp"
#include "media/timestamp_normalizer.hpp"
#include "media/track_info.hpp"

namespace vela::ingest {

constexpr uint32_t kRtmpVideoTrackId = 1;
constexpr uint32_t kRtmpAudioTrackId = 2;


class RtmpMediaAssembler {
 public:
  // Frames held while waiting for a promised sequence header; past this the tracks are
  // announced with what is known.
  static constexpr size_t kMaxHeldFrames = 256;

  void on_metadata(const format::Amf0Value& metadata);
  // Errors (unsupported codec, malformed header or config) are fatal for the session.
  base::Result<std::vector<AssembledOutput>> on_video(int64_t timestamp_ms, const base::Buffer& body,
                                                      int64_t now_wall_us);
  base::Result<std::vector<AssembledOutput>> on_audio(int64_t timestamp_ms, const base::Buffer& body,
                                                      int64_t now_wall_us);

  bool announced() const { return announced_; }

 private:
  base::Status set_video_config(base::Buffer avcc);
  base::Status set_audio_config(base::Buffer asc);
  std::vector<AssembledOutput> emit(media::FramePtr frame);
  bool expected_configs_present() const;
  std::vector<media::TrackInfo> tracks() const;
  void announce(std::vector<AssembledOutput>& out);

  std::optional<media::TrackInfo> video_;
  std::optional<media::TrackInfo> audio_;
  bool expect_video_ = false;  // from onMetaData
  bool expect_audio_ = false;
  uint32_t metadata_video_bitrate_ = 0;
  uint32_t metadata_audio_bitrate_ = 0;
  double metadata_frame_rate_ = 0;
  bool announced_ = false;
  bool tracks_dirty_ = false;  // a sequence header changed after announcing
  std::vector<media::FramePtr> held_;
  media::TimestampNormalizer normalizer_;
};

}  // namespace vela::ingest
