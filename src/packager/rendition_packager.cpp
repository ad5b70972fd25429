#include "packager/rendition_packager.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace vela::packager {

namespace {
bool moved(uint64_t announced, uint64_t measured) {
  uint64_t margin = announced / 10;
  return measured > announced + margin || measured + margin < announced;
}
}  // namespace

bool same_tracks(const std::vector<media::TrackInfo>& a, const std::vector<media::TrackInfo>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto x = a[i].codec_config.span();
    auto y = b[i].codec_config.span();
    if (a[i].id != b[i].id || a[i].rendition != b[i].rendition ||
        !std::equal(x.begin(), x.end(), y.begin(), y.end())) {
      return false;
    }
  }
  return true;
}

RenditionPackager::RenditionPackager(RenditionRole role, RenditionPackagerOptions options,
                                     SegmentPlan& plan, Emit emit)
    : role_(role),
      options_(std::move(options)),
      plan_(plan),
      emit_(std::move(emit)),
      next_msn_(options_.first_msn),
      next_init_id_(options_.timeline.first_init_id) {}

bool RenditionPackager::handles(uint32_t track_id) const {
  return std::any_of(tracks_.begin(), tracks_.end(),
                     [track_id](const media::TrackInfo& t) { return t.id == track_id; });
}

void RenditionPackager::set_tracks(const std::vector<media::TrackInfo>& tracks) {
  if (segmenter_ && same_tracks(tracks, tracks_)) return;
  if (segmenter_) segmenter_->flush();
  segmenter_.reset();
  tracks_ = tracks;
  CmafSegmenterOptions options = options_.segmenter;
  CmafSink sink;
  if (role_ == RenditionRole::leader) {
    options.first_msn = next_msn_;
    sink.on_segment_start = [this](uint64_t msn, int64_t pts) { plan_.add(pts, msn); };
  } else {
    options.planned_msn = [this](int64_t pts) { return plan_.msn_at(pts); };
  }
  sink.on_part = [this](const CmafPart& part) { on_part(part); };
  sink.on_segment_end = [this](const CmafSegmentEnd& end) { on_segment_end(end); };
  auto segmenter = CmafSegmenter::create(tracks, options, std::move(sink));
  if (!segmenter) {
    spdlog::error("hls rendition={} cannot package: {}", name(), segmenter.error().message);
    return;
  }
  segmenter_ = std::move(*segmenter);
  info_ = describe();
  if (open_) {
    emit_(name(), HlsRenditionUpdate{info_});
  } else {
    begin_timeline();
  }
  emit_init();
}

void RenditionPackager::begin_timeline() {
  LiveTimelineConfig config = options_.timeline;
  config.first_init_id = next_init_id_;
  emit_(name(), HlsRenditionBegin{config, info_});
  open_ = true;
  last_msn_.reset();
}

void RenditionPackager::emit_init() {
  emit_(name(), HlsInit{segmenter_->init_segment()});
  ++next_init_id_;
}

void RenditionPackager::push(const media::FramePtr& frame) {
  if (segmenter_) segmenter_->push(frame);
}

void RenditionPackager::end() {
  if (segmenter_) segmenter_->flush();
  segmenter_.reset();
  tracks_.clear();
  if (open_) emit_(name(), HlsEnd{});
  open_ = false;
}

void RenditionPackager::on_part(const CmafPart& part) {
  if (part.index == 0 && last_msn_ && part.msn != *last_msn_ + 1) {
    spdlog::info("hls rendition={} skipped from segment {} to {}: its playlist starts over", name(),
                 *last_msn_, part.msn);
    begin_timeline();
    emit_init();
  }
  last_msn_ = part.msn;
  segment_bytes_ += part.data.size();
  emit_(name(), part);
}

RenditionInfo RenditionPackager::describe() const {
  RenditionInfo info;
  info.name = name();
  uint64_t nominal = 0;
  for (const auto& t : tracks_) {
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
  info.average_bandwidth =
      total_seconds_ > 0 ? static_cast<uint64_t>(total_bytes_ * 8 / total_seconds_) : 0;
  return info;
}

void RenditionPackager::on_segment_end(const CmafSegmentEnd& end) {
  next_msn_ = end.msn + 1;
  if (end.duration_s > 0) {
    uint64_t bps = static_cast<uint64_t>(segment_bytes_ * 8 / end.duration_s);
    total_bytes_ += segment_bytes_;
    total_seconds_ += end.duration_s;
    peak_bps_ = std::max(peak_bps_, bps);
    // Re-announce when the peak passes the announced bandwidth or the average moves, each by
    // more than 10%.
    RenditionInfo measured = describe();
    if (moved(info_.bandwidth, measured.bandwidth) ||
        moved(info_.average_bandwidth, measured.average_bandwidth)) {
      info_ = measured;
      emit_(name(), HlsRenditionUpdate{info_});
    }
  }
  segment_bytes_ = 0;
  emit_(name(), end);
}

}  // namespace vela::packager
