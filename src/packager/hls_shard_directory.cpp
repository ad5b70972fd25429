#include "packager/hls_shard_directory.hpp"

#include <spdlog/spdlog.h>

#include "packager/hls_playlist.hpp"

namespace vela::packager {

namespace {
base::Buffer adopt_text(std::string text) {
  return base::Buffer::adopt(std::vector<uint8_t>(text.begin(), text.end()));
}
}  // namespace

base::Buffer HlsStreamState::playlist(bool delta_update) {
  Cached& cache = playlist_cache_[delta_update ? 1 : 0];
  if (cache.version != version) {
    MediaPlaylistOptions options;
    options.delta_update = delta_update;
    cache.bytes = adopt_text(render_media_playlist(timeline, options));
    cache.version = version;
  }
  return cache.bytes;
}

base::Buffer HlsStreamState::multivariant() {
  if (multivariant_cache_.version != version) {
    multivariant_cache_.bytes = adopt_text(render_multivariant({rendition}));
    multivariant_cache_.version = version;
  }
  return multivariant_cache_.bytes;
}

std::shared_ptr<HlsStreamState> HlsShardDirectory::find(const std::string& name) const {
  auto it = streams_.find(name);
  return it == streams_.end() ? nullptr : it->second;
}

void HlsShardDirectory::apply(const std::string& name, uint64_t generation, const HlsEvent& event) {
  if (const auto* begin = std::get_if<HlsBegin>(&event)) {
    auto old = find(name);
    auto state = std::make_shared<HlsStreamState>(generation, begin->config, begin->rendition);
    streams_[name] = state;
    if (old) old->changed.notify_all();  // its waiters re-resolve against the new state
    return;
  }
  auto state = find(name);
  if (!state || state->generation != generation) return;
  base::Status status;
  if (const auto* init = std::get_if<HlsInit>(&event)) {
    status = state->timeline.set_init(init->data);
  } else if (const auto* part = std::get_if<CmafPart>(&event)) {
    status = state->timeline.add_part(*part);
  } else if (const auto* end = std::get_if<CmafSegmentEnd>(&event)) {
    status = state->timeline.end_segment(*end);
  } else if (const auto* update = std::get_if<HlsRenditionUpdate>(&event)) {
    state->rendition = update->rendition;
  } else if (std::holds_alternative<HlsEnd>(event)) {
    state->timeline.end_stream();
    schedule_removal(name, generation);
  }
  if (!status)
    spdlog::error("hls stream={} timeline rejected an event: {}", name, status.error().message);
  ++state->version;
  state->changed.notify_all();
}

void HlsShardDirectory::schedule_removal(const std::string& name, uint64_t generation) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, ended_retention_);
  timer->async_wait([this, timer, name, generation](const boost::system::error_code&) {
    auto it = streams_.find(name);
    if (it != streams_.end() && it->second->generation == generation) streams_.erase(it);
  });
}

}  // namespace vela::packager
