#include "transcode/transcode_pipeline.hpp"

#include <algorithm>

namespace vela::transcode {

namespace {

constexpr size_t kMaxPending = 64;  // far beyond any H.264 reorder depth

bool same_bytes(const base::Buffer& a, const base::Buffer& b) {
  return std::ranges::equal(a.span(), b.span());
}

}  // namespace

TranscodePipeline::TranscodePipeline(PipelineOptions options)
    : options_(std::move(options)),
      cadence_(options_.keyframe_interval),
      policy_(options_.renditions.size(), options_.overload),
      scratch_(av_frame_alloc()) {
  for (const auto& plan : options_.renditions) {
    renditions_.push_back(Rendition{plan, FrameSelector(plan.frame_step), Scaler(YuvRange::limited), std::nullopt});
  }
}

base::Status TranscodePipeline::open_encoders(PipelineOutput& out) {
  std::vector<media::TrackInfo> tracks;
  for (size_t i = 0; i < renditions_.size(); ++i) {
    Rendition& r = renditions_[i];
    auto encoder = H264Encoder::open({.size = r.plan.size,
                                      .video_kbps = r.plan.video_kbps,
                                      .frame_rate = r.plan.frame_rate,
                                      .preset = options_.preset,
                                      .threads = options_.encoder_threads});
    if (!encoder) return base::make_error("rendition " + r.plan.name + ": " + encoder.error().message);
    media::TrackInfo track;
    track.id = media::kFirstDerivedTrackId + static_cast<uint32_t>(i);
    track.kind = media::MediaKind::video;
    track.codec = media::Codec::h264;
    track.timescale = media::kVideoTimescale;
    track.codec_config = encoder->avcc();
    track.codec_string = encoder->codec_string();
    track.width = r.plan.size.width;
    track.height = r.plan.size.height;
    track.frame_rate = r.plan.frame_rate;
    track.bitrate = r.plan.video_kbps * 1000;
    track.rendition = r.plan.name;
    tracks.push_back(std::move(track));
    r.encoder.emplace(std::move(*encoder));
  }
  out.tracks = std::move(tracks);
  return {};
}

base::Status TranscodePipeline::process(const SourceFrame& source, double lag_s, double now_s,
                                        PipelineOutput& out) {
  if (renditions_.empty()) return {};
  if (!renditions_.front().encoder) {
    if (base::Status opened = open_encoders(out); !opened) return opened;
  }
  if (!decoder_ || !same_bytes(decoder_avcc_, source.avcc)) {
    auto decoder = H264StreamDecoder::open(source.avcc.span());
    if (!decoder) return decoder.error();
    decoder_.emplace(std::move(*decoder));
    decoder_avcc_ = source.avcc;
    pending_.clear();
  }
  const media::MediaFrame& frame = *source.frame;
  pending_.push_back({frame.pts(), frame.keyframe, source.after_gap, frame.discontinuity, frame.wall_clock_us});
  if (pending_.size() > kMaxPending) pending_.pop_front();
  base::Status picture_status;
  base::Status decoded =
      decoder_->decode(frame.payload.span(), frame.pts(), frame.dts, [&](const AVFrame& picture) {
        if (picture_status) picture_status = on_picture(picture, lag_s, now_s, out);
      });
  if (!decoded) return decoded;
  return picture_status;
}

base::Status TranscodePipeline::on_picture(const AVFrame& picture, double lag_s, double now_s,
                                           PipelineOutput& out) {
  // The source frame this picture was decoded from; older entries never gave a picture.
  Pending source{picture.pts, false, false, false, 0};
  auto match = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.pts == picture.pts; });
  if (match != pending_.end()) {
    source = *match;
    pending_.erase(match);
  }
  bool starts_gop = cadence_.starts_gop(source.pts, source.keyframe) || source.after_gap;
  size_t shed_before = policy_.shed();
  OverloadDecision decision = policy_.on_frame(lag_s, now_s, starts_gop);
  if (decision.shed) out.shed.push_back(renditions_[shed_before].plan.name);
  if (decision.restore) out.restored.push_back(renditions_[policy_.shed()].plan.name);
  if (decision.drop_frame) {
    ++out.dropped_pictures;
    return {};
  }
  for (size_t i = 0; i < renditions_.size(); ++i) {
    Rendition& r = renditions_[i];
    if (!policy_.running(i) || !r.selector.keep(starts_gop)) continue;
    if (base::Status encoded = encode(r, i, picture, source, starts_gop, out); !encoded) return encoded;
  }
  return {};
}

base::Status TranscodePipeline::encode(Rendition& r, size_t index, const AVFrame& picture,
                                       const Pending& source, bool starts_gop, PipelineOutput& out) {
  // A rendition at the decoded size and format encodes the decoded picture itself.
  bool as_is = picture.width == static_cast<int>(r.plan.size.width) &&
               picture.height == static_cast<int>(r.plan.size.height) &&
               picture.format == AV_PIX_FMT_YUV420P && picture.color_range != AVCOL_RANGE_JPEG;
  AVFrame* input = nullptr;
  AvFramePtr scaled;
  if (as_is) {
    av_frame_unref(scratch_.get());
    if (int err = av_frame_ref(scratch_.get(), &picture); err < 0) {
      return base::make_error(av_error_message("transcode: cannot reference the picture", err));
    }
    input = scratch_.get();
  } else {
    auto result = r.scaler.scale(picture, r.plan.size);
    if (!result) return base::make_error("rendition " + r.plan.name + ": " + result.error().message);
    scaled = std::move(*result);
    input = scaled.get();
  }
  input->pts = source.pts;
  auto encoded = r.encoder->encode(*input, starts_gop);
  if (!encoded) return base::make_error("rendition " + r.plan.name + ": " + encoded.error().message);
  auto frame = std::make_shared<media::MediaFrame>();
  frame->track_id = media::kFirstDerivedTrackId + static_cast<uint32_t>(index);
  frame->dts = encoded->pts;
  frame->cts = 0;
  frame->keyframe = encoded->keyframe;
  frame->discontinuity = source.discontinuity;
  frame->payload = std::move(encoded->access_unit);
  frame->wall_clock_us = source.wall_clock_us;
  out.frames.emplace_back(index, std::move(frame));
  return {};
}

}  // namespace vela::transcode
