#pragma once
// The worker side of one stream's audio bridge (AAC <-> Opus): an AudioTranscoder whose
// output timestamps stay on the source's clock, so the derived audio keeps lip sync with the
// video in every egress (LL-HLS, WebRTC).
//
// Timestamps: a derived frame's dts is the source time of its first sample in the output
// timescale. The transcoder's output starts with encoder_delay() priming samples and it
// stamps the first output frame with the first input's time, so every frame is moved back
// by encoder_delay(): decoded from the start (priming included, as WebRTC receivers and
// MSE do), sample k of the output plays at the time of the source sample it encodes. For
// the same reason the derived Opus track's OpusHead says pre-skip 0: the timestamps already
// account for the priming. Frames that would start before time 0 (the priming at a stream
// start at 0) are not emitted; dts stays strictly increasing across restarts.
//
// Restarts: the transcoder counts samples and never re-anchors, so a hole in the input
// (frames lost or dropped for overload, WebRTC packet loss) would shift all later audio
// earlier. The bridge restarts it (anchored at the next input) when told frames were
// dropped, at a source discontinuity, and when the input clock has moved away from the
// samples counted: by more than kJump at once, or by more than kDrift on the minimum over
// a block of frames (the reframing between 1024- and 960-sample frames makes single
// measurements swing by about a frame; while the first block is measured, against the
// smallest so far). The old transcoder is flushed first: the audio it held still plays,
// its last frame padded with silence; new frames that would overlap it are not emitted.
//
// Threading: one thread at a time (the stream's job chain on the worker pool).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "media/media_frame.hpp"
#include "media/track_info.hpp"
#include "transcode/audio_transcoder.hpp"

namespace vela::transcode {

class AudioBridgeTranscoder {
 public:
  // source: the stream's AAC or Opus track; options: the target (track id, codec, bitrate);
  // rendition: TrackInfo::rendition of the derived track ("audio-opus").
  AudioBridgeTranscoder(media::TrackInfo source, AudioTranscodeOptions options, std::string rendition);

  // One source access unit; after_gap: frames before it were dropped. Returns the derived
  // frames it completes. An error concerns this frame only (or, repeated, a source track
  // the codecs cannot open).
  base::Result<std::vector<media::FramePtr>> push(const media::MediaFrame& frame, bool after_gap);

  // The derived track, once the first transcoder opened.
  const std::optional<media::TrackInfo>& track() const { return track_; }
  const media::TrackInfo& source() const { return source_; }
  uint64_t restarts() const { return restarts_; }

 private:
  base::Status open();
  // Moves `encoded` (the transcoder's frames) onto the source clock and appends those due.
  void emit(const std::vector<media::FramePtr>& encoded, std::vector<media::FramePtr>& out);
  // Whether the input clock moved away from the samples counted (see the top of the file).
  bool drifted(int64_t drift);

  media::TrackInfo source_;
  AudioTranscodeOptions options_;
  std::string rendition_;
  std::optional<AudioTranscoder> transcoder_;
  std::optional<media::TrackInfo> track_;
  std::optional<base::Error> open_error_;  // the source cannot be transcoded: not retried
  int64_t delay_ = 0;                      // priming samples of the current transcoder
  int64_t frame_samples_ = 0;              // samples per output frame
  std::optional<int64_t> next_dts_;        // where the transcoder's next frame starts
  std::optional<int64_t> last_dts_;        // of the last frame emitted, across restarts
  std::optional<int64_t> reference_;       // the drift once the transcoder settled
  int64_t block_min_ = 0;
  int block_count_ = 0;
  bool discontinuity_ = false;  // marks the next frame emitted
  uint64_t restarts_ = 0;
};

}  // namespace vela::transcode
