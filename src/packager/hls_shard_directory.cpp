#include "packager/hls_shard_directory.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "packager/hls_playlist.hpp"

namespace vela::packager {

namespace {
base::Buffer adopt_text(std::string text) {
  return base::Buffer::adopt(std::vector<uint8_t>(text.begin(), text.end()));
}
}  // namespace

HlsRendition* HlsStreamState::find(std::string_view rendition) const {
  for (const auto& r : renditions) {
    if (r->timeline.config().rendition == rendition) return r.get();
  }
  return nullptr;
}

base::Buffer HlsStreamState::playlist(const HlsRendition& rendition, bool delta_update) {
  Cached& cache = playlist_cache_[rendition.timeline.config().rendition][delta_update ? 1 : 0];
  if (cache.version != version) {
    MediaPlaylistOptions options;
    options.delta_update = delta_update;
    bool stream_over = over();
    for (size_t i = 0; i < renditions.size(); ++i) {
      const HlsRendition& other = *renditions[i];
      if (&other == &rendition || !other.listed(i == 0, stream_over)) continue;
      if (auto report = make_rendition_report(other.timeline))
        options.rendition_reports.push_back(*report);
    }
    cache.bytes = adopt_text(render_media_playlist(rendition.timeline, options));
    cache.version = version;
  }
  return cache.bytes;
}

bool HlsStreamState::over() const {
  return !renditions.empty() &&
         std::all_of(renditions.begin(), renditions.end(), [](const auto& r) { return r->timeline.ended(); });
}

base::Buffer HlsStreamState::multivariant() {
  if (multivariant_cache_.version != version) {
    std::vector<RenditionInfo> listed;
    bool stream_over = over();
    for (size_t i = 0; i < renditions.size(); ++i) {
      if (renditions[i]->listed(i == 0, stream_over)) listed.push_back(renditions[i]->info);
    }
    bool source_listed = !renditions.empty() && renditions[0]->listed(true, stream_over);
    std::stable_sort(listed.begin() + (source_listed ? 1 : 0), listed.end(),
                     [](const RenditionInfo& a, const RenditionInfo& b) {
                       return std::tie(a.height, a.bandwidth) > std::tie(b.height, b.bandwidth);
                     });
    multivariant_cache_.bytes =
        listed.empty() ? base::Buffer{} : adopt_text(render_multivariant(listed));
    multivariant_cache_.version = version;
  }
  return multivariant_cache_.bytes;
}

std::shared_ptr<HlsStreamState> HlsShardDirectory::find(const std::string& name) const {
  auto it = streams_.find(name);
  return it == streams_.end() ? nullptr : it->second;
}

void HlsShardDirectory::apply(const std::string& name, uint64_t generation,
                              const std::string& rendition, const HlsEvent& event) {
  if (std::holds_alternative<HlsBegin>(event)) {
    auto old = find(name);
    streams_[name] = std::make_shared<HlsStreamState>(generation);
    if (old) old->changed.notify_all();  // its waiters re-resolve against the new state
    return;
  }
  auto state = find(name);
  if (!state || state->generation != generation) return;
  if (const auto* begin = std::get_if<HlsRenditionBegin>(&event)) {
    auto fresh = std::make_unique<HlsRendition>(begin->config, begin->rendition);
    if (HlsRendition* existing = state->find(begin->config.rendition)) {
      *existing = std::move(*fresh);
    } else {
      state->renditions.push_back(std::move(fresh));
    }
  } else if (HlsRendition* target = state->find(rendition)) {
    base::Status status;
    if (const auto* init = std::get_if<HlsInit>(&event)) {
      status = target->timeline.set_init(init->data);
    } else if (const auto* part = std::get_if<CmafPart>(&event)) {
      status = target->timeline.add_part(*part);
    } else if (const auto* end = std::get_if<CmafSegmentEnd>(&event)) {
      status = target->timeline.end_segment(*end);
    } else if (const auto* update = std::get_if<HlsRenditionUpdate>(&event)) {
      target->info = update->rendition;
    } else if (std::holds_alternative<HlsEnd>(event)) {
      target->timeline.end_stream();
      if (state->over()) schedule_removal(name, generation);
    }
    if (!status) {
      spdlog::error("hls stream={} rendition={} timeline rejected an event: {}", name, rendition,
                    status.error().message);
    }
  } else {
    return;
  }
  ++state->version;
  state->changed.notify_all();
}

void HlsShardDirectory::schedule_removal(const std::string& name, uint64_t generation) {
  if (stopped_) return;
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, ended_retention_);
  auto entry = removals_.insert(removals_.end(), timer);
  timer->async_wait([this, timer, entry, name, generation](const boost::system::error_code& error) {
    if (error || stopped_) return;  // cancelled (or overtaken) by stop(), which forgot it
    removals_.erase(entry);
    auto it = streams_.find(name);
    if (it != streams_.end() && it->second->generation == generation) streams_.erase(it);
  });
}

void HlsShardDirectory::stop() {
  stopped_ = true;
  for (auto& timer : removals_) timer->cancel();
  removals_.clear();
  for (auto& [name, state] : streams_) state->changed.notify_all();
}

}  // namespace vela::packager
