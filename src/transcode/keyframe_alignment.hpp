#pragma once
// Keyframe alignment across renditions. Every transcoded rendition must start a GOP on
// exactly the same source frames, so that segments and parts line up and a player can
// switch between renditions at any segment boundary. The decision is made once per source
// frame (KeyframeCadence) and applied to every rendition; a rendition that keeps only every
// n-th frame (FrameSelector) never drops a frame that starts a GOP. Pure.
#include <cstdint>
#include <optional>

namespace vela::transcode {

class KeyframeCadence {
 public:
  // interval: none = follow the source's keyframes; else a keyframe on the first source frame
  // at or after each multiple of `interval` (timeline ticks), whatever the source does.
  explicit KeyframeCadence(std::optional<int64_t> interval = std::nullopt) : interval_(interval) {}

  // Whether the transcoded frames made from this source frame must be keyframes. Call once
  // per source frame, in decode order of presentation timestamps.
  bool starts_gop(int64_t pts, bool source_keyframe);

 private:
  std::optional<int64_t> interval_;
  std::optional<int64_t> next_boundary_;
};

class FrameSelector {
 public:
  explicit FrameSelector(uint32_t step) : step_(step < 1 ? 1 : step) {}

  // Whether a rendition keeps this source frame: every step-th frame, counted from the last
  // GOP start, and always the frame that starts a GOP.
  bool keep(bool starts_gop);

 private:
  uint32_t step_;
  uint32_t since_kept_ = 0;
  bool first_ = true;
};

}  // namespace vela::transcode
