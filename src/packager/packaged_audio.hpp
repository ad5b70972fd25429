#pragma once
// Which audio a stream's LL-HLS renditions carry. CMAF/HLS here carries AAC only: a source
// whose audio is AAC is packaged as it is; a source whose audio is something else (Opus from
// WebRTC) is packaged with a derived AAC track instead (the audio bridge's), when there is
// one. Derived audio in any other case (the bridge's Opus for WebRTC) is never packaged.
// Pure, any thread.
#include <optional>
#include <vector>

#include "media/track_info.hpp"

namespace vela::packager {

// The audio track to package, if any: the source's first audio track when it is AAC; else,
// when the source has audio, the first derived AAC audio track.
std::optional<media::TrackInfo> packaged_audio(const std::vector<media::TrackInfo>& source,
                                               const std::vector<media::TrackInfo>& derived);

// The source has audio, but none that CMAF can carry (so it needs a derived AAC track).
bool needs_derived_audio(const std::vector<media::TrackInfo>& source);

}  // namespace vela::packager
