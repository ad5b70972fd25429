#pragma once
// The bounded queue in front of a video re-encoder (the ladder's transcoder, the B-frame-free
// copy for WebRTC). When the encoder falls a whole queue behind, frames are dropped so that
// decoding can resume at a keyframe: the oldest ones up to a newer queued keyframe if there
// is one; else, when a keyframe arrives, everything queued; else the arriving frame and the
// rest of its GOP. The first frame queued after a drop is marked after_gap, so the encoder
// starts afresh there.
//
// Item: any type with `media::FramePtr frame` and `bool after_gap`.
// Threading: none of its own; the owner locks around it.
#include <algorithm>
#include <cstddef>
#include <deque>
#include <optional>

#include "media/media_frame.hpp"

namespace vela::transcode {

template <typename Item>
class GopDropQueue {
 public:
  explicit GopDropQueue(size_t capacity) : capacity_(std::max<size_t>(2, capacity)) {}

  // Queues the item, or drops it. Returns how many frames this push dropped (queued ones,
  // or the item itself).
  size_t push(Item item) {
    const bool keyframe = item.frame->keyframe;
    if (skipping_ && !keyframe) return 1;
    skipping_ = false;
    size_t dropped = 0;
    if (queue_.size() >= capacity_) {
      auto next_key = std::find_if(queue_.begin() + 1, queue_.end(), [](const Item& q) { return q.frame->keyframe; });
      if (next_key != queue_.end()) {
        dropped = static_cast<size_t>(next_key - queue_.begin());
        queue_.erase(queue_.begin(), next_key);
        queue_.front().after_gap = true;
      } else if (keyframe) {
        dropped = queue_.size();
        queue_.clear();
        gap_ = true;
      } else {
        skipping_ = true;
        gap_ = true;
        return 1;
      }
    }
    item.after_gap = gap_;
    gap_ = false;
    queue_.push_back(std::move(item));
    return dropped;
  }

  std::optional<Item> pop() {
    if (queue_.empty()) return std::nullopt;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    return item;
  }

  bool empty() const { return queue_.empty(); }
  size_t size() const { return queue_.size(); }
  void clear() { queue_.clear(); }

 private:
  size_t capacity_;
  std::deque<Item> queue_;
  bool skipping_ = false;  // dropping until the next keyframe
  bool gap_ = false;       // the next item queued follows dropped ones
};

}  // namespace vela::transcode
