#pragma once
// The adaptive-bitrate ladder: which renditions a source gets. Pure planning, no FFmpeg.
// A rung names a target picture height (the short side, so portrait sources work the same),
// a video bitrate and a frame-rate cap; planning against a source keeps its aspect ratio,
// never upscales, makes both dimensions even (4:2:0) and caps the frame rate by keeping
// every n-th source frame (so timestamps stay on the source's grid).
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "transcode/scaler.hpp"

namespace vela::transcode {

struct LadderRung {
  std::string name;         // e.g. "720p"; [a-z0-9_-], unique in the ladder
  uint32_t height = 0;      // short side in pixels
  uint32_t video_kbps = 0;
  double max_fps = 30;
};

struct Ladder {
  bool passthrough = true;  // the source itself is a rendition (no decode for it)
  std::vector<LadderRung> rungs;
};

// Source passed through, plus 720p ~2.5 Mbps, 480p ~1 Mbps, 360p ~0.6 Mbps, all at most 30 fps.
Ladder default_ladder();

// A clear error for an unusable ladder (empty names, duplicates, sizes or rates out of range).
base::Status validate_ladder(const Ladder& ladder);

struct SourceVideo {
  uint32_t width = 0;
  uint32_t height = 0;
  double frame_rate = 0;  // 0: unknown
};

struct PlannedRendition {
  std::string name;           // "source" for the passthrough
  bool passthrough = false;
  PictureSize size;
  uint32_t video_kbps = 0;    // 0 for the passthrough (the source's own)
  uint32_t frame_step = 1;    // keep every frame_step-th source frame
  double frame_rate = 0;      // source rate / frame_step (0 when the source rate is unknown)

  bool operator==(const PlannedRendition&) const = default;
};

// The renditions for `source`, largest first: the passthrough (when the ladder has it), then
// every rung smaller than the source. Without a passthrough, rungs at or above the source
// size collapse into one rendition at the source size, so there is always one.
std::vector<PlannedRendition> plan_ladder(const SourceVideo& source, const Ladder& ladder);

}  // namespace vela::transcode
