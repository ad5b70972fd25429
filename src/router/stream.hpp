#pragma once
// A live stream: one publisher on its home shard writes frames; subscribers on any shard
// read them. The home shard posts each frame once to every other shard that has
// subscribers (never once per subscriber); each shard fans out to its own subscriptions.
//
// Threading: construct anywhere; methods say which shard may call them. Per-shard state
// (slots_[i]) is touched only on shard i; home-only state only on the home shard.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/media_frame.hpp"
#include "media/track_info.hpp"
#include "router/stream_status.hpp"
#include "router/subscription.hpp"
#include "runtime/shard.hpp"

namespace vela::router {

struct StreamOptions {
  size_t gop_cache_frames = 1024;  // bound on the frames kept since the last keyframe
  // request_keyframe() reaches the publisher at most this often (viewers ask in bursts).
  std::chrono::milliseconds keyframe_request_interval{300};
};

class Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(std::string name, runtime::ShardSet& shards, size_t home_shard, StreamOptions options);

  const std::string& name() const { return name_; }
  size_t home_shard() const { return home_shard_; }
  int64_t started_wall_us() const { return started_wall_us_; }
  // Ingest details and cues for the API; any thread (it locks).
  StreamStatus& status() { return status_; }
  const StreamStatus& status() const { return status_; }

  // Home shard: the publisher's side.
  void set_tracks(std::vector<media::TrackInfo> tracks);
  // Home shard: the tracks that `producer` (the video ladder, the audio bridge, ...) derives
  // from the source, replacing that producer's earlier list; ids in the producer's own range
  // (see media/track_info.hpp). Every shard's derived_tracks() is the union of all
  // producers' lists, ordered by id. Their frames go through publish() like the source's.
  void set_derived_tracks(std::string_view producer, std::vector<media::TrackInfo> tracks);
  void publish(const media::FramePtr& frame);
  // Also forgets the keyframe requester.
  void end();

  // Home shard: how to ask the publisher for a keyframe (a WHIP session sends a PLI);
  // nullptr clears it. The publisher session sets it and clears it when it ends.
  void set_keyframe_requester(std::function<void()> requester);
  // Any shard: asks the publisher for a keyframe (a new or recovering viewer). Posts to the
  // home shard; at most one request per options.keyframe_request_interval reaches the
  // requester, and none when there is no requester.
  void request_keyframe();

  // Shard `shard`, on that shard: a new subscription that starts at the most recent
  // keyframe (the cached GOP). unsubscribe() when done.
  // with_derived: the subscription also receives derived tracks' frames.
  std::shared_ptr<Subscription> subscribe(size_t shard, size_t capacity, std::function<void()> on_ready,
                                          bool with_derived = false);
  void unsubscribe(size_t shard, const std::shared_ptr<Subscription>& subscription);
  // Shard `shard`: that shard's copy of the tracks (empty before the publisher set them).
  const std::vector<media::TrackInfo>& tracks(size_t shard) const { return slots_[shard].tracks; }
  // Shard `shard`: that shard's copy of the derived tracks (empty without transcoding).
  const std::vector<media::TrackInfo>& derived_tracks(size_t shard) const { return slots_[shard].derived_tracks; }
  bool ended(size_t shard) const { return slots_[shard].ended; }

 private:
  struct Slot {
    std::vector<media::TrackInfo> tracks;
    std::vector<media::TrackInfo> derived_tracks;
    std::vector<std::shared_ptr<Subscription>> subscriptions;
    std::vector<media::FramePtr> gop;  // frames since the last keyframe, for new subscribers
    std::vector<std::pair<uint32_t, int64_t>> last_dts;  // per track: newest frame delivered
    bool ended = false;
  };

  static std::optional<uint32_t> video_track_of(const std::vector<media::TrackInfo>& tracks);
  void deliver(size_t shard, const media::FramePtr& frame);
  // False when the slot already delivered this track up to the frame's time (a GOP replay
  // that overlaps frames already sent).
  static bool advance(Slot& slot, const media::MediaFrame& frame);
  void remember_for_gop(Slot& slot, const media::FramePtr& frame) const;
  // Home shard: start or stop posting frames to `shard`; starting sends the cached GOP.
  void want_frames(size_t shard);
  void unwant_frames(size_t shard);

  std::string name_;
  int64_t started_wall_us_;
  runtime::ShardSet& shards_;
  size_t home_shard_;
  StreamOptions options_;
  std::vector<Slot> slots_;
  StreamStatus status_;
  // Home shard only.
  std::vector<bool> shard_wants_frames_;
  bool ended_ = false;
  std::map<std::string, std::vector<media::TrackInfo>, std::less<>> derived_by_producer_;
  std::function<void()> keyframe_requester_;
  std::optional<std::chrono::steady_clock::time_point> last_keyframe_request_;
};

}  // namespace vela::router
