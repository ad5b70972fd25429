#include "packager/live_packager.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "base/time.hpp"
#include "packager/packaged_audio.hpp"

namespace vela::packager {

LivePackager::LivePackager(std::shared_ptr<router::Stream> stream, runtime::ShardSet& shards,
                           std::vector<HlsShardDirectory*> directories, LivePackagerOptions options,
                           uint64_t generation)
    : stream_(std::move(stream)),
      shards_(shards),
      directories_(std::move(directories)),
      options_(std::move(options)),
      generation_(generation),
      // Numbers start at the session's wall-clock millisecond: a later session of the same
      // stream (or one after a restart) never reuses an earlier session's object names, and
      // a session makes far fewer than one segment or init per millisecond.
      first_number_(static_cast<uint64_t>(base::wall_clock_micros() / 1000)) {
  RenditionPackagerOptions source{options_.segmenter, options_.timeline, first_number_};
  source.timeline.first_init_id = first_number_;
  renditions_.push_back(std::make_unique<RenditionPackager>(
      RenditionRole::leader, std::move(source), plan_,
      [this](const std::string& rendition, const HlsEvent& event) {
        broadcast(rendition, event);
      }));
  if (options_.sink_factory) sink_ = options_.sink_factory(*stream_);
}

void LivePackager::start() {
  std::weak_ptr<LivePackager> weak = weak_from_this();
  subscription_ = stream_->subscribe(
      stream_->home_shard(), options_.queue_frames,
      [weak] {
        if (auto self = weak.lock()) self->drain();
      },
      /*with_derived=*/true);
}

void LivePackager::stop() {
  if (stopped_) return;
  drain();
  // The wait for bridged audio is over: what was held is packaged as it is.
  holding_ = false;
  for (const auto& frame : std::exchange(held_, {})) package_now(frame);
  stopped_ = true;
  stream_->unsubscribe(stream_->home_shard(), subscription_);
  for (auto& rendition : renditions_) rendition->end();
  if (sink_) sink_->on_stopped();
}

void LivePackager::drain() {
  if (stopped_) return;
  // Frames are pushed synchronously from the publisher's call, so this runs once per frame.
  while (auto frame = subscription_->pop()) package(frame);
}

void LivePackager::package(const media::FramePtr& frame) {
  if (holding_ && hold(frame)) return;
  package_now(frame);
}

bool LivePackager::hold(const media::FramePtr& frame) {
  const auto& tracks = stream_->tracks(stream_->home_shard());
  if (tracks.empty()) return false;
  held_.push_back(frame);
  bool waited = options_.bridged_audio_wait_s <= 0 || held_.size() >= options_.queue_frames ||
                held_span_s(*frame) >= options_.bridged_audio_wait_s;
  bool needed = needs_derived_audio(tracks);
  bool arrived = packaged_audio(tracks, stream_->derived_tracks(stream_->home_shard())).has_value();
  if (needed && !arrived && !waited) return true;
  if (needed && !arrived) {
    spdlog::warn("hls stream={}: the source audio is not AAC and no AAC track was derived from it: packaging "
                 "without audio until one is",
                 stream_->name());
  }
  holding_ = false;
  for (const auto& held : std::exchange(held_, {})) package_now(held);
  return true;
}

double LivePackager::held_span_s(const media::MediaFrame& frame) const {
  // Timed on one clock: the source's video, or its audio when it has no video.
  const auto& tracks = stream_->tracks(stream_->home_shard());
  auto clock = std::find_if(tracks.begin(), tracks.end(),
                            [](const media::TrackInfo& t) { return t.kind == media::MediaKind::video; });
  if (clock == tracks.end()) clock = tracks.begin();
  if (clock == tracks.end() || clock->id != frame.track_id || clock->timescale <= 0) return 0;
  auto first = std::find_if(held_.begin(), held_.end(),
                            [&](const media::FramePtr& f) { return f->track_id == frame.track_id; });
  if (first == held_.end()) return 0;
  return static_cast<double>(frame.dts - (*first)->dts) / static_cast<double>(clock->timescale);
}

void LivePackager::package_now(const media::FramePtr& frame) {
  sync_renditions();
  for (auto& rendition : renditions_) {
    if (rendition->handles(frame->track_id)) rendition->push(frame);
  }
}

void LivePackager::sync_renditions() {
  const auto& tracks = stream_->tracks(stream_->home_shard());
  const auto& derived = stream_->derived_tracks(stream_->home_shard());
  if (tracks.empty()) return;
  bool source_changed = !same_tracks(tracks, seen_tracks_);
  if (!source_changed && same_tracks(derived, seen_derived_)) return;
  seen_tracks_ = tracks;
  seen_derived_ = derived;
  if (!begun_) {
    begun_ = true;
    broadcast({}, HlsBegin{});
  }
  // The source rendition: the source's video and the packaged audio (never Opus).
  std::optional<media::TrackInfo> audio = packaged_audio(tracks, derived);
  std::vector<media::TrackInfo> source;
  for (const auto& t : tracks) {
    if (t.kind == media::MediaKind::video) source.push_back(t);
  }
  if (audio) source.push_back(*audio);
  renditions_[0]->set_tracks(source);
  sync_derived(audio);
}

void LivePackager::sync_derived(const std::optional<media::TrackInfo>& audio) {
  std::vector<const RenditionPackager*> present;
  for (const auto& track : seen_derived_) {
    // Derived audio is packaged only as the stream's audio (above), never as a rendition.
    if (track.kind != media::MediaKind::video) continue;
    // The B-frame-free copy of the source exists for WebRTC only; HLS plays the source.
    if (media::is_webrtc_only_track(track.id)) continue;
    if (!is_valid_rendition_name(track.rendition) || track.rendition == renditions_[0]->name()) {
      spdlog::warn("hls stream={} derived track {} has an unusable rendition name '{}'",
                   stream_->name(), track.id, track.rendition);
      continue;
    }
    RenditionPackager& rendition = derived_rendition(track.rendition);
    std::vector<media::TrackInfo> tracks{track};
    if (audio) tracks.push_back(*audio);
    rendition.set_tracks(tracks);
    present.push_back(&rendition);
  }
  for (size_t i = 1; i < renditions_.size(); ++i) {
    RenditionPackager* rendition = renditions_[i].get();
    if (std::find(present.begin(), present.end(), rendition) == present.end()) rendition->end();
  }
}

RenditionPackager& LivePackager::derived_rendition(const std::string& name) {
  for (auto& rendition : renditions_) {
    if (rendition->name() == name) return *rendition;
  }
  RenditionPackagerOptions options{options_.segmenter, options_.timeline, first_number_};
  options.timeline.rendition = name;
  options.timeline.first_init_id = first_number_;
  renditions_.push_back(std::make_unique<RenditionPackager>(
      RenditionRole::follower, std::move(options), plan_,
      [this](const std::string& rendition, const HlsEvent& event) {
        broadcast(rendition, event);
      }));
  return *renditions_.back();
}

void LivePackager::broadcast(const std::string& rendition, const HlsEvent& event) {
  const std::string& name = stream_->name();
  for (size_t s = 0; s < shards_.size(); ++s) {
    HlsShardDirectory* directory = directories_[s];
    if (s == stream_->home_shard()) {
      directory->apply(name, generation_, rendition, event);
    } else {
      shards_.at(s).post([directory, name, generation = generation_, rendition, event] {
        directory->apply(name, generation, rendition, event);
      });
    }
  }
  if (sink_) sink_->on_event(rendition, event);
}

}  // namespace vela::packager
