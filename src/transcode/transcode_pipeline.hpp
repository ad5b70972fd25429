#pragma once
// The work of one stream's transcode, on a worker: decode each source access unit once,
// decide once per picture whether it starts a GOP (KeyframeCadence), apply the overload
// policy (drop the picture, shed or restore a rendition), and for every running rendition
// that keeps the picture (FrameSelector) scale it from the decoded picture and encode it.
// Encoded pictures come out as derived frames with the source picture's pts as dts and pts
// (no B-frames), so keyframes line up across renditions and with the source.
//
// Threading: one thread at a time (the stream's job chain on the worker pool).
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "media/media_frame.hpp"
#include "media/track_info.hpp"
#include "transcode/keyframe_alignment.hpp"
#include "transcode/ladder.hpp"
#include "transcode/overload_policy.hpp"
#include "transcode/video_decoder.hpp"
#include "transcode/video_encoder.hpp"

namespace vela::transcode {

struct PipelineOptions {
  std::vector<PlannedRendition> renditions;  // transcoded ones only, most expensive first
  std::optional<int64_t> keyframe_interval;  // 90 kHz ticks; none: follow the source
  std::string preset = "veryfast";
  int encoder_threads = 1;
  OverloadOptions overload;
};

// One source access unit as the job queue holds it.
struct SourceFrame {
  media::FramePtr frame;
  base::Buffer avcc;       // its track's avcC (a new one reopens the decoder)
  bool after_gap = false;  // frames before it were dropped: start GOPs afresh here
};

struct PipelineOutput {
  std::optional<std::vector<media::TrackInfo>> tracks;  // set once, when the encoders open
  std::vector<std::pair<size_t, media::FramePtr>> frames;  // (rendition, derived frame)
  uint64_t dropped_pictures = 0;  // skipped by the overload policy
  std::vector<std::string> shed;      // renditions stopped just now
  std::vector<std::string> restored;  // renditions started again just now
};

class TranscodePipeline {
 public:
  explicit TranscodePipeline(PipelineOptions options);

  // lag_s: how far the job is behind the newest source frame; now_s: monotonic seconds.
  // An error means this access unit (or the encoders) failed; later ones may still work.
  base::Status process(const SourceFrame& source, double lag_s, double now_s, PipelineOutput& out);

  // Renditions [0, shed()) are stopped by the overload policy.
  size_t shed() const { return policy_.shed(); }

 private:
  struct Pending {  // a source frame waiting for its picture to come out of the decoder
    int64_t pts;
    bool keyframe;
    bool after_gap;
    bool discontinuity;
    int64_t wall_clock_us;
  };
  struct Rendition {
    PlannedRendition plan;
    FrameSelector selector;
    Scaler scaler{YuvRange::limited};
    std::optional<H264Encoder> encoder;
  };

  base::Status open_encoders(PipelineOutput& out);
  base::Status on_picture(const AVFrame& picture, double lag_s, double now_s, PipelineOutput& out);
  base::Status encode(Rendition& r, size_t index, const AVFrame& picture, const Pending& source,
                      bool starts_gop, PipelineOutput& out);

  PipelineOptions options_;
  std::vector<Rendition> renditions_;
  KeyframeCadence cadence_;
  OverloadPolicy policy_;
  std::optional<H264StreamDecoder> decoder_;
  base::Buffer decoder_avcc_;
  std::deque<Pending> pending_;
  AvFramePtr scratch_;  // a reference to the decoded picture, when no scaling is needed
};

}  // namespace vela::transcode
