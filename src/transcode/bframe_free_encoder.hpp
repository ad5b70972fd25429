#pragma once
// The worker side of one stream's B-frame-free video (for WebRTC, whose browsers play H.264
// with B-frames badly or not at all): decode the source once, re-encode every picture at the
// source size with H264Encoder (no B-frames, no lookahead), and stamp each output frame with
// its source picture's pts as dts and pts (cts 0): the decoder hands pictures over in
// presentation order and the encoder keeps it, so the output needs no reordering.
//
// Keyframes: an IDR exactly at each source keyframe's pts (and at the first picture after a
// hole or an encoder reopen), so the derived track's GOPs line up with the source's.
//
// Bitrate: the source track's nominal bitrate when it has one; else measured from the source
// frames' bytes over the last kRateWindow of media time. Until that window is filled, a
// guess from the picture size (kProvisionalBitsPerPixel). The encoder is reopened at a
// source keyframe when the target moved by more than a quarter: once as soon as the
// measurement settles, then at most every kReplanInterval. Capped at max_kbps.
//
// Threading: one thread at a time (the stream's job chain on the worker pool).
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "media/media_frame.hpp"
#include "media/track_info.hpp"
#include "transcode/scaler.hpp"
#include "transcode/video_decoder.hpp"
#include "transcode/video_encoder.hpp"

namespace vela::transcode {

struct BframeFreeOptions {
  uint32_t track_id = media::kFirstWebRtcVideoTrackId;
  std::string rendition = "webrtc";
  uint32_t max_kbps = 6000;
  uint32_t min_kbps = 200;
  std::string preset = "veryfast";
};

// One source access unit as the job queue holds it.
struct BframeFreeInput {
  media::FramePtr frame;
  base::Buffer avcc;          // its track's avcC (a new one reopens the decoder)
  uint32_t nominal_bps = 0;   // its track's TrackInfo::bitrate (0: unknown, measure)
  double frame_rate = 0;      // its track's TrackInfo::frame_rate (0: unknown)
  bool after_gap = false;     // frames before it were dropped: the next picture is an IDR
};

struct BframeFreeOutput {
  std::optional<media::TrackInfo> track;  // the derived track, when new or changed
  std::vector<media::FramePtr> frames;
  uint64_t skipped = 0;  // pictures not encoded (before the first keyframe, time going back)
};

class BframeFreeEncoder {
 public:
  explicit BframeFreeEncoder(BframeFreeOptions options);

  // An error concerns this access unit (or the encoder it needed); later ones may work.
  base::Status push(const BframeFreeInput& input, BframeFreeOutput& out);

  // The bitrate the encoder runs at now (0 before it opened).
  uint32_t kbps() const { return encoder_kbps_; }
  uint64_t reopens() const { return reopens_; }

 private:
  struct Pending {  // a source frame waiting for its picture to come out of the decoder
    int64_t pts;
    bool keyframe;
    bool after_gap;
    bool discontinuity;
    int64_t wall_clock_us;  // at pts
  };
  struct Target {
    uint32_t kbps;
    bool settled;  // nominal, or measured over a whole window
  };

  void measure(const media::MediaFrame& frame);
  Target target(const BframeFreeInput& input, PictureSize size) const;
  base::Status on_picture(const AVFrame& picture, const BframeFreeInput& input, BframeFreeOutput& out);
  base::Status open_encoder(PictureSize size, Target rate, double frame_rate, BframeFreeOutput& out);

  BframeFreeOptions options_;
  std::optional<H264StreamDecoder> decoder_;
  base::Buffer decoder_avcc_;
  std::deque<Pending> pending_;
  std::deque<std::pair<int64_t, size_t>> window_;  // (dts, bytes) of recent source frames
  uint64_t window_bytes_ = 0;

  std::optional<H264Encoder> encoder_;
  PictureSize encoder_size_;
  uint32_t encoder_kbps_ = 0;
  bool encoder_settled_ = false;
  int64_t encoder_opened_pts_ = 0;
  std::optional<media::TrackInfo> track_;
  std::optional<int64_t> last_dts_;
  Scaler scaler_{YuvRange::limited};
  AvFramePtr scratch_;  // a reference to the decoded picture, when it is encodable as is
  uint64_t reopens_ = 0;
};

}  // namespace vela::transcode
