#include "transcode/jpeg_encoder.hpp"

#include <algorithm>

namespace vela::transcode {

base::Result<base::Buffer> encode_jpeg(const AVFrame& picture, int quality) {
  if (picture.format != AV_PIX_FMT_YUV420P || picture.color_range != AVCOL_RANGE_JPEG) {
    return base::make_error("JPEG encoder: the picture must be full-range yuv420p");
  }
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!codec) return base::make_error("JPEG encoder: FFmpeg was built without MJPEG");
  CodecContextPtr context(avcodec_alloc_context3(codec));
  // A new reference to the same pixels, to carry the per-picture quality the encoder reads.
  AvFramePtr frame(av_frame_clone(&picture));
  AvPacketPtr packet(av_packet_alloc());
  if (!context || !frame || !packet) return base::make_error("JPEG encoder: out of memory");

  context->width = picture.width;
  context->height = picture.height;
  context->pix_fmt = AV_PIX_FMT_YUV420P;
  context->color_range = AVCOL_RANGE_JPEG;  // full range: a standard JPEG, not "unofficial"
  context->time_base = {1, 25};             // required by the encoder API; unused for stills
  context->flags |= AV_CODEC_FLAG_QSCALE;
  context->global_quality = FF_QP2LAMBDA * std::clamp(quality, 2, 31);
  frame->quality = context->global_quality;
  frame->pts = 0;
  if (int err = avcodec_open2(context.get(), codec, nullptr); err < 0) {
    return base::make_error(av_error_message("JPEG encoder: cannot open", err));
  }
  if (int err = avcodec_send_frame(context.get(), frame.get()); err < 0) {
    return base::make_error(av_error_message("JPEG encoder refused the picture", err));
  }
  if (int err = avcodec_send_frame(context.get(), nullptr); err < 0) {
    return base::make_error(av_error_message("JPEG encoder: cannot flush", err));
  }
  if (int err = avcodec_receive_packet(context.get(), packet.get()); err < 0) {
    return base::make_error(av_error_message("JPEG encoder gave no image", err));
  }
  return base::Buffer::copy_of(
      std::span<const uint8_t>(packet->data, static_cast<size_t>(packet->size)));
}

}  // namespace vela::transcode
