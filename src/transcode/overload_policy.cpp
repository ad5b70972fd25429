#include "transcode/overload_policy.hpp"

namespace vela::transcode {

OverloadDecision OverloadPolicy::on_frame(double lag_s, double now_s, bool starts_gop) {
  OverloadDecision d;
  d.drop_frame = !starts_gop && lag_s > options_.drop_frames_lag_s;

  if (lag_s > options_.shed_lag_s) {
    healthy_since_.reset();
    if (!lagging_since_) lagging_since_ = now_s;
    if (now_s - *lagging_since_ >= options_.shed_after_s && shed_ + 1 < renditions_) {
      ++shed_;
      d.shed = true;
      lagging_since_ = now_s;  // give the lighter load time to catch up before shedding more
    }
    return d;
  }
  lagging_since_.reset();
  if (lag_s > options_.recover_lag_s || shed_ == 0) {
    healthy_since_.reset();
    return d;
  }
  if (!healthy_since_) healthy_since_ = now_s;
  if (starts_gop && now_s - *healthy_since_ >= options_.recover_after_s) {
    --shed_;
    d.restore = true;
    healthy_since_ = now_s;  // one at a time
  }
  return d;
}

}  // namespace vela::transcode
