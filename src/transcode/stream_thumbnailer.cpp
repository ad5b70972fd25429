#include "transcode/stream_thumbnailer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace vela::transcode {

namespace clock = std::chrono;

ThumbnailMetrics::ThumbnailMetrics(base::MetricsRegistry& metrics)
    : made(metrics.counter("vela_thumbnails_made_total",
                           "Stream thumbnails made (JPEG from a keyframe)")),
      failed(metrics.counter("vela_thumbnail_failures_total",
                             "Thumbnails that failed to decode, scale or encode")),
      skipped(metrics.counter(
          "vela_thumbnails_skipped_total",
          "Thumbnails due but skipped: the stream's previous one was still running or the "
          "worker pool was full")),
      work_us(metrics.counter(
          "vela_thumbnail_work_microseconds_total",
          "Worker time spent making thumbnails; divide by made + failures for the mean")) {}

StreamThumbnailer::StreamThumbnailer(std::shared_ptr<router::Stream> stream,
                                     runtime::ShardSet& shards, runtime::WorkerPool& workers,
                                     ThumbnailStore& store, ThumbnailMetrics& metrics,
                                     ThumbnailOptions options, uint64_t session)
    : stream_(std::move(stream)),
      ffmpeg_log_(std::make_shared<FfmpegLogSource>(stream_->name())),
      shards_(shards),
      workers_(workers),
      store_(store),
      metrics_(metrics),
      options_(options),
      session_(session) {}

void StreamThumbnailer::start() {
  std::weak_ptr<StreamThumbnailer> weak = weak_from_this();
  subscription_ = stream_->subscribe(stream_->home_shard(), options_.queue_frames, [weak] {
    if (auto self = weak.lock()) self->drain();
  });
}

void StreamThumbnailer::stop() {
  if (stopped_) return;
  stopped_ = true;
  stream_->unsubscribe(stream_->home_shard(), subscription_);
  store_.remove(stream_->name(), session_);
}

void StreamThumbnailer::drain() {
  if (stopped_) return;
  while (auto frame = subscription_->pop()) consider(frame);
}

void StreamThumbnailer::consider(const media::FramePtr& frame) {
  if (!frame->keyframe) return;
  const auto& tracks = stream_->tracks(stream_->home_shard());
  auto track = std::find_if(tracks.begin(), tracks.end(), [&](const media::TrackInfo& t) {
    return t.id == frame->track_id && t.kind == media::MediaKind::video;
  });
  if (track == tracks.end()) return;  // audio (every audio frame is a "keyframe")
  auto now = clock::steady_clock::now();
  if (last_submit_ && now - *last_submit_ < clock::duration<double>(options_.interval_s)) return;
  if (busy_) {
    metrics_.skipped.add();
    return;
  }
  if (submit(*track, frame)) last_submit_ = now;
}

bool StreamThumbnailer::submit(const media::TrackInfo& track, const media::FramePtr& keyframe) {
  // The job holds copies and counters only; it reaches this object by posting to its shard.
  runtime::Shard& home = shards_.at(stream_->home_shard());
  std::weak_ptr<StreamThumbnailer> weak = weak_from_this();
  ThumbnailMetrics& metrics = metrics_;
  bool accepted =
      workers_.submit([track, keyframe, max_width = options_.max_width, &home, &metrics, weak, log = ffmpeg_log_] {
        FfmpegLogScope scope(*log);
        auto started = clock::steady_clock::now();
        base::Result<Thumbnail> result = make_thumbnail(track, *keyframe, max_width);
        auto spent =
            clock::duration_cast<clock::microseconds>(clock::steady_clock::now() - started);
        metrics.work_us.add(static_cast<uint64_t>(spent.count()));
        (result ? metrics.made : metrics.failed).add();
        home.post([weak, result = std::move(result)]() mutable {
          if (auto self = weak.lock()) self->finish(std::move(result));
        });
      });
  if (!accepted) {
    metrics_.skipped.add();
    return false;
  }
  busy_ = true;
  return true;
}

void StreamThumbnailer::finish(base::Result<Thumbnail> result) {
  busy_ = false;
  if (stopped_) return;
  if (!result) {
    // At most one per interval per stream: no further rate limit needed.
    spdlog::warn("thumbnail stream={} failed: {}", stream_->name(), result.error().message);
    return;
  }
  store_.put(stream_->name(), session_, std::move(*result));
}

}  // namespace vela::transcode
