#include "packager/live_timeline.hpp"

#include <algorithm>
#include <cmath>

namespace vela::packager {
namespace {

constexpr uint32_t kMinWindowSegments = 3;
constexpr uint32_t kMinRetainedSegments = 1;
// The playlist must keep at least this many target durations (RFC 8216bis 6.2.2).
constexpr double kMinPlaylistTargets = 3;

bool valid_duration(double seconds) {
  return seconds > 0 && seconds <= kMaxMediaDurationS;
}

// Milliseconds, rounded up (tolerating float noise such as 0.5000000001 s).
uint64_t ceil_millis(double seconds) {
  if (!valid_duration(seconds)) return 1;
  return std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(seconds * 1000.0 - 1e-6)));
}

}  // namespace

LiveTimeline::LiveTimeline(LiveTimelineConfig config) : config_(std::move(config)) {
  config_.window_segments =
      std::clamp(config_.window_segments, kMinWindowSegments, kMaxListedSegments);
  config_.retained_segments = std::max(config_.retained_segments, kMinRetainedSegments);
  target_duration_s_ = std::max<uint32_t>(1, config_.target_duration_s);
  part_target_ms_ = ceil_millis(config_.part_target_s);
  next_init_id_ = config_.first_init_id;
}

base::Status LiveTimeline::set_init(base::Buffer init) {
  if (ended_) return base::make_error("stream ended");
  if (init.empty()) return base::make_error("empty init segment");
  if (!inits_.empty() && std::ranges::equal(inits_.back().data.span(), init.span())) return {};
  inits_.push_back(Init{next_init_id_++, std::move(init)});
  // An init no retained segment uses (and that is not the newest) is dropped.
  while (inits_.size() > 1 &&
         (segments_.empty() || inits_.front().id < segments_.front().init_id)) {
    inits_.pop_front();
  }
  return {};
}

base::Status LiveTimeline::add_part(const CmafPart& part) {
  if (ended_) return base::make_error("stream ended");
  if (!has_init()) return base::make_error("part before init segment");
  if (!valid_duration(part.duration_s)) return base::make_error("bad part duration");
  if (part.data.empty()) return base::make_error("empty part");
  if (part.msn > kMaxSequenceNumber || part.index > kMaxPartIndex) {
    return base::make_error("part number out of range");
  }
  TimelineSegment* segment = open_segment();
  if (segment) {
    if (part.msn != segment->msn || part.index != segment->parts.size()) {
      return base::make_error("part out of order");
    }
  } else {
    if (part.index != 0) return base::make_error("segment does not start with part 0");
    if (!segments_.empty() && part.msn != segments_.back().msn + 1) {
      return base::make_error("segment number not consecutive");
    }
    if (segments_.empty()) media_sequence_ = part.msn;
    TimelineSegment fresh;
    fresh.msn = part.msn;
    fresh.init_id = current_init_id();
    fresh.wall_clock_us = part.wall_clock_us;
    fresh.discontinuity = part.discontinuity;
    segments_.push_back(std::move(fresh));
    segment = &segments_.back();
  }
  segment->parts.push_back(TimelinePart{part.duration_s, part.independent, part.data});
  segment->duration_s += part.duration_s;
  part_target_ms_ = std::max(part_target_ms_, ceil_millis(part.duration_s));
  note_duration(segment->duration_s);
  return {};
}

base::Status LiveTimeline::end_segment(const CmafSegmentEnd& end) {
  if (ended_) return base::make_error("stream ended");
  TimelineSegment* segment = open_segment();
  if (!segment || segment->msn != end.msn) return base::make_error("no such segment in progress");
  if (!valid_duration(end.duration_s)) return base::make_error("bad segment duration");
  segment->duration_s = end.duration_s;
  segment->discontinuity = segment->discontinuity || end.discontinuity;
  segment->complete = true;
  note_duration(end.duration_s);
  slide_window();
  return {};
}

