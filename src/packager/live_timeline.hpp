#pragma once
// LiveTimeline: the LL-HLS state of one rendition. The segmenter's output is fed in order
// (set_init, then add_part... end_segment per segment, end_stream at the very end); the
// timeline keeps a sliding window of segments with their parts, tracks the numbers the
// playlist announces, and hands out the bytes of init segments, segments and parts.
//
// Window (oldest first):  [retained, unlisted] [listed complete] [in progress]
//  - listed: the newest `window_segments` complete segments (more while their total is
//    under 3 target durations, RFC 8216bis 6.2.2; never more than kMaxListedSegments);
//  - retained: up to `retained_segments` older segments that left the playlist but stay
//    fetchable (segments for their availability duration, parts for 3 target durations
//    after their EXT-X-PART tags went away, 6.2.2). The rest are dropped.
// Which parts are listed is the renderer's business (hls_playlist.hpp).
//
// Numbers: TARGETDURATION is the largest of the configured target and every segment
// duration rounded to the nearest second (the 6.2.1 rule), and never decreases. The part
// target is the configured one raised to any longer part seen (rounded up to the
// millisecond the playlist prints), so no listed part exceeds PART-TARGET (4.4.4.9); it
// never decreases either. Configure both to what the segmenter aims for, so they do not
// move.
//
// Deterministic: the same calls give the same state. Not thread-safe: one owner (the
// stream's packager on its shard) calls everything. Buffers handed out share storage with
// the timeline and stay valid after eviction.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "packager/cmaf_types.hpp"
#include "packager/hls_names.hpp"

namespace vela::packager {

// Longest accepted part or segment; keeps every derived number finite and small.
constexpr double kMaxMediaDurationS = 3600;
constexpr uint32_t kMaxListedSegments = 1000;

struct LiveTimelineConfig {
  std::string rendition = "video";  // names its objects (hls_names.hpp)
  uint32_t target_duration_s = 0;   // lower bound of TARGETDURATION; 0: from media only
  double part_target_s = 0.5;       // lower bound of PART-TARGET
  uint32_t window_segments = 6;     // complete segments listed (at least 3)
  uint32_t retained_segments = 3;   // delisted segments still fetchable (at least 1)
  bool delta_updates = true;        // advertise CAN-SKIP-UNTIL and honour _HLS_skip
  // Id of the first init segment. A publish session that starts its ids (and msns) where no
  // earlier session of the stream reached keeps every object name unique, so caches that
  // hold media as immutable never see a name reused for other bytes.
  uint64_t first_init_id = 0;
};

// A part's place in the timeline; ordered like the playlist.
struct PartPosition {
  uint64_t msn = 0;
  uint32_t index = 0;

  auto operator<=>(const PartPosition&) const = default;
};

struct TimelinePart {
  double duration_s = 0;
  bool independent = false;
  base::Buffer data;  // one moof + mdat
};

struct TimelineSegment {
  uint64_t msn = 0;
  uint64_t init_id = 0;  // the init segment its parts decode with
  std::vector<TimelinePart> parts;
  double duration_s = 0;  // the segmenter's duration once complete, else the parts' sum
  bool discontinuity = false;
  int64_t wall_clock_us = 0;  // of the first part
  bool complete = false;
};

class LiveTimeline {
 public:
  explicit LiveTimeline(LiveTimelineConfig config);

  // --- feeding (in segmenter order; an out-of-order call is rejected and changes nothing)

  // A new initialization segment for the segments that start after this call. Bytes equal
  // to the current init are not a new init.
  base::Status set_init(base::Buffer init);
  // The next part: index 0 of segment last+1 (any msn for the very first), or the next
  // index of the segment in progress. Needs an init first.
  base::Status add_part(const CmafPart& part);
  // Closes the segment in progress; slides the window.
  base::Status end_segment(const CmafSegmentEnd& end);
  // The presentation is over (EXT-X-ENDLIST). A segment in progress is closed with its
  // parts' duration. Final: later feeding calls fail.
  void end_stream();

  // --- state

  const LiveTimelineConfig& config() const { return config_; }
  bool ended() const { return ended_; }
  bool has_media() const { return !segments_.empty(); }
  uint32_t target_duration_s() const { return target_duration_s_; }
  double part_target_s() const { return static_cast<double>(part_target_ms_) / 1000.0; }
  // EXT-X-MEDIA-SEQUENCE: msn of the first listed segment.
  uint64_t media_sequence() const { return media_sequence_; }
  // EXT-X-DISCONTINUITY-SEQUENCE: discontinuities that left the playlist.
  uint64_t discontinuity_sequence() const { return discontinuity_sequence_; }
  // Retained segments, oldest first: those with msn < media_sequence() are unlisted; the
  // last one may be in progress (!complete).
  const std::deque<TimelineSegment>& segments() const { return segments_; }
  const TimelineSegment* find_segment(uint64_t msn) const;

  std::optional<uint64_t> last_complete_msn() const;
  std::optional<PartPosition> last_part() const;
  // The part the segmenter will add next if it continues the segment in progress (or
  // starts the next one); the preload hint. Meaningful when has_media() && !ended().
  PartPosition next_part() const;
  // msn the next part belongs to unless it starts a new segment.
  uint64_t open_msn() const;

  // Bytes of an init, segment or part of this rendition (ref.rendition is not checked):
  // an init is one buffer, a segment its parts' buffers in order (write them
  // scatter-gather), a part one buffer. Nothing for a missing, evicted or incomplete
  // segment, or for a playlist.
  std::optional<std::vector<base::Buffer>> object_data(const ObjectRef& ref) const;
  // The oldest init id still held, and the newest (what new segments use).
  uint64_t oldest_init_id() const;
  uint64_t current_init_id() const { return next_init_id_ - 1; }
  bool has_init() const { return !inits_.empty(); }

 private:
  struct Init {
    uint64_t id = 0;
    base::Buffer data;
  };

  TimelineSegment* open_segment();
  void note_duration(double duration_s);
  void slide_window();

  LiveTimelineConfig config_;
  std::deque<TimelineSegment> segments_;
  std::deque<Init> inits_;
  uint64_t next_init_id_ = 0;
  uint64_t media_sequence_ = 0;
  uint64_t discontinuity_sequence_ = 0;
  uint32_t target_duration_s_ = 1;
  uint64_t part_target_ms_ = 1;
  bool ended_ = false;
};

}  // namespace vela::packager
