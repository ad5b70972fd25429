#pragma once
// What a stream's transcoder does when it cannot keep up with real time. Lag is how far the
// encoders are behind the newest source frame (seconds of media waiting). Steps, in order:
//   1. lag above drop_frames_lag_s: skip source frames (not GOP starts) until it is below;
//   2. lag above shed_lag_s for shed_after_s: stop the most expensive rendition still
//      running (renditions are ordered most expensive first) and start measuring again;
//   3. lag below recover_lag_s for recover_after_s: bring the last shed rendition back
//      (at a GOP start, so it starts on a keyframe).
// At least one rendition always runs. Pure: the caller passes the time in.
#include <cstddef>
#include <optional>

namespace vela::transcode {

struct OverloadOptions {
  double drop_frames_lag_s = 0.5;
  double shed_lag_s = 1.0;
  double shed_after_s = 3.0;
  double recover_lag_s = 0.1;
  double recover_after_s = 15.0;
};

struct OverloadDecision {
  bool drop_frame = false;
  bool shed = false;     // a rendition was just stopped
  bool restore = false;  // a rendition was just started again
};

class OverloadPolicy {
 public:
  OverloadPolicy(size_t renditions, OverloadOptions options) : renditions_(renditions), options_(options) {}

  // Once per source frame: the current lag, the time now (seconds, monotonic), and whether
  // the frame starts a GOP (never dropped; restores happen only there).
  OverloadDecision on_frame(double lag_s, double now_s, bool starts_gop);

  // Renditions [shed(), count) run; [0, shed()) are stopped, most expensive first.
  size_t shed() const { return shed_; }
  bool running(size_t rendition) const { return rendition >= shed_; }

 private:
  size_t renditions_;
  OverloadOptions options_;
  size_t shed_ = 0;
  std::optional<double> lagging_since_;
  std::optional<double> healthy_since_;
};

}  // namespace vela::transcode
