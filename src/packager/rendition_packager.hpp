#pragma once
// One rendition of a live stream: a CMAF segmenter over its tracks (one video track and the
// stream's audio, muxed), its measured bitrate, and the events that keep every shard's
// copy of its timeline current. Owned by the LivePackager, on the stream's home shard.
//
// Alignment: the source rendition leads, cutting segments by the segment target and
// recording every segment start in the stream's SegmentPlan; a derived rendition follows,
// starting segments only at the planned keyframes with the planned msn. So the same media
// time has the same msn in every rendition, whenever a rendition starts. A follower whose
// numbers jump (it missed planned keyframes: frames were dropped or the rendition was
// paused) starts its timeline over at the new msn, with init ids that continue, so no
// object name is ever reused for other bytes; players see the media sequence move ahead.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "media/media_frame.hpp"
#include "media/track_info.hpp"
#include "packager/cmaf_segmenter.hpp"
#include "packager/hls_shard_directory.hpp"
#include "packager/segment_plan.hpp"

namespace vela::packager {

enum class RenditionRole { leader, follower };

struct RenditionPackagerOptions {
  CmafSegmenterOptions segmenter;
  LiveTimelineConfig timeline;  // its rendition name names this rendition
  uint64_t first_msn = 0;       // leader: the first segment's msn
};

class RenditionPackager {
 public:
  // emit(rendition name, event): publishes one event of this rendition.
  using Emit = std::function<void(const std::string&, const HlsEvent&)>;

  // `plan` outlives the packager; the leader writes it, followers read it.
  RenditionPackager(RenditionRole role, RenditionPackagerOptions options, SegmentPlan& plan,
                    Emit emit);

  const std::string& name() const { return options_.timeline.rendition; }
  bool running() const { return segmenter_ != nullptr; }
  // Whether frames of this track belong to this rendition.
  bool handles(uint32_t track_id) const;

  // The rendition's tracks now. New tracks (or new codec configuration) restart the
  // segmenter with a new init segment; the first call, or the first after end(), begins
  // the rendition's playlist.
  void set_tracks(const std::vector<media::TrackInfo>& tracks);
  void push(const media::FramePtr& frame);
  // Emits what is pending and ends the playlist (EXT-X-ENDLIST). set_tracks() may start it
  // again later.
  void end();

 private:
  void begin_timeline();
  void emit_init();
  void on_part(const CmafPart& part);
  void on_segment_end(const CmafSegmentEnd& end);
  RenditionInfo describe() const;

  RenditionRole role_;
  RenditionPackagerOptions options_;
  SegmentPlan& plan_;
  Emit emit_;
  std::vector<media::TrackInfo> tracks_;  // what the segmenter was built for
  std::unique_ptr<CmafSegmenter> segmenter_;
  bool open_ = false;                 // the playlist has begun and not ended
  std::optional<uint64_t> last_msn_;  // of the last part emitted on the open timeline
  uint64_t next_msn_ = 0;             // leader: where a new segmenter continues
  uint64_t next_init_id_ = 0;         // above every init id used so far
  // Measured bitrate, for BANDWIDTH / AVERAGE-BANDWIDTH.
  uint64_t segment_bytes_ = 0;
  uint64_t total_bytes_ = 0;
  double total_seconds_ = 0;
  uint64_t peak_bps_ = 0;
  RenditionInfo info_;
};

// Same ids and codec configurations, in the same order.
bool same_tracks(const std::vector<media::TrackInfo>& a, const std::vector<media::TrackInfo>& b);

}  // namespace vela::packager
