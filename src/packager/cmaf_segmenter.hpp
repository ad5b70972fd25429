#pragma once
// CmafSegmenter: turns one stream's frames into LL-HLS parts (one moof+mdat each, audio and
// video muxed) grouped into segments. Pure and synchronous: frames in, callbacks out; no
// clock, no I/O. One instance per rendition, owned and called by a single thread (the
// stream's shard); the callbacks run inside push()/flush() on that thread and must not call
// back into the segmenter.
//
// Timeline rules (times in the video track's clock; audio-only streams use the audio clock):
// - A segment starts on a video keyframe. It ends at the first keyframe at or after
//   segment_target_s from its start (an earlier keyframe does not cut), at a DTS
//   discontinuity, or on flush().
// - A part ends before the video frame that would make it longer than part_target_s, and
//   always at a segment end; it is emitted as soon as the frame that begins the next part
//   arrives. A frame's duration is the next frame's dts minus its own (the last frame at a
//   discontinuity or flush reuses the previous duration). Deciding a cut, the new frame's
//   own duration is not known yet and is assumed to be the longest of the recent ones, so
//   a part passes the target only if a frame lasts longer than those (or one frame alone
//   is longer than the target).
// - Audio goes into the part whose video time range holds its dts; audio that arrives
//   before the cut frame waits for it. Audio-only streams cut by audio time and every part
//   is independent.
// - A discontinuity (frame.discontinuity, or video dts going backwards) ends the segment
//   there, with all audio received before it, and marks the next segment. The other
//   track's matching flag, if it arrives within the next segment, is the same jump.
// - Following a plan (options.planned_msn set; a derived rendition following the source's
//   cuts): a segment starts exactly at the video keyframes the plan names, with the plan's
//   msn (which may skip numbers when keyframes were missed), and nowhere else; the segment
//   target plays no part. Video before the first planned keyframe is dropped.
// - Video before the first keyframe (and after a discontinuity, until the next keyframe) is
//   dropped; so is audio before that keyframe.
// - Memory is bounded: a part holding more than max_part_frames frames or max_part_bytes
//   bytes is cut early (counted in stats().forced_cuts).
//
// Events, in order: the parts of segment N (index 0, 1, ...), then CmafSegmentEnd for N,
// then the parts of N+1. Part sequence numbers (mfhd) increase by one per part.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "format/fmp4/fragment.hpp"
#include "media/media_frame.hpp"
#include "media/track_info.hpp"
#include "packager/cmaf_types.hpp"

namespace vela::packager {

struct CmafSegmenterOptions {
  double part_target_s = 0.333;      // PART-TARGET: no part is longer (unless one frame is)
  double segment_target_s = 2.0;     // minimum segment duration, when GOPs allow
  uint64_t first_msn = 0;            // media sequence number of the first segment
  size_t max_part_frames = 1000;     // audio + video frames held before a forced cut
  size_t max_part_bytes = 32 << 20;  // payload bytes held before a forced cut
  // Unset: the segmenter cuts by segment_target_s and numbers segments from first_msn. Set:
  // called with each video keyframe's pts; a value starts a segment there with that msn
  // (ignored unless above the current segment's), nullopt continues the segment.
  std::function<std::optional<uint64_t>(int64_t pts)> planned_msn = nullptr;
};

struct CmafSink {
  std::function<void(const CmafPart&)> on_part;
  std::function<void(const CmafSegmentEnd&)> on_segment_end;
  // A segment starts at a keyframe with presentation time `pts` (before its first part).
  std::function<void(uint64_t msn, int64_t pts)> on_segment_start = nullptr;
};

struct CmafSegmenterStats {
  uint64_t parts = 0;
  uint64_t segments = 0;
  uint64_t dropped_frames = 0;  // before a keyframe, stale after a discontinuity, overflow
  uint64_t forced_cuts = 0;     // parts cut early to bound memory
};

class CmafSegmenter {
 public:
  // `tracks`: one H.264 video track and/or one AAC audio track (others are ignored, frames
  // of unknown tracks too). In the fMP4 output video is track_ID 1 and audio follows.
  // Errors: no usable track, a track without codec config or timescale, bad targets.
  static base::Result<std::unique_ptr<CmafSegmenter>> create(
      std::span<const media::TrackInfo> tracks, const CmafSegmenterOptions& options, CmafSink sink);

  // ftyp+moov for every part this segmenter emits; built once.
  base::Buffer init_segment() const { return init_segment_; }

  // Frames arrive in DTS order per track (dts >= 0), tracks roughly interleaved by time.
  void push(const media::FramePtr& frame);
  // The publisher ended: emits the pending part and ends the segment. A later push starts
  // a new segment at the next keyframe.
  void flush();

  const CmafSegmenterStats& stats() const { return stats_; }

 private:
  struct Track {
    uint32_t source_id = 0;  // TrackInfo::id in the stream
    uint32_t mp4_id = 0;     // track_ID in our fMP4
    int64_t timescale = 0;
    int64_t default_duration = 0;  // a frame's duration when no neighbour tells it
    bool video = false;
  };
  struct PendingAudio {
    media::FramePtr frame;
    int64_t time = 0;  // dts in the driver clock
  };

  CmafSegmenter(const CmafSegmenterOptions& options, CmafSink sink, Track driver,
                std::optional<Track> follower, base::Buffer init_segment);

  void push_driver(const media::FramePtr& frame);
  void push_follower(const media::FramePtr& frame);
  // A timestamp jump seen on the driver (or follower) track.
  void on_discontinuity(bool from_driver);
  void drop_pending_audio();
  // Whether `keyframe` starts a segment, and which msn it gets (planned mode).
  std::optional<uint64_t> plan_for(const media::FramePtr& keyframe) const;
  void start_segment(const media::FramePtr& first);
  void end_segment();
  // Emits the current part, ending at `cut` (driver clock). With take_all every pending
  // audio frame goes in, whatever its time (segment end at a jump, flush, forced cut).
  void close_part(int64_t cut, bool take_all);
  void fill_driver_samples(int64_t cut);
  void fill_follower_samples(size_t count);
  // Where everything held ends: the last video frame (its duration assumed to be the
  // previous one's) or the latest pending audio, whichever is later.
  int64_t held_end() const;
  void enforce_bounds();
  double seconds(int64_t ticks) const;

  CmafSegmenterOptions options_;
  CmafSink sink_;
  Track driver_;
  std::optional<Track> follower_;
  base::Buffer init_segment_;
  int64_t part_target_ = 0;     // driver ticks
  int64_t segment_target_ = 0;  // driver ticks

  bool in_segment_ = false;
  bool segment_discontinuity_ = false;
  bool next_discontinuity_ = false;
  uint64_t msn_ = 0;
  uint32_t part_index_ = 0;
  uint32_t sequence_ = 1;
  int64_t segment_start_ = 0;
  int64_t part_start_ = 0;
  int64_t last_driver_dts_ = 0;
  int64_t last_driver_duration_ = 0;
  int64_t max_duration_in_part_ = 0;
  int64_t max_duration_last_part_ = 0;
  // A jump flagged on one track is expected on the other too; it is the same jump.
  bool driver_flag_owed_ = false;
  bool follower_flag_owed_ = false;

  std::vector<media::FramePtr> part_frames_;  // driver frames of the current part
  std::deque<PendingAudio> pending_audio_;    // follower frames not yet in a part
  size_t held_bytes_ = 0;
  std::vector<format::fmp4::Sample> driver_samples_;  // scratch, reused per part
  std::vector<format::fmp4::Sample> follower_samples_;
  CmafSegmenterStats stats_;
};

}  // namespace vela::packager
