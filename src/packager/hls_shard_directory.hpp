#pragma once
// The LL-HLS state of every stream as one shard sees it. The stream's packager (on its home
// shard) posts each event (init, part, segment end, end) once to every shard; each shard
// applies it to its own LiveTimeline and wakes its own parked requests. Viewers' requests
// are answered from their own shard's copy: no locks, and work per part is once per shard,
// not once per viewer. Shard-local: every method on the owning shard's thread.
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "base/buffer.hpp"
#include "packager/cmaf_types.hpp"
#include "packager/live_timeline.hpp"
#include "packager/multivariant.hpp"
#include "runtime/change_signal.hpp"

namespace vela::packager {

// One rendition of a stream on one shard: its timeline and what the multivariant says of it.
struct HlsRendition {
  HlsRendition(LiveTimelineConfig config, RenditionInfo info)
      : timeline(std::move(config)), info(std::move(info)) {}

  LiveTimeline timeline;
  RenditionInfo info;
  // Listed in the multivariant and reported to the other renditions. While the stream runs:
  // the source from its start (players may wait on it for the first part), a derived
  // rendition once it has media, none once its own playlist has ended. Once the stream is
  // over (every playlist ended): each that has media, so that every playlist of an ended
  // stream answers alike, with EXT-X-ENDLIST, until the stream is dropped.
  bool listed(bool source, bool stream_over) const {
    if (stream_over) return timeline.has_media();
    return !timeline.ended() && (source || timeline.has_media());
  }
};

// One stream's replicated state on one shard. renditions[0] is the source rendition (the
// first one begun); the others are derived (transcoded) ones, in the order they began.
struct HlsStreamState {
  explicit HlsStreamState(uint64_t generation) : generation(generation) {}

  uint64_t generation;  // which publish session this state belongs to
  std::vector<std::unique_ptr<HlsRendition>> renditions;
  runtime::ChangeSignal changed;  // parked requests of this stream on this shard
  uint64_t version = 0;           // bumped on every change; keys the render caches

  HlsRendition* find(std::string_view rendition) const;
  bool over() const;  // every rendition's playlist has ended
  // Rendered once per change and shared by every viewer asking for the same thing. A media
  // playlist reports every other listed rendition (EXT-X-RENDITION-REPORT); the multivariant
  // lists the listed renditions, the source first, then by picture height and bandwidth, highest
  // first. Empty before any rendition began.
  base::Buffer playlist(const HlsRendition& rendition, bool delta_update);
  base::Buffer multivariant();

 private:
  struct Cached {
    uint64_t version = UINT64_MAX;
    base::Buffer bytes;
  };
  // Per rendition name: [plain, delta update].
  std::unordered_map<std::string, std::array<Cached, 2>> playlist_cache_;
  Cached multivariant_cache_;
};

// A publish session starts: replaces any older state of the stream's name.
struct HlsBegin {};
// A rendition (config.rendition) starts, or starts over with a fresh timeline (its numbers
// jumped, or it comes back after it ended).
struct HlsRenditionBegin {
  LiveTimelineConfig config;
  RenditionInfo rendition;
};
struct HlsInit {
  base::Buffer data;
};
struct HlsRenditionUpdate {
  RenditionInfo rendition;
};
// The rendition's playlist ends (EXT-X-ENDLIST). Once every rendition has ended the stream
// is removed after the retention time.
struct HlsEnd {};
using HlsEvent = std::variant<HlsBegin, HlsRenditionBegin, HlsInit, CmafPart, CmafSegmentEnd,
                              HlsRenditionUpdate, HlsEnd>;

class HlsShardDirectory {
 public:
  // ended_retention: how long an ended stream stays (with EXT-X-ENDLIST) before it is removed.
  HlsShardDirectory(boost::asio::io_context& io, std::chrono::milliseconds ended_retention)
      : io_(io), ended_retention_(ended_retention) {}

  std::shared_ptr<HlsStreamState> find(const std::string& name) const;
  // Applies one event of publish session `generation` of stream `name` to its rendition
  // `rendition` (unused by HlsBegin, and by HlsRenditionBegin, which names its own). HlsBegin
  // replaces any older state of that name; events of other generations, and of renditions
  // that have not begun, are ignored.
  void apply(const std::string& name, uint64_t generation, const std::string& rendition,
             const HlsEvent& event);
  size_t size() const { return streams_.size(); }

  // The server is stopping: pending removals are cancelled (so the shard can run out of
  // work) and every parked request is woken to be answered now. Idempotent.
  void stop();
  bool stopped() const { return stopped_; }

 private:
  void schedule_removal(const std::string& name, uint64_t generation);

  boost::asio::io_context& io_;
  std::chrono::milliseconds ended_retention_;
  std::list<std::shared_ptr<boost::asio::steady_timer>> removals_;  // of ended streams, pending
  bool stopped_ = false;
  std::unordered_map<std::string, std::shared_ptr<HlsStreamState>> streams_;
};

}  // namespace vela::packager
