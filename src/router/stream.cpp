#include "router/stream.hpp"

#include <algorithm>

#include "base/time.hpp"

namespace vela::router {

Stream::Stream(std::string name, runtime::ShardSet& shards, size_t home_shard, StreamOptions options)
    : name_(std::move(name)),
      started_wall_us_(base::wall_clock_micros()),
      shards_(shards),
      home_shard_(home_shard),
      options_(options),
      slots_(shards.size()),
      shard_wants_frames_(shards.size(), false) {}

std::optional<uint32_t> Stream::video_track_of(const std::vector<media::TrackInfo>& tracks) {
  for (const auto& t : tracks) {
    if (t.kind == media::MediaKind::video) return t.id;
  }
  return std::nullopt;
}

void Stream::set_tracks(std::vector<media::TrackInfo> tracks) {
  for (size_t s = 0; s < shards_.size(); ++s) {
    auto apply = [self = shared_from_this(), s, tracks] {
      Slot& slot = self->slots_[s];
      slot.tracks = tracks;
      for (auto& sub : slot.subscriptions) sub->set_video_track(video_track_of(tracks));
    };
    if (s == home_shard_) apply();
    else shards_.at(s).post(std::move(apply));
  }
}

void Stream::set_derived_tracks(std::string_view producer, std::vector<media::TrackInfo> tracks) {
  auto it = derived_by_producer_.find(producer);
  if (it == derived_by_producer_.end()) it = derived_by_producer_.emplace(std::string(producer), std::move(tracks)).first;
  else it->second = std::move(tracks);
  std::vector<media::TrackInfo> all;
  for (const auto& [name, list] : derived_by_producer_) all.insert(all.end(), list.begin(), list.end());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (size_t s = 0; s < shards_.size(); ++s) {
    auto apply = [self = shared_from_this(), s, all] { self->slots_[s].derived_tracks = all; };
    if (s == home_shard_) apply();
    else shards_.at(s).post(std::move(apply));
  }
}

void Stream::set_keyframe_requester(std::function<void()> requester) {
  keyframe_requester_ = std::move(requester);
}

void Stream::request_keyframe() {
  shards_.at(home_shard_).post([self = shared_from_this()] {
    if (!self->keyframe_requester_) return;
    auto now = std::chrono::steady_clock::now();
    auto& last = self->last_keyframe_request_;
    if (last && now - *last < self->options_.keyframe_request_interval) return;
    last = now;
    self->keyframe_requester_();
  });
}

bool Stream::advance(Slot& slot, const media::MediaFrame& frame) {
  for (auto& [track, dts] : slot.last_dts) {
    if (track != frame.track_id) continue;
    if (frame.dts <= dts) return false;
    dts = frame.dts;
    return true;
  }
  slot.last_dts.emplace_back(frame.track_id, frame.dts);
  return true;
}

void Stream::remember_for_gop(Slot& slot, const media::FramePtr& frame) const {
  auto video = video_track_of(slot.tracks);
  bool starts_gop = !video || (frame->track_id == *video && frame->keyframe);
  // Audio-only: every frame is a sync point, so keep a short run ending at the newest.
  if (starts_gop && (video || slot.gop.size() >= options_.gop_cache_frames)) slot.gop.clear();
  if (slot.gop.size() >= options_.gop_cache_frames) return;  // overlong GOP: keep its start
  if (!slot.gop.empty() || starts_gop) slot.gop.push_back(frame);
}

void Stream::publish(const media::FramePtr& frame) {
  if (ended_) return;
  for (size_t s = 0; s < shards_.size(); ++s) {
    if (s == home_shard_) {
      deliver(s, frame);
    } else if (shard_wants_frames_[s]) {
      shards_.at(s).post([self = shared_from_this(), s, frame] { self->deliver(s, frame); });
    }
  }
}

void Stream::deliver(size_t shard, const media::FramePtr& frame) {
  Slot& slot = slots_[shard];
  if (slot.ended || !advance(slot, *frame)) return;
  remember_for_gop(slot, frame);
  // Copy the list: a subscriber's on_ready may unsubscribe while we iterate.
  auto subscriptions = slot.subscriptions;
  for (auto& sub : subscriptions) sub->push(frame);
}

void Stream::end() {
  if (ended_) return;
  ended_ = true;
  keyframe_requester_ = nullptr;
  for (size_t s = 0; s < shards_.size(); ++s) {
    auto apply = [self = shared_from_this(), s] {
      Slot& slot = self->slots_[s];
      slot.ended = true;
      slot.gop.clear();
      auto subscriptions = slot.subscriptions;
      for (auto& sub : subscriptions) sub->end();
    };
    if (s == home_shard_) apply();
    else shards_.at(s).post(std::move(apply));
  }
}

std::shared_ptr<Subscription> Stream::subscribe(size_t shard, size_t capacity,
                                                std::function<void()> on_ready, bool with_derived) {
  Slot& slot = slots_[shard];
  auto sub = std::make_shared<Subscription>(capacity, video_track_of(slot.tracks), std::move(on_ready), with_derived);
  slot.subscriptions.push_back(sub);
  if (slot.ended) {
    sub->end();
  } else if (shard == home_shard_ || slot.subscriptions.size() > 1) {
    for (const auto& frame : slot.gop) sub->push(frame);
  } else {
    // First subscriber here: ask the home shard to start posting, from its cached GOP. What
    // this shard saw while it last had subscribers is forgotten: that GOP snapshot may start
    // before the newest frame seen then, and must not be refused as old.
    slot.gop.clear();
    slot.last_dts.clear();
    shards_.at(home_shard_).post([self = shared_from_this(), shard] { self->want_frames(shard); });
  }
  return sub;
}

void Stream::unsubscribe(size_t shard, const std::shared_ptr<Subscription>& subscription) {
  auto& subs = slots_[shard].subscriptions;
  auto it = std::find(subs.begin(), subs.end(), subscription);
  if (it == subs.end()) return;
  subs.erase(it);
  if (subs.empty() && shard != home_shard_) {
    slots_[shard].gop.clear();
    shards_.at(home_shard_).post([self = shared_from_this(), shard] { self->unwant_frames(shard); });
  }
}

void Stream::want_frames(size_t shard) {
  if (shard_wants_frames_[shard] || ended_) return;
  shard_wants_frames_[shard] = true;
  // The GOP snapshot is posted before any later frame, so the shard sees frames in order.
  shards_.at(shard).post([self = shared_from_this(), shard, gop = slots_[home_shard_].gop] {
    for (const auto& frame : gop) self->deliver(shard, frame);
  });
}

void Stream::unwant_frames(size_t shard) { shard_wants_frames_[shard] = false; }

}  // namespace vela::router
