#include "transcode/keyframe_alignment.hpp"

namespace vela::transcode {

bool KeyframeCadence::starts_gop(int64_t pts, bool source_keyframe) {
  if (!interval_ || *interval_ <= 0) return source_keyframe;
  int64_t interval = *interval_;
  if (!next_boundary_) {
    // The first frame starts a GOP; boundaries are multiples of the interval from then on.
    next_boundary_ = (pts / interval + 1) * interval;
    return true;
  }
  if (pts < *next_boundary_) return false;
  next_boundary_ = (pts / interval + 1) * interval;
  return true;
}

bool FrameSelector::keep(bool starts_gop) {
  if (starts_gop || first_ || ++since_kept_ >= step_) {
    first_ = false;
    since_kept_ = 0;
    return true;
  }
  return false;
}

}  // namespace vela::transcode
