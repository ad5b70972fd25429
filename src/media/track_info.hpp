#pragma once
// What a track carries. Built by ingest from the source's codec configuration; immutable
// once the stream publishes it (a new configuration is a new TrackInfo).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "base/buffer.hpp"

namespace vela::media {

enum class MediaKind { video, audio };
enum class Codec { h264, aac, opus };

// Per-track timescales fixed at ingest (see ARCHITECTURE.md, "timestamps").
constexpr int64_t kVideoTimescale = 90'000;

// Tracks the server derives from the source have ids from here on; the source's own tracks
// (ingest) stay below. Each producer of derived tracks has its own range, so their ids never
// collide: the video ladder [1000, 1900), the audio bridge (AAC <-> Opus) [1900, 1950), the
// B-frame-free video for WebRTC from 1950.
constexpr uint32_t kFirstDerivedTrackId = 1000;
constexpr uint32_t kFirstAudioBridgeTrackId = 1900;
constexpr uint32_t kFirstWebRtcVideoTrackId = 1950;
inline bool is_derived_track(uint32_t track_id) { return track_id >= kFirstDerivedTrackId; }
// Made for WebRTC egress only (the source without B-frames); packagers skip it.
inline bool is_webrtc_only_track(uint32_t track_id) { return track_id >= kFirstWebRtcVideoTrackId; }

struct TrackInfo {
  uint32_t id = 0;            // unique within the stream
  MediaKind kind = MediaKind::video;
  Codec codec = Codec::h264;
  int64_t timescale = kVideoTimescale;  // video 90 kHz, audio its sample rate
  // H.264: the AVCDecoderConfigurationRecord (avcC); AAC: the AudioSpecificConfig.
  base::Buffer codec_config;
  std::string codec_string;   // RFC 6381, e.g. "avc1.64001f", "mp4a.40.2"
  // video
  uint32_t width = 0;
  uint32_t height = 0;
  double frame_rate = 0;      // 0 when unknown
  // audio
  uint32_t sample_rate = 0;
  uint32_t channels = 0;
  // nominal bitrate in bits/s, 0 when unknown
  uint32_t bitrate = 0;
  // Derived tracks: the ladder rung they render ("720p") or the audio bridge's output
  // ("audio-opus", "audio-aac"); empty for the source's tracks.
  std::string rendition;
};

// The track with this id when it is H.264 video (what a video re-encoder takes); else nullptr.
inline const TrackInfo* find_h264_video_track(const std::vector<TrackInfo>& tracks, uint32_t id) {
  auto it = std::find_if(tracks.begin(), tracks.end(), [id](const TrackInfo& t) {
    return t.id == id && t.kind == MediaKind::video && t.codec == Codec::h264;
  });
  return it == tracks.end() ? nullptr : &*it;
}

}  // namespace vela::media
