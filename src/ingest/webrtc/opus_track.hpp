#pragma once
// The audio track of a WebRTC publisher: Opus as RTP carries it (RFC 7587), one RTP payload
// per Opus packet, 48 kHz clock. Described the way transcode::AudioTranscoder describes its
// Opus output: codec_string "opus", timescale and sample_rate 48000, codec_config an
// OpusHead (RFC 7845, 5.1).
#include <cstdint>

#include "media/track_info.hpp"

namespace vela::ingest {

inline constexpr uint32_t kOpusClockRate = 48'000;

// Channels 2: SDP always says opus/48000/2 and a stereo decoder plays mono packets too.
// Pre-skip 0: RTP carries no pre-skip and a live receiver joins mid-stream, so there is no
// encoder priming at the start of what we publish to skip (WebRTC receivers skip none).
// Bitrate 0 (unknown): the browser adapts it continuously.
media::TrackInfo make_opus_track(uint32_t track_id);

}  // namespace vela::ingest
