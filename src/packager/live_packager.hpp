#pragma once
// Packages one live stream into LL-HLS: subscribes to the stream (derived tracks included)
// on its home shard, runs one RenditionPackager per rendition (not per viewer), and posts
// every event once to each shard's HlsShardDirectory. Home shard only, from construction
// to stop().
//
// Renditions: the source's own video is the rendition named by options.timeline.rendition
// ("video"); each derived video track (a transcoded rung, TrackInfo::rendition "720p", ...)
// is a rendition of that name. Each is muxed with the stream's packaged audio (see
// packaged_audio.hpp: the source's AAC, or for Opus sources the audio bridge's derived AAC)
// so that every variant plays on its own; other derived audio (Opus for WebRTC) is ignored.
// A source with Opus audio holds its first frames back (up to bridged_audio_wait_s) until
// the derived AAC track is announced, so that the playlists start with audio rather than
// restarting the segmenter (and waiting for a keyframe) when it comes. A derived track that leaves the stream's derived tracks (the transcoder stopped
// it) ends its rendition's playlist; if it comes back, the playlist starts over at the
// current msn. A derived rendition whose frames merely pause keeps its playlist, which stops
// growing until they resume.
#include <memory>
#include <optional>
#include <vector>

#include "packager/hls_shard_directory.hpp"
#include "packager/packaged_media_sink.hpp"
#include "packager/rendition_packager.hpp"
#include "packager/segment_plan.hpp"
#include "router/stream.hpp"
#include "runtime/shard.hpp"

namespace vela::packager {

struct LivePackagerOptions {
  CmafSegmenterOptions segmenter;
  LiveTimelineConfig timeline;
  size_t queue_frames = 512;  // also bounds the frames held back for the bridged audio
  // A source whose audio is not AAC: how long (media time) to wait for a derived AAC track
  // before packaging without audio. 0: do not wait.
  double bridged_audio_wait_s = 1.0;
  // Makes the session's sink for every event (the recorder); none when empty.
  PackagedMediaSinkFactory sink_factory;
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
  // While waiting for the bridged audio: keeps the frame back and true; releases everything
  // held once the audio is there or the wait is over.
  bool hold(const media::FramePtr& frame);
  void package_now(const media::FramePtr& frame);
  // Media time held back up to this frame, in seconds (0 unless it is on the source's clock
  // track: its video, or its audio without video).
  double held_span_s(const media::MediaFrame& frame) const;
  // Brings the renditions in line with the stream's tracks when those changed.
  void sync_renditions();
  void sync_derived(const std::optional<media::TrackInfo>& audio);
  RenditionPackager& derived_rendition(const std::string& name);
  void broadcast(const std::string& rendition, const HlsEvent& event);

  std::shared_ptr<router::Stream> stream_;
  runtime::ShardSet& shards_;
  std::vector<HlsShardDirectory*> directories_;
  LivePackagerOptions options_;
  uint64_t generation_;
  uint64_t first_number_;  // first msn and init id of this session
  std::shared_ptr<router::Subscription> subscription_;
  SegmentPlan plan_;
  // renditions_[0] is the source's; the others are derived, kept after they end so that
  // their numbers continue if they come back.
  std::vector<std::unique_ptr<RenditionPackager>> renditions_;
  std::vector<media::TrackInfo> seen_tracks_;  // the stream's tracks at the last sync
  std::vector<media::TrackInfo> seen_derived_;
  bool begun_ = false;
  bool stopped_ = false;
  bool holding_ = true;  // until the first frame with tracks says whether to wait
  std::vector<media::FramePtr> held_;
  std::unique_ptr<PackagedMediaSink> sink_;
};

}  // namespace vela::packager
