#pragma once
// One shard's RtpFeeds by stream name and tracks (RtpFeedTracks: the audio, or the video of
// one rendition): viewers of a stream on a shard share one feed per rendition, so a frame is
// packetized once per shard however many viewers watch it, and only renditions that someone
// watches are packetized at all.
//
// The directory holds feeds weakly: a feed lives while viewers hold it (acquire() hands out
// shared ownership) and is forgotten once the last holder lets go. The feed itself
// subscribes while it has listeners. A feed whose stream ended, or that belongs to an older
// stream of the same name (the publisher came back), is replaced by a new one.
//
// Threading: one directory per shard; every method on that shard.
#include <memory>
#include <string>
#include <unordered_map>

#include "egress/webrtc/rtp_feed.hpp"
#include "router/stream.hpp"
#include "runtime/shard.hpp"

namespace vela::egress {

class RtpFeedDirectory {
 public:
  explicit RtpFeedDirectory(runtime::Shard& shard, RtpFeedOptions options = {});
  RtpFeedDirectory(const RtpFeedDirectory&) = delete;
  RtpFeedDirectory& operator=(const RtpFeedDirectory&) = delete;

  // The shard's feed for `stream` and `tracks`, created on first use.
  std::shared_ptr<RtpFeed> acquire(const std::shared_ptr<router::Stream>& stream,
                                   const RtpFeedTracks& tracks = {});
  // Feeds still alive (for metrics and tests).
  size_t size() const;

 private:
  runtime::Shard& shard_;
  RtpFeedOptions options_;
  std::unordered_map<std::string, std::weak_ptr<RtpFeed>> feeds_;
};

}  // namespace vela::egress
