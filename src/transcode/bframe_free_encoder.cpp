#include "transcode/bframe_free_encoder.hpp"

#include <algorithm>
#include <cmath>

#include "base/time.hpp"

namespace vela::transcode {

namespace {

constexpr size_t kMaxPending = 64;  // far beyond any H.264 reorder depth
constexpr int64_t kRateWindow = 4 * media::kVideoTimescale;
constexpr int64_t kReplanInterval = 10 * media::kVideoTimescale;
constexpr double kProvisionalBitsPerPixel = 0.1;  // ~2.8 Mbit/s at 720p30, ~0.7 at 360p30
constexpr double kAssumedFps = 30;

bool same_bytes(const base::Buffer& a, const base::Buffer& b) { return std::ranges::equal(a.span(), b.span()); }

bool same_track(const media::TrackInfo& a, const media::TrackInfo& b) {
  return same_bytes(a.codec_config, b.codec_config) && a.width == b.width && a.height == b.height &&
         a.bitrate == b.bitrate && a.frame_rate == b.frame_rate;
}

// More than a quarter away: worth a new encoder (an IDR that is due anyway).
bool moved(uint32_t target, uint32_t current) {
  return std::abs(static_cast<double>(target) - static_cast<double>(current)) > 0.25 * static_cast<double>(current);
}

uint32_t even(int dimension) { return static_cast<uint32_t>(std::max(2, dimension & ~1)); }

}  // namespace

BframeFreeEncoder::BframeFreeEncoder(BframeFreeOptions options)
    : options_(std::move(options)), scratch_(av_frame_alloc()) {}

void BframeFreeEncoder::measure(const media::MediaFrame& frame) {
  if (!window_.empty() && frame.dts < window_.back().first) {  // the clock went back: start over
    window_.clear();
    window_bytes_ = 0;
  }
  window_.emplace_back(frame.dts, frame.payload.size());
  window_bytes_ += frame.payload.size();
  while (window_.size() > 1 && window_.front().first < frame.dts - kRateWindow) {
    window_bytes_ -= window_.front().second;
    window_.pop_front();
  }
}

BframeFreeEncoder::Target BframeFreeEncoder::target(const BframeFreeInput& input, PictureSize size) const {
  double kbps = 0;
  bool settled = true;
  int64_t span = window_.empty() ? 0 : window_.back().first - window_.front().first;
  if (input.nominal_bps > 0) {
    kbps = input.nominal_bps / 1000.0;
  } else if (span >= kRateWindow * 3 / 4 && window_.size() > 1) {
    // n frames cover n-1 intervals between their dts, and n frame durations of media.
    double seconds = static_cast<double>(span) / media::kVideoTimescale * static_cast<double>(window_.size()) /
                     static_cast<double>(window_.size() - 1);
    kbps = static_cast<double>(window_bytes_) * 8 / seconds / 1000;
  } else {
    double fps = input.frame_rate > 0 ? input.frame_rate : kAssumedFps;
    kbps = static_cast<double>(size.width) * size.height * fps * kProvisionalBitsPerPixel / 1000;
    settled = false;
  }
  kbps = std::clamp(kbps, static_cast<double>(options_.min_kbps), static_cast<double>(options_.max_kbps));
  return {static_cast<uint32_t>(std::lround(kbps)), settled};
}

base::Status BframeFreeEncoder::push(const BframeFreeInput& input, BframeFreeOutput& out) {
  if (!decoder_ || !same_bytes(decoder_avcc_, input.avcc)) {
    auto decoder = H264StreamDecoder::open(input.avcc.span());
    if (!decoder) return decoder.error();
    decoder_.emplace(std::move(*decoder));
    decoder_avcc_ = input.avcc;
    pending_.clear();
  }
  const media::MediaFrame& frame = *input.frame;
  measure(frame);
  int64_t wall = frame.wall_clock_us == 0 ? 0
                                          : frame.wall_clock_us + base::rescale(frame.cts, media::kVideoTimescale,
                                                                                base::kMicrosPerSecond);
  pending_.push_back({frame.pts(), frame.keyframe, input.after_gap, frame.discontinuity, wall});
  if (pending_.size() > kMaxPending) pending_.pop_front();
  base::Status picture_status;
  base::Status decoded = decoder_->decode(frame.payload.span(), frame.pts(), frame.dts, [&](const AVFrame& picture) {
    if (picture_status) picture_status = on_picture(picture, input, out);
  });
  if (!decoded) return decoded;
  return picture_status;
}

base::Status BframeFreeEncoder::on_picture(const AVFrame& picture, const BframeFreeInput& input,
                                           BframeFreeOutput& out) {
  // The source frame this picture was decoded from; older entries never gave a picture.
  Pending source{picture.pts, false, false, false, 0};
  auto match = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.pts == picture.pts; });
  if (match != pending_.end()) {
    source = *match;
    pending_.erase(match);
  }
  bool starts_gop = source.keyframe || source.after_gap;
  // Before the first keyframe there is nothing to start from; a picture at or before the last
  // one sent (without a discontinuity that says why) would break the track's dts order.
  if ((!encoder_ && !starts_gop) || (last_dts_ && source.pts <= *last_dts_ && !source.discontinuity)) {
    ++out.skipped;
    return {};
  }
  PictureSize size{even(picture.width), even(picture.height)};
  Target rate = target(input, size);
  bool idr = starts_gop;
  bool replan = starts_gop && encoder_ && moved(rate.kbps, encoder_kbps_) &&
                ((rate.settled && !encoder_settled_) || source.pts - encoder_opened_pts_ >= kReplanInterval);
  if (!encoder_ || size != encoder_size_ || replan) {
    if (base::Status opened = open_encoder(size, rate, input.frame_rate, out); !opened) return opened;
    encoder_opened_pts_ = source.pts;
    idr = true;
  }

  AVFrame* encodable = nullptr;
  AvFramePtr scaled;
  bool as_is = static_cast<uint32_t>(picture.width) == size.width &&
               static_cast<uint32_t>(picture.height) == size.height && picture.format == AV_PIX_FMT_YUV420P &&
               picture.color_range != AVCOL_RANGE_JPEG;
  if (as_is) {
    av_frame_unref(scratch_.get());
    if (int err = av_frame_ref(scratch_.get(), &picture); err < 0) {
      return base::make_error(av_error_message("webrtc video: cannot reference the picture", err));
    }
    encodable = scratch_.get();
  } else {
    auto converted = scaler_.scale(picture, size);
    if (!converted) return converted.error();
    scaled = std::move(*converted);
    encodable = scaled.get();
  }
  encodable->pts = source.pts;
  auto encoded = encoder_->encode(*encodable, idr);
  if (!encoded) return encoded.error();
  auto derived = std::make_shared<media::MediaFrame>();
  derived->track_id = options_.track_id;
  derived->dts = source.pts;
  derived->cts = 0;
  derived->keyframe = encoded->keyframe;
  derived->discontinuity = source.discontinuity;
  derived->payload = std::move(encoded->access_unit);
  derived->wall_clock_us = source.wall_clock_us;
  last_dts_ = source.pts;
  out.frames.push_back(std::move(derived));
  return {};
}

base::Status BframeFreeEncoder::open_encoder(PictureSize size, Target rate, double frame_rate,
                                             BframeFreeOutput& out) {
  auto encoder = H264Encoder::open({.size = size,
                                    .video_kbps = rate.kbps,
                                    .frame_rate = frame_rate > 0 ? frame_rate : kAssumedFps,
                                    .preset = options_.preset,
                                    .threads = 1});
  if (!encoder) return encoder.error();
  if (encoder_) ++reopens_;
  media::TrackInfo track;
  track.id = options_.track_id;
  track.kind = media::MediaKind::video;
  track.codec = media::Codec::h264;
  track.timescale = media::kVideoTimescale;
  track.codec_config = encoder->avcc();
  track.codec_string = encoder->codec_string();
  track.width = size.width;
  track.height = size.height;
  track.frame_rate = frame_rate;
  track.bitrate = rate.kbps * 1000;
  track.rendition = options_.rendition;
  if (!track_ || !same_track(*track_, track)) out.track = track;
  track_ = std::move(track);
  encoder_.emplace(std::move(*encoder));
  encoder_size_ = size;
  encoder_kbps_ = rate.kbps;
  encoder_settled_ = rate.settled;
  return {};
}

}  // namespace vela::transcode
