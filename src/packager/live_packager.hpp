#pragma once
// Packages one live stream into LL-HLS: subscribes to the stream on its home shard, runs
// the CMAF segmenter once (not per viewer), and posts every init, part and segment end
// once to each shard's HlsShardDirectory. Home shard only, from construction to stop().
#include <memory>
#include <vector>

#include "packager/cmaf_segmenter.hpp"
#include "packager/hls_shard_directory.hpp"
#include "router/stream.hpp"
#include "runtime/shard.hpp"

namespace vela::packager {

struct LivePackagerOptions {
  CmafSegmenterOptions segmenter;
  LiveTimelineConfig timeline;
  size_t queue_frames = 512;
};

class LivePackager : public std::enable_shared_from_this<LivePackager> {
 public:
  // directories[i] belongs to shard i and outlives the packager.
  LivePackager(std::shared_ptr<router::Stream> stream, runtime::ShardSet& shards,
               std::vector<HlsShardDirectory*> directories, LivePackagerOptions options,
               uint64_t generation);

  void start();
  // The publisher is gone: emits what is pending, ends the playlists (EXT-X-ENDLIST).
  void stop();

 private:
  void drain();
  void package(const media::FramePtr& frame);
  bool tracks_changed(const std::vector<media::TrackInfo>& tracks) const;
  void restart_segmenter(const std::vector<media::TrackInfo>& tracks);
  RenditionInfo describe(const std::vector<media::TrackInfo>& tracks) const;
  void on_segment_end(const CmafSegmentEnd& end);
  void broadcast(HlsEvent event);

  std::shared_ptr<router::Stream> stream_;
  runtime::ShardSet& shards_;
  std::vector<HlsShardDirectory*> directories_;
  LivePackagerOptions options_;
  uint64_t generation_;
  std::shared_ptr<router::Subscription> subscription_;
  std::unique_ptr<CmafSegmenter> segmenter_;
  std::vector<media::TrackInfo> tracks_;  // what the segmenter was built for
  bool begun_ = false;
  bool stopped_ = false;
  uint64_t next_msn_ = 0;
  // Measured bitrate, for BANDWIDTH / AVERAGE-BANDWIDTH.
  uint64_t segment_bytes_ = 0;
  uint64_t total_bytes_ = 0;
  double total_seconds_ = 0;
  uint64_t peak_bps_ = 0;
  RenditionInfo rendition_;
};

}  // namespace vela::packager
