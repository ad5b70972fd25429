#pragma once
// The LL-HLS state of every stream as one shard sees it. The stream's packager (on its home
// shard) posts each event (init, part, segment end, end) once to every shard; each shard
// applies it to its own LiveTimeline and wakes its own parked requests. Viewers' requests
// are answered from their own shard's copy: no locks, and work per part is once per shard,
// not once per viewer. Shard-local: every method on the owning shard's thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "base/buffer.hpp"
#include "packager/cmaf_types.hpp"
#include "packager/live_timeline.hpp"
#include "packager/multivariant.hpp"
#include "runtime/change_signal.hpp"

namespace vela::packager {

// One stream's replicated state on one shard.
struct HlsStreamState {
  HlsStreamState(uint64_t generation, LiveTimelineConfig config, RenditionInfo rendition)
      : generation(generation), timeline(std::move(config)), rendition(std::move(rendition)) {}

  uint64_t generation;  // which publish session this state belongs to
  LiveTimeline timeline;
  RenditionInfo rendition;
  runtime::ChangeSignal changed;  // parked requests of this stream on this shard
  uint64_t version = 0;           // bumped on every change; keys the render caches

  // Rendered once per change and shared by every viewer asking for the same thing.
  base::Buffer playlist(bool delta_update);
  base::Buffer multivariant();

 private:
  struct Cached {
    uint64_t version = UINT64_MAX;
    base::Buffer bytes;
  };
  Cached playlist_cache_[2];
  Cached multivariant_cache_;
};

struct HlsBegin {
  LiveTimelineConfig config;
  RenditionInfo rendition;
};
struct HlsInit {
  base::Buffer data;
};
struct HlsRenditionUpdate {
  RenditionInfo rendition;
};
struct HlsEnd {};
using HlsEvent =
    std::variant<HlsBegin, HlsInit, CmafPart, CmafSegmentEnd, HlsRenditionUpdate, HlsEnd>;

class HlsShardDirectory {
 public:
  // ended_retention: how long an ended stream stays (with EXT-X-ENDLIST) before it is removed.
  HlsShardDirectory(boost::asio::io_context& io, std::chrono::milliseconds ended_retention)
      : io_(io), ended_retention_(ended_retention) {}

  std::shared_ptr<HlsStreamState> find(const std::string& name) const;
  // Applies one event of publish session `generation` of stream `name`. HlsBegin replaces
  // any older state of that name; events of other generations are ignored.
  void apply(const std::string& name, uint64_t generation, const HlsEvent& event);
  size_t size() const { return streams_.size(); }

 private:
  void schedule_removal(const std::string& name, uint64_t generation);

  boost::asio::io_context& io_;
  std::chrono::milliseconds ended_retention_;
  std::unordered_map<std::string, std::shared_ptr<HlsStreamState>> streams_;
};

}  // namespace vela::packager
