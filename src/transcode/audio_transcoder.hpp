#pragma once
// Audio transcoding of one track, AAC <-> Opus, for the egress that needs the other codec
// (LL-HLS wants AAC, WebRTC wants Opus). Done once per stream, never per viewer: decode the
// access units (FFmpeg's "aac" / native "opus"), convert sample format, rate and channel
// layout (libswresample; at most stereo), re-frame in an AVAudioFifo (Opus: 960 samples =
// 20 ms at 48 kHz; AAC: 1024 samples) and encode ("libopus" / FFmpeg's native "aac", LC).
//
// Timestamps: the output timescale is the output sample rate (Opus: 48 kHz). The first
// output frame's dts is the first input frame's pts rescaled; every later frame follows the
// previous one by the samples it carries, counted in whole samples (no drift, no rounding).
// Priming: the encoder's initial padding (libopus 312 samples, AAC 1024) is NOT subtracted
// from the timestamps, so the first output frame starts at the first input's time and the
// decoded audio runs encoder_delay() samples late. Opus signals it as the OpusHead
// pre-skip (decoders honouring it drop it); for AAC the packager may write an edit list of
// encoder_delay() samples. On input, FFmpeg's Opus decoder drops the source's own pre-skip
// (from its OpusHead), so an Opus source's priming does not reach the AAC. Input gaps are not re-synchronised: samples are counted, not
// re-anchored to later input timestamps.
//
// Threading: one thread at a time (a stream's job on a worker, never a shard).
#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.hpp"
#include "media/media_frame.hpp"
#include "media/track_info.hpp"

namespace vela::transcode {

struct AudioTranscodeOptions {
  media::Codec target = media::Codec::opus;  // opus or aac
  uint32_t track_id = 0;                     // the output track's id
  // Bits/s; 0: Opus 96 kb/s stereo, 64 kb/s mono; AAC 128 kb/s stereo, 64 kb/s mono.
  uint32_t bitrate = 0;
  // AAC output only; 0: the decoded rate when AAC has it, else 48 kHz. Opus is always 48 kHz.
  uint32_t aac_sample_rate = 0;
};

class AudioTranscoder {
 public:
  // input: an AAC track (codec_config = AudioSpecificConfig) or an Opus track
  // (codec_config = OpusHead, may be empty for mono/stereo).
  static base::Result<AudioTranscoder> open(const media::TrackInfo& input,
                                            const AudioTranscodeOptions& options);
  AudioTranscoder(AudioTranscoder&&) noexcept;
  AudioTranscoder& operator=(AudioTranscoder&&) noexcept;
  ~AudioTranscoder();

  // Opus: codec_string "opus", 48 kHz, codec_config = OpusHead (RFC 7845, 5.1).
  // AAC: codec_string "mp4a.40.2", codec_config = the encoder's AudioSpecificConfig.
  const media::TrackInfo& output_track() const;
  // The encoder's priming samples in the output timescale (see the top of this file).
  int64_t encoder_delay() const;

  // One access unit in (dts/pts in the input track's timescale); the frames the encoder
  // completes out (zero or more), in order. An access unit that does not decode is an error
  // for that call only: the transcoder stays usable and the next access unit continues.
  base::Result<std::vector<media::FramePtr>> push(const media::MediaFrame& frame);
  // End of stream: drains the resampler, the last partial frame and the encoder.
  base::Result<std::vector<media::FramePtr>> flush();

 private:
  struct State;
  explicit AudioTranscoder(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace vela::transcode
