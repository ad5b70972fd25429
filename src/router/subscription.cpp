#include "router/subscription.hpp"

#include "media/track_info.hpp"

namespace vela::router {

Subscription::Subscription(size_t capacity, std::optional<uint32_t> video_track,
                           std::function<void()> on_ready, bool with_derived)
    : capacity_(capacity), video_track_(video_track), on_ready_(std::move(on_ready)), with_derived_(with_derived) {}

media::FramePtr Subscription::pop() {
  if (queue_.empty()) return nullptr;
  media::FramePtr frame = std::move(queue_.front());
  queue_.pop_front();
  return frame;
}

bool Subscription::is_resume_point(const media::MediaFrame& frame) const {
  if (!video_track_) return true;
  return frame.track_id == *video_track_ && frame.keyframe;
}

void Subscription::push(const media::FramePtr& frame) {
  if (ended_ || (!with_derived_ && media::is_derived_track(frame->track_id))) return;
  if (queue_.size() >= capacity_) {
    dropped_ += queue_.size();
    queue_.clear();
    skipping_ = true;
  }
  if (skipping_) {
    if (!is_resume_point(*frame)) {
      ++dropped_;
      return;
    }
    skipping_ = false;
  }
  queue_.push_back(frame);
  if (on_ready_) on_ready_();
}

void Subscription::end() {
  if (ended_) return;
  ended_ = true;
  if (on_ready_) on_ready_();
}

}  // namespace vela::router
