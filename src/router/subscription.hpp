#pragma once
// A consumer's bounded queue of frames from one stream, living on the consumer's shard.
// When the queue is full the subscriber has fallen behind: it drops what it holds and
// everything up to the next video keyframe, then resumes there. The publisher never waits.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include "media/media_frame.hpp"

namespace vela::router {

class Subscription {
 public:
  // capacity: most frames held; video_track: the track whose keyframes are resume points
  // (none for audio-only streams: every frame is one). on_ready runs after frames arrive
  // or the stream ends, on the subscriber's shard. with_derived: also receive the frames of
  // derived tracks (transcoded renditions); without, only the source's own tracks arrive.
  Subscription(size_t capacity, std::optional<uint32_t> video_track, std::function<void()> on_ready,
               bool with_derived = false);

  // All methods: the subscriber's shard only.
  media::FramePtr pop();  // nullptr when empty
  bool empty() const { return queue_.empty(); }
  bool ended() const { return ended_; }
  uint64_t dropped() const { return dropped_; }
  size_t queued() const { return queue_.size(); }

  // Called by the stream (same shard).
  void push(const media::FramePtr& frame);
  void end();
  void set_video_track(std::optional<uint32_t> video_track) { video_track_ = video_track; }

 private:
  bool is_resume_point(const media::MediaFrame& frame) const;

  std::deque<media::FramePtr> queue_;
  size_t capacity_;
  std::optional<uint32_t> video_track_;
  std::function<void()> on_ready_;
  bool with_derived_;
  bool skipping_ = true;  // a new subscriber starts at a keyframe too
  bool ended_ = false;
  uint64_t dropped_ = 0;
};

}  // namespace vela::router
