#include "transcode/audio_bridge_transcoder.hpp"

#include <algorithm>

#include "base/time.hpp"

namespace vela::transcode {

namespace {

// Input clock against samples counted: beyond these the transcoder restarts (seconds).
constexpr double kJump = 0.08;   // at once: larger than a frame in and a frame out together
constexpr double kDrift = 0.03;  // on a block's minimum: lip sync is off beyond ~45 ms early
constexpr int kBlockFrames = 50; // about a second of audio

constexpr int64_t kOpusFrameSamples = 960;  // 20 ms at 48 kHz (AudioTranscoder's framing)
constexpr int64_t kAacFrameSamples = 1024;
constexpr size_t kOpusHeadPreSkip = 10;     // RFC 7845, 5.1: little-endian 16 bits

int64_t ticks(double seconds, int64_t timescale) { return static_cast<int64_t>(seconds * static_cast<double>(timescale)); }

}  // namespace

AudioBridgeTranscoder::AudioBridgeTranscoder(media::TrackInfo source, AudioTranscodeOptions options,
                                             std::string rendition)
    : source_(std::move(source)), options_(options), rendition_(std::move(rendition)) {}

base::Status AudioBridgeTranscoder::open() {
  transcoder_.reset();
  next_dts_.reset();
  reference_.reset();
  block_count_ = 0;
  auto opened = AudioTranscoder::open(source_, options_);
  if (!opened) return opened.error();
  transcoder_.emplace(std::move(*opened));
  delay_ = transcoder_->encoder_delay();
  media::TrackInfo track = transcoder_->output_track();
  frame_samples_ = track.codec == media::Codec::opus ? kOpusFrameSamples : kAacFrameSamples;
  track.rendition = rendition_;
  if (track.codec == media::Codec::opus && track.codec_config.size() > kOpusHeadPreSkip + 1) {
    std::vector<uint8_t> head(track.codec_config.span().begin(), track.codec_config.span().end());
    head[kOpusHeadPreSkip] = 0;
    head[kOpusHeadPreSkip + 1] = 0;
    track.codec_config = base::Buffer::adopt(std::move(head));
  }
  track_ = std::move(track);
  return {};
}

bool AudioBridgeTranscoder::drifted(int64_t drift) {
  // Against the settled drift, or while learning it, the smallest seen so far.
  std::optional<int64_t> floor = reference_;
  if (!floor && block_count_ > 0) floor = block_min_;
  if (floor && std::abs(drift - *floor) > ticks(kJump, track_->timescale)) return true;
  block_min_ = block_count_ == 0 ? drift : std::min(block_min_, drift);
  if (++block_count_ < kBlockFrames) return false;
  block_count_ = 0;
  if (!reference_) {
    reference_ = block_min_;
    return false;
  }
  return std::abs(block_min_ - *reference_) > ticks(kDrift, track_->timescale);
}

base::Result<std::vector<media::FramePtr>> AudioBridgeTranscoder::push(const media::MediaFrame& frame,
                                                                       bool after_gap) {
  if (open_error_) return *open_error_;
  bool restart = !transcoder_ || after_gap || frame.discontinuity;
  if (!restart && next_dts_) {
    int64_t at = base::rescale(frame.pts(), source_.timescale, track_->timescale);
    restart = drifted(at - *next_dts_);
  }
  std::vector<media::FramePtr> out;
  if (restart) {
    if (transcoder_) {
      ++restarts_;
      // What the old transcoder holds is audio from before the hole: it still plays.
      if (auto tail = transcoder_->flush(); tail.ok()) emit(*tail, out);
    }
    discontinuity_ = discontinuity_ || frame.discontinuity;
    if (base::Status opened = open(); !opened) {
      open_error_ = opened.error();
      return opened.error();
    }
  }
  auto produced = transcoder_->push(frame);
  if (!produced) return produced.error();
  emit(*produced, out);
  return out;
}

void AudioBridgeTranscoder::emit(const std::vector<media::FramePtr>& encoded, std::vector<media::FramePtr>& out) {
  const int64_t timescale = track_->timescale;
  for (const auto& frame : encoded) {
    int64_t dts = frame->dts - delay_;
    next_dts_ = dts + frame_samples_;
    if (dts < 0 || (last_dts_ && dts <= *last_dts_)) continue;
    auto shifted = std::make_shared<media::MediaFrame>(*frame);
    shifted->dts = dts;
    if (shifted->wall_clock_us != 0) shifted->wall_clock_us -= base::rescale(delay_, timescale, base::kMicrosPerSecond);
    shifted->discontinuity = discontinuity_;
    discontinuity_ = false;
    last_dts_ = dts;
    out.push_back(std::move(shifted));
  }
}

}  // namespace vela::transcode
