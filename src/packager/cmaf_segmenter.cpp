#include "packager/cmaf_segmenter.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "base/time.hpp"
#include "format/fmp4/init_segment.hpp"
#include "media/codec/aac.hpp"

namespace vela::packager {
namespace {

using media::FramePtr;
using media::TrackInfo;

using media::codec::kAacSamplesPerFrame;
constexpr int64_t kFallbackFrameRate = 30;  // video frame duration when nothing tells it

int64_t default_duration(const TrackInfo& track) {
  if (track.kind == media::MediaKind::audio) {
    if (track.sample_rate == 0) return kAacSamplesPerFrame;
    return std::max<int64_t>(
        1, base::rescale(kAacSamplesPerFrame, track.sample_rate, track.timescale));
  }
  double rate = track.frame_rate > 0 ? track.frame_rate : kFallbackFrameRate;
  return std::max<int64_t>(1, std::llround(static_cast<double>(track.timescale) / rate));
}

uint32_t clamp_duration(int64_t ticks) {
  return static_cast<uint32_t>(std::clamp<int64_t>(ticks, 0, std::numeric_limits<uint32_t>::max()));
}

uint64_t decode_time(int64_t dts) {
  return static_cast<uint64_t>(std::max<int64_t>(dts, 0));
}

base::Status check_track(const TrackInfo& track) {
  if (track.codec_config.empty()) return base::make_error("CMAF: track without codec config");
  if (track.timescale <= 0 || track.timescale > std::numeric_limits<uint32_t>::max()) {
    return base::make_error("CMAF: track timescale out of range");
  }
  return {};
}

}  // namespace

base::Result<std::unique_ptr<CmafSegmenter>> CmafSegmenter::create(
    std::span<const TrackInfo> tracks, const CmafSegmenterOptions& options, CmafSink sink) {
  if (!(options.part_target_s > 0) || !(options.segment_target_s >= options.part_target_s)) {
    return base::make_error("CMAF: targets must satisfy 0 < part <= segment");
  }
  if (options.max_part_frames == 0 || options.max_part_bytes == 0) {
    return base::make_error("CMAF: part limits must be positive");
  }
  const TrackInfo* video = nullptr;
  const TrackInfo* audio = nullptr;
  for (const auto& track : tracks) {
    if (!video && track.kind == media::MediaKind::video && track.codec == media::Codec::h264) {
      video = &track;
    } else if (!audio && track.kind == media::MediaKind::audio &&
               track.codec == media::Codec::aac) {
      audio = &track;
    }
  }
  if (!video && !audio) return base::make_error("CMAF: no H.264 or AAC track");

  // Our fMP4 numbers its tracks 1..n, video first, whatever the stream's ids are.
  std::vector<TrackInfo> mp4_tracks;
  std::vector<Track> states;
  for (const TrackInfo* info : {video, audio}) {
    if (!info) continue;
    if (auto status = check_track(*info); !status) return status.error();
    TrackInfo copy = *info;
    copy.id = static_cast<uint32_t>(mp4_tracks.size() + 1);
    states.push_back(Track{info->id, copy.id, info->timescale, default_duration(*info),
                           info->kind == media::MediaKind::video});
    mp4_tracks.push_back(std::move(copy));
  }
  std::optional<Track> follower;
  if (states.size() > 1) follower = states[1];
  auto init = format::fmp4::write_init_segment(mp4_tracks);
  return std::unique_ptr<CmafSegmenter>(
      new CmafSegmenter(options, std::move(sink), states[0], follower, std::move(init)));
}

CmafSegmenter::CmafSegmenter(const CmafSegmenterOptions& options, CmafSink sink, Track driver,
                             std::optional<Track> follower, base::Buffer init_segment)
    : options_(options),
      sink_(std::move(sink)),
      driver_(driver),
      follower_(follower),
      init_segment_(std::move(init_segment)),
      part_target_(std::llround(options.part_target_s * static_cast<double>(driver.timescale))),
      segment_target_(
          std::llround(options.segment_target_s * static_cast<double>(driver.timescale))),
      msn_(options.first_msn) {}

void CmafSegmenter::push(const FramePtr& frame) {
  if (!frame) return;
  if (frame->track_id == driver_.source_id) {
    push_driver(frame);
  } else if (follower_ && frame->track_id == follower_->source_id) {
    push_follower(frame);
  } else {
    ++stats_.dropped_frames;
    return;
  }
  enforce_bounds();
}

void CmafSegmenter::push_driver(const FramePtr& frame) {
  bool backwards = in_segment_ && frame->dts < last_driver_dts_;
  if (frame->discontinuity || backwards) on_discontinuity(true);
  bool keyframe = frame->keyframe || !driver_.video;
  const bool planned_mode = static_cast<bool>(options_.planned_msn);
  std::optional<uint64_t> planned = keyframe && planned_mode ? plan_for(frame) : std::nullopt;
  if (!in_segment_) {
    if (!keyframe || (planned_mode && !planned)) {
      ++stats_.dropped_frames;
      return;
    }
    if (planned) msn_ = *planned;
    start_segment(frame);
    return;
  }
  // A plan that skips numbers: this rendition missed frames, so its part ends with its
  // last frame rather than stretching over the hole, which counts as no frame's duration.
  const bool skipped = planned && *planned > msn_ + 1;
  const int64_t held_video_end = last_driver_dts_ + last_driver_duration_;
  int64_t duration = skipped ? 0 : frame->dts - last_driver_dts_;
  last_driver_dts_ = frame->dts;
  if (duration > 0) last_driver_duration_ = duration;
  max_duration_in_part_ = std::max(max_duration_in_part_, duration);

  bool segment_cut = planned_mode ? planned.has_value()
                                  : keyframe && frame->dts - segment_start_ >= segment_target_;
  // Adding this frame would make the part end past the target; its own duration is not
  // known yet, so assume the longest one seen lately (timestamp jitter).
  int64_t expected = std::max(max_duration_in_part_, max_duration_last_part_);
  bool part_cut = !part_frames_.empty() && frame->dts + expected - part_start_ > part_target_;
  if (segment_cut || part_cut) close_part(skipped ? held_video_end : frame->dts, false);
  if (segment_cut) {
    driver_flag_owed_ = follower_flag_owed_ = false;
    end_segment();
    if (planned) msn_ = *planned;
    start_segment(frame);
    return;
  }
  part_frames_.push_back(frame);
  held_bytes_ += frame->payload.size();
}

void CmafSegmenter::push_follower(const FramePtr& frame) {
  if (frame->discontinuity) on_discontinuity(false);
  held_bytes_ += frame->payload.size();
  pending_audio_.push_back(
      PendingAudio{frame, base::rescale(frame->dts, follower_->timescale, driver_.timescale)});
}

void CmafSegmenter::on_discontinuity(bool from_driver) {
  bool& owed = from_driver ? driver_flag_owed_ : follower_flag_owed_;
  bool same_jump = owed;
  owed = false;
  if (same_jump && !from_driver) {
    // Video jumped first: audio received since then is still on the old timeline.
    drop_pending_audio();
    return;
  }
  // Audio jumped first and video has not restarted a segment yet: nothing left to cut.
  if (same_jump && !in_segment_) return;
  if (in_segment_) {
    close_part(held_end(), true);
    end_segment();
  }
  if (stats_.segments > 0) next_discontinuity_ = true;
  if (follower_ && !same_jump) (from_driver ? follower_flag_owed_ : driver_flag_owed_) = true;
}

void CmafSegmenter::drop_pending_audio() {
  for (const auto& pending : pending_audio_) held_bytes_ -= pending.frame->payload.size();
  stats_.dropped_frames += pending_audio_.size();
  pending_audio_.clear();
}

std::optional<uint64_t> CmafSegmenter::plan_for(const FramePtr& keyframe) const {
  std::optional<uint64_t> msn = options_.planned_msn(keyframe->pts());
  if (!msn || (stats_.segments == 0 && !in_segment_)) return msn;
  // Numbers only grow: inside a segment msn_ is its number, between segments the next one.
  uint64_t lowest = in_segment_ ? msn_ + 1 : msn_;
  return *msn >= lowest ? msn : std::nullopt;
}

void CmafSegmenter::start_segment(const FramePtr& first) {
  if (sink_.on_segment_start) sink_.on_segment_start(msn_, first->pts());
  in_segment_ = true;
  segment_discontinuity_ = next_discontinuity_;
  next_discontinuity_ = false;
  segment_start_ = part_start_ = last_driver_dts_ = first->dts;
  max_duration_in_part_ = 0;
  part_frames_.push_back(first);
  held_bytes_ += first->payload.size();
  // Audio older than the first keyframe has no part to go to.
  while (!pending_audio_.empty() && pending_audio_.front().time < first->dts) {
    held_bytes_ -= pending_audio_.front().frame->payload.size();
    pending_audio_.pop_front();
    ++stats_.dropped_frames;
  }
}

void CmafSegmenter::end_segment() {
  CmafSegmentEnd end{msn_, seconds(part_start_ - segment_start_), segment_discontinuity_};
  in_segment_ = false;
  ++msn_;
  part_index_ = 0;
  ++stats_.segments;
  if (sink_.on_segment_end) sink_.on_segment_end(end);
}

void CmafSegmenter::fill_driver_samples(int64_t cut) {
  driver_samples_.clear();
  for (size_t i = 0; i < part_frames_.size(); ++i) {
    const auto& frame = *part_frames_[i];
    int64_t end = i + 1 < part_frames_.size() ? part_frames_[i + 1]->dts : cut;
    driver_samples_.push_back(format::fmp4::Sample{frame.payload.span(),
                                                   clamp_duration(end - frame.dts), frame.cts,
                                                   frame.keyframe || !driver_.video});
  }
}

void CmafSegmenter::fill_follower_samples(size_t count) {
  follower_samples_.clear();
  for (size_t i = 0; i < count; ++i) {
    const auto& frame = *pending_audio_[i].frame;
    // The next audio frame tells this one's duration, if it has arrived.
    int64_t duration = follower_->default_duration;
    if (i + 1 < pending_audio_.size()) {
      int64_t gap = pending_audio_[i + 1].frame->dts - frame.dts;
      if (gap > 0) duration = gap;
    }
    follower_samples_.push_back(
        format::fmp4::Sample{frame.payload.span(), clamp_duration(duration), frame.cts, true});
  }
}

void CmafSegmenter::close_part(int64_t cut, bool take_all) {
  // Parts tile the timeline: after a forced cut ran ahead with audio, video resuming a
  // little earlier must not give a negative duration.
  cut = std::max(cut, part_start_);
  size_t audio_count = 0;
  while (audio_count < pending_audio_.size() &&
         (take_all || pending_audio_[audio_count].time < cut)) {
    ++audio_count;
  }
  if (part_frames_.empty() && audio_count == 0) return;

  std::array<format::fmp4::TrackRun, 2> runs;
  size_t run_count = 0;
  if (!part_frames_.empty()) {
    fill_driver_samples(cut);
    runs[run_count++] = {driver_.mp4_id, decode_time(part_frames_.front()->dts), driver_samples_};
  }
  if (audio_count > 0) {
    fill_follower_samples(audio_count);
    runs[run_count++] = {follower_->mp4_id, decode_time(pending_audio_.front().frame->dts),
                         follower_samples_};
  }
  CmafPart part;
  part.msn = msn_;
  part.index = part_index_++;
  part.discontinuity = part.index == 0 && segment_discontinuity_;
  part.duration_s = seconds(cut - part_start_);
  part.independent = !driver_.video || (!part_frames_.empty() && part_frames_.front()->keyframe);
  part.wall_clock_us = part_frames_.empty() ? pending_audio_.front().frame->wall_clock_us
                                            : part_frames_.front()->wall_clock_us;
  part.data = format::fmp4::write_fragment(sequence_++, std::span(runs.data(), run_count));

  for (const auto& frame : part_frames_) held_bytes_ -= frame->payload.size();
  part_frames_.clear();
  for (size_t i = 0; i < audio_count; ++i) {
    held_bytes_ -= pending_audio_.front().frame->payload.size();
    pending_audio_.pop_front();
  }
  part_start_ = cut;
  max_duration_last_part_ = max_duration_in_part_;
  max_duration_in_part_ = 0;
  ++stats_.parts;
  if (sink_.on_part) sink_.on_part(part);
}

int64_t CmafSegmenter::held_end() const {
  int64_t duration = last_driver_duration_ > 0 ? last_driver_duration_ : driver_.default_duration;
  int64_t end = std::max(part_start_, last_driver_dts_ + duration);
  if (!pending_audio_.empty()) {
    end = std::max(
        end, pending_audio_.back().time + base::rescale(follower_->default_duration,
                                                        follower_->timescale, driver_.timescale));
  }
  return end;
}

void CmafSegmenter::enforce_bounds() {
  auto over = [this] {
    return part_frames_.size() + pending_audio_.size() > options_.max_part_frames ||
           held_bytes_ > options_.max_part_bytes;
  };
  if (!over()) return;
  if (in_segment_) {
    // Video stalled (or a runaway part): emit what is held, up to the latest audio.
    ++stats_.forced_cuts;
    close_part(held_end(), true);
    return;
  }
  // Waiting for a keyframe: keep only the newest audio.
  while (over() && !pending_audio_.empty()) {
    held_bytes_ -= pending_audio_.front().frame->payload.size();
    pending_audio_.pop_front();
    ++stats_.dropped_frames;
  }
}

void CmafSegmenter::flush() {
  if (in_segment_) {
    close_part(held_end(), true);
    end_segment();
  }
  driver_flag_owed_ = follower_flag_owed_ = false;
  drop_pending_audio();
}

double CmafSegmenter::seconds(int64_t ticks) const {
  return static_cast<double>(ticks) / static_cast<double>(driver_.timescale);
}

}  // namespace vela::packager
