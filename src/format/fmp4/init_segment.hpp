#pragma once
// CMAF / fMP4 initialization segment: ftyp + moov (one trak per track, mvex/trex) with no
// samples, as an HLS EXT-X-MAP or DASH initialization. Pure: tracks in, bytes out.
#include <span>

#include "base/buffer.hpp"
#include "media/track_info.hpp"

namespace vela::format::fmp4 {

// Writes the init segment for `tracks`, in order. Each track's `id` becomes its ISO BMFF
// track_ID and must be non-zero and unique. H.264 tracks carry their avcC in codec_config
// (and width/height), AAC tracks their AudioSpecificConfig (and channels/sample_rate); the
// media timescale of each trak is the track's timescale.
base::Buffer write_init_segment(std::span<const media::TrackInfo> tracks);

}  // namespace vela::format::fmp4
