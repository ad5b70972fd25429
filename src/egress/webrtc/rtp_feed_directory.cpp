#include "egress/webrtc/rtp_feed_directory.hpp"

namespace vela::egress {

RtpFeedDirectory::RtpFeedDirectory(runtime::Shard& shard, RtpFeedOptions options)
    : shard_(shard), options_(options) {}

namespace {

// The tracks first: rendition names ([a-z0-9_-]) hold no '|', so the key is unambiguous.
std::string feed_key(const std::string& stream, const RtpFeedTracks& tracks) {
  return std::string(tracks.audio ? "a" : "-") + (tracks.video ? "v" + *tracks.video : "-") + "|" +
         stream;
}

}  // namespace

std::shared_ptr<RtpFeed> RtpFeedDirectory::acquire(const std::shared_ptr<router::Stream>& stream,
                                                   const RtpFeedTracks& tracks) {
  auto& slot = feeds_[feed_key(stream->name(), tracks)];
  if (auto feed = slot.lock(); feed && feed->stream() == stream && !feed->ended()) return feed;
  auto feed = std::make_shared<RtpFeed>(stream, shard_, options_, tracks);
  slot = feed;
  // Forget feeds nobody holds any more (a new feed is rare: once per stream and shard).
  std::erase_if(feeds_, [](const auto& entry) { return entry.second.expired(); });
  return feed;
}

size_t RtpFeedDirectory::size() const {
  size_t n = 0;
  for (const auto& [name, feed] : feeds_) n += feed.expired() ? 0 : 1;
  return n;
}

}  // namespace vela::egress
