#include "packager/live_packager.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

#include "base/time.hpp"

namespace vela::packager {

LivePackager::LivePackager(std::shared_ptr<router::Stream> stream, runtime::ShardSet& shards,
                           std::vector<HlsShardDirectory*> directories, LivePackagerOptions options,
                           uint64_t generation)
    : stream_(std::move(stream)),
      shards_(shards),
      directories_(std::move(directories)),
      options_(std::move(options)),
      generation_(generation) {
  // Numbers start at the session's wall-clock millisecond: a later session of the same
  // stream (or one after a restart) never reuses an earlier session's object names, and a
  // session makes far fewer than one segment or init per millisecond.
  uint64_t first = static_cast<uint64_t>(base::wall_clock_micros() / 1000);
  next_msn_ = first;
  options_.timeline.first_init_id = first;
}

void LivePackager::start() {
  std::weak_ptr<LivePackager> weak = weak_from_this();
  subscription_ = stream_->subscribe(stream_->home_shard(), options_.queue_frames, [weak] {
    if (auto self = weak.lock()) self->drain();
  });
}

void LivePackager::stop() {
  if (stopped_) return;
  drain();
  stopped_ = true;
  stream_->unsubscribe(stream_->home_shard(), subscription_);
  if (segmenter_) segmenter_->flush();
  if (begun_) broadcast(HlsEnd{});
}

void LivePackager::drain() {
  if (stopped_) return;
  // Frames are pushed synchronously from the publisher's call, so this runs once per frame.
  while (auto frame = subscription_->pop()) package(frame);
}

bool LivePackager::tracks_changed(const std::vector<media::TrackInfo>& tracks) const {
  if (tracks.size() != tracks_.size()) return true;
  for (size_t i = 0; i < tracks.size(); ++i) {
    const auto& a = tracks[i].codec_config.span();
    const auto& b = tracks_[i].codec_config.span();
    if (tracks[i].id != tracks_[i].id || !std::equal(a.begin(), a.end(), b.begin(), b.end())) return true;
  }
  return false;
}

RenditionInfo LivePackager::describe(const std::vector<media::TrackInfo>& tracks) const {
  RenditionInfo info;
  info.name = options_.timeline.rendition;
  uint64_t nominal = 0;
  for (const auto& t : tracks) {
    info.codecs.push_back(t.codec_string);
    if (t.kind == media::MediaKind::video) {
      info.width = t.width;
      info.height = t.height;
      info.frame_rate = t.frame_rate;
      // Before any segment is measured: a rough figure from the picture size.
      double fps = t.frame_rate > 0 ? t.frame_rate : 30;
      nominal += t.bitrate ? t.bitrate : static_cast<uint64_t>(t.width * t.height * fps * 0.1);
    } else {
      nominal += t.bitrate ? t.bitrate : 128'000;
    }
  }
  info.bandwidth = std::max(peak_bps_, nominal);
  info.average_bandwidth = total_seconds_ > 0 ? static_cast<uint64_t>(total_bytes_ * 8 / total_seconds_) : 0;
  return info;
}

void LivePackager::restart_segmenter(const std::vector<media::TrackInfo>& tracks) {
  if (segmenter_) segmenter_->flush();
  tracks_ = tracks;
  CmafSegmenterOptions options = options_.segmenter;
  options.first_msn = next_msn_;
  CmafSink sink;
  sink.on_part = [this](const CmafPart& part) {
    segment_bytes_ += part.data.size();
    broadcast(part);
  };
  sink.on_segment_end = [this](const CmafSegmentEnd& end) { on_segment_end(end); };
  auto segmenter = CmafSegmenter::create(tracks, options, std::move(sink));
  if (!segmenter) {
    spdlog::error("hls stream={} cannot package: {}", stream_->name(), segmenter.error().message);
    segmenter_.reset();
    return;
  }
  segmenter_ = std::move(*segmenter);
  rendition_ = describe(tracks);
  if (!begun_) {
    begun_ = true;
    broadcast(HlsBegin{options_.timeline, rendition_});
  } else {
    broadcast(HlsRenditionUpdate{rendition_});
  }
  broadcast(HlsInit{segmenter_->init_segment()});
}

void LivePackager::on_segment_end(const CmafSegmentEnd& end) {
  next_msn_ = end.msn + 1;
  if (end.duration_s > 0) {
    uint64_t bps = static_cast<uint64_t>(segment_bytes_ * 8 / end.duration_s);
    total_bytes_ += segment_bytes_;
    total_seconds_ += end.duration_s;
    // Re-announce the bandwidth when the peak grows by more than 10%.
    if (bps > peak_bps_) {
      bool announce = bps > rendition_.bandwidth + rendition_.bandwidth / 10;
      peak_bps_ = bps;
      if (announce) {
        rendition_ = describe(tracks_);
        broadcast(HlsRenditionUpdate{rendition_});
      }
    }
  }
  segment_bytes_ = 0;
  broadcast(end);
}

void LivePackager::package(const media::FramePtr& frame) {
  const auto& tracks = stream_->tracks(stream_->home_shard());
  if (tracks.empty()) return;
  if (!segmenter_ || tracks_changed(tracks)) restart_segmenter(tracks);
  if (segmenter_) segmenter_->push(frame);
}

void LivePackager::broadcast(HlsEvent event) {
  const std::string& name = stream_->name();
  for (size_t s = 0; s < shards_.size(); ++s) {
    HlsShardDirectory* directory = directories_[s];
    if (s == stream_->home_shard()) {
      directory->apply(name, generation_, event);
    } else {
      shards_.at(s).post([directory, name, generation = generation_, event] {
        directory->apply(name, generation, event);
      });
    }
  }
}

}  // namespace vela::packager