void LiveTimeline::end_stream() {
  if (ended_) return;
  if (TimelineSegment* segment = open_segment()) {
    segment->complete = true;
    slide_window();
  }
  ended_ = true;
}

const TimelineSegment* LiveTimeline::find_segment(uint64_t msn) const {
  if (segments_.empty() || msn < segments_.front().msn) return nullptr;
  uint64_t offset = msn - segments_.front().msn;
  return offset < segments_.size() ? &segments_[offset] : nullptr;
}

std::optional<uint64_t> LiveTimeline::last_complete_msn() const {
  if (segments_.empty()) return std::nullopt;
  if (segments_.back().complete) return segments_.back().msn;
  if (segments_.size() > 1) return segments_.back().msn - 1;
  return std::nullopt;
}

std::optional<PartPosition> LiveTimeline::last_part() const {
  if (segments_.empty()) return std::nullopt;
  const TimelineSegment& last = segments_.back();
  return PartPosition{last.msn, static_cast<uint32_t>(last.parts.size() - 1)};
}

PartPosition LiveTimeline::next_part() const {
  if (segments_.empty()) return {};
  const TimelineSegment& last = segments_.back();
  if (last.complete) return PartPosition{last.msn + 1, 0};
  return PartPosition{last.msn, static_cast<uint32_t>(last.parts.size())};
}

uint64_t LiveTimeline::open_msn() const {
  return next_part().msn;
}

std::optional<std::vector<base::Buffer>> LiveTimeline::object_data(const ObjectRef& ref) const {
  switch (ref.kind) {
    case ObjectKind::init:
      for (const Init& init : inits_) {
        if (init.id == ref.init_id) return std::vector<base::Buffer>{init.data};
      }
      return std::nullopt;
    case ObjectKind::segment: {
      const TimelineSegment* segment = find_segment(ref.msn);
      if (!segment || !segment->complete) return std::nullopt;
      std::vector<base::Buffer> buffers;
      buffers.reserve(segment->parts.size());
      for (const TimelinePart& part : segment->parts) buffers.push_back(part.data);
      return buffers;
    }
    case ObjectKind::part: {
      const TimelineSegment* segment = find_segment(ref.msn);
      if (!segment || ref.part >= segment->parts.size()) return std::nullopt;
      return std::vector<base::Buffer>{segment->parts[ref.part].data};
    }
    case ObjectKind::multivariant:
    case ObjectKind::media_playlist:
      return std::nullopt;
  }
  return std::nullopt;
}

uint64_t LiveTimeline::oldest_init_id() const {
  return inits_.empty() ? 0 : inits_.front().id;
}

TimelineSegment* LiveTimeline::open_segment() {
  if (segments_.empty() || segments_.back().complete) return nullptr;
  return &segments_.back();
}

void LiveTimeline::note_duration(double duration_s) {
  auto rounded = static_cast<uint32_t>(std::lround(duration_s));
  target_duration_s_ = std::max(target_duration_s_, rounded);
}

void LiveTimeline::slide_window() {
  uint32_t listed = 0;
  double listed_s = 0;
  for (const TimelineSegment& segment : segments_) {
    if (segment.msn >= media_sequence_ && segment.complete) {
      ++listed;
      listed_s += segment.duration_s;
    }
  }
  const double min_playlist_s = kMinPlaylistTargets * target_duration_s_;
  while (listed > config_.window_segments) {
    const TimelineSegment& first = *find_segment(media_sequence_);
    double rest_s = listed_s - first.duration_s;
    if (rest_s < min_playlist_s && listed <= kMaxListedSegments) break;
    if (first.discontinuity) ++discontinuity_sequence_;
    ++media_sequence_;
    --listed;
    listed_s = rest_s;
  }
  while (media_sequence_ - segments_.front().msn > config_.retained_segments) {
    segments_.pop_front();
  }
  while (inits_.size() > 1 && inits_.front().id < segments_.front().init_id) inits_.pop_front();
}

}  // namespace vela::packager
