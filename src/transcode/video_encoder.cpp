#include "transcode/video_encoder.hpp"

#include <string>
#include <vector>

#include "base/byte_writer.hpp"
#include "format/mpegts/annex_b.hpp"
#include "media/codec/h264.hpp"

extern "C" {
#include <libavutil/opt.h>
}

namespace vela::transcode {

namespace {

namespace codec = media::codec;

// libx264 writes the parameter sets (with GLOBAL_HEADER) as Annex B; the router wants avcC.
base::Result<base::Buffer> avcc_from_extradata(std::span<const uint8_t> extradata) {
  if (!extradata.empty() && extradata[0] == 1) return base::Buffer::copy_of(extradata);
  std::vector<std::vector<uint8_t>> sps, pps;
  for (auto nal : format::mpegts::split_annex_b(extradata)) {
    if (nal.empty()) continue;
    uint8_t type = codec::nal_type(nal[0]);
    if (type == codec::kNalSps) sps.emplace_back(nal.begin(), nal.end());
    if (type == codec::kNalPps) pps.emplace_back(nal.begin(), nal.end());
  }
  auto record = format::mpegts::build_avcc(sps, pps);
  if (!record) return base::make_error("H.264 encoder: unusable headers: " + record.error().message);
  return base::Buffer::adopt(std::move(*record));
}

// Annex B access unit -> AVCC, leaving out what the track's avcC already says (SPS, PPS)
// and access unit delimiters.
base::Buffer to_avcc(std::span<const uint8_t> annex_b) {
  std::vector<uint8_t> out;
  out.reserve(annex_b.size() + 16);
  base::ByteWriter writer(out);
  for (auto nal : format::mpegts::split_annex_b(annex_b)) {
    if (nal.empty()) continue;
    uint8_t type = codec::nal_type(nal[0]);
    if (type == codec::kNalSps || type == codec::kNalPps || type == codec::kNalAud) continue;
    writer.u32be(static_cast<uint32_t>(nal.size()));
    writer.bytes(nal);
  }
  return base::Buffer::adopt(std::move(out));
}

}  // namespace

base::Result<H264Encoder> H264Encoder::open(const VideoEncoderOptions& options) {
  const AVCodec* x264 = avcodec_find_encoder_by_name("libx264");
  if (!x264) return base::make_error("H.264 encoder: FFmpeg was built without libx264");
  CodecContextPtr context(avcodec_alloc_context3(x264));
  AvPacketPtr packet(av_packet_alloc());
  if (!context || !packet) return base::make_error("H.264 encoder: out of memory");
  context->width = static_cast<int>(options.size.width);
  context->height = static_cast<int>(options.size.height);
  context->pix_fmt = AV_PIX_FMT_YUV420P;
  context->color_range = AVCOL_RANGE_MPEG;
  context->time_base = {1, 90'000};
  context->framerate = av_d2q(options.frame_rate > 0 ? options.frame_rate : 30, 100'000);
  context->bit_rate = int64_t{options.video_kbps} * 1000;
  // VBV: peaks at most the target rate over a 2 s buffer (one typical segment), so every
  // rendition fits the bandwidth the multivariant playlist announces.
  context->rc_max_rate = context->bit_rate;
  context->rc_buffer_size = static_cast<int>(context->bit_rate * 2);
  context->max_b_frames = 0;
  context->thread_count = options.threads;
  // Parameter sets once, in extradata (the track's avcC), not before every IDR.
  context->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  void* x = context->priv_data;
  // zerolatency: no lookahead and no B-frames, so each picture comes out at once.
  // keyint=infinite and scenecut=0: IDRs only where encode() is told (forced-idr turns a
  // forced I picture into an IDR). log=1: x264's warnings and errors, not its statistics.
  if (av_opt_set(x, "preset", options.preset.c_str(), 0) < 0 || av_opt_set(x, "tune", "zerolatency", 0) < 0 ||
      av_opt_set(x, "forced-idr", "1", 0) < 0 ||
      av_opt_set(x, "x264-params", "keyint=infinite:scenecut=0:bframes=0:log=1", 0) < 0) {
    return base::make_error("H.264 encoder: libx264 refused its options");
  }
  if (int err = avcodec_open2(context.get(), x264, nullptr); err < 0) {
    return base::make_error(av_error_message("H.264 encoder: cannot open libx264 (preset '" + options.preset + "')", err));
  }
  auto avcc = avcc_from_extradata({context->extradata, static_cast<size_t>(context->extradata_size)});
  if (!avcc) return avcc.error();
  auto config = codec::parse_avc_config(avcc->span());
  if (!config) return base::make_error("H.264 encoder: bad avcC: " + config.error().message);
  std::string codec_string = codec::avc_codec_string(config->profile, config->compatibility, config->level);
  return H264Encoder(std::move(context), std::move(packet), std::move(*avcc), std::move(codec_string));
}

base::Result<EncodedPicture> H264Encoder::encode(AVFrame& picture, bool idr) {
  picture.pict_type = idr ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  if (int err = avcodec_send_frame(context_.get(), &picture); err < 0) {
    return base::make_error(av_error_message("H.264 encoder refused a picture", err));
  }
  av_packet_unref(packet_.get());
  if (int err = avcodec_receive_packet(context_.get(), packet_.get()); err < 0) {
    // Cannot happen with zerolatency settings; an error rather than a silent gap if it does.
    return base::make_error(av_error_message("H.264 encoder gave no access unit", err));
  }
  EncodedPicture out;
  out.pts = packet_->pts;
  out.keyframe = (packet_->flags & AV_PKT_FLAG_KEY) != 0;
  out.access_unit = to_avcc({packet_->data, static_cast<size_t>(packet_->size)});
  return out;
}

}  // namespace vela::transcode
