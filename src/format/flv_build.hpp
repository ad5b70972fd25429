#pragma once
// Builds FLV tag bodies (RTMP video/audio message bodies, the legacy AVC/AAC forms every
// RTMP server understands) from the router's tracks and frames: the inverse of flv.hpp.
// Timestamps become RTMP milliseconds: the DTS rescaled from the track's timescale
// (rounding down) and the composition time as pts_ms - dts_ms, so a frame's pts and dts
// round the same way. Pure; any thread. Bodies are appended to a caller's vector, which a
// sender reuses so steady state allocates nothing.
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "format/amf0.hpp"
#include "media/media_frame.hpp"
#include "media/track_info.hpp"

namespace vela::format {

// The AVC or AAC sequence header for a track (its avcC / AudioSpecificConfig). Errors on
// a codec FLV cannot carry in legacy form or on an empty configuration.
base::Status build_flv_sequence_header(const media::TrackInfo& track, std::vector<uint8_t>& body);

// The body carrying one frame of `track` (AVC NALU packet with its composition time, or
// AAC raw). Returns the frame's RTMP timestamp (DTS in ms); errors on an unsupported
// codec or a composition time outside the signed 24-bit range.
base::Result<int64_t> build_flv_frame(const media::TrackInfo& track, const media::MediaFrame& frame,
                                      std::vector<uint8_t>& body);

// onMetaData for a stream's tracks (ECMA array: width, height, framerate, videocodecid,
// audiocodecid, audiosamplerate, audiochannels, stereo), as encoders send it.
Amf0Value build_flv_metadata(std::span<const media::TrackInfo> tracks);

// The RTMP millisecond timestamp of a time in `timescale` ticks (rounding down).
int64_t to_rtmp_ms(int64_t ticks, int64_t timescale);

}  // namespace vela::format
