#include "transcode/h264_decoder.hpp"

#include <cstring>

#include "media/codec/h264.hpp"

namespace vela::transcode {

base::Result<H264KeyframeDecoder> H264KeyframeDecoder::open(std::span<const uint8_t> avcc) {
  // FFmpeg accepts a broken avcC with only a log line; refuse it here, with the reason.
  if (auto config = media::codec::parse_avc_config(avcc); !config) {
    return base::make_error("H.264 decoder: bad avcC record: " + config.error().message);
  }
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
  if (!codec) return base::make_error("H.264 decoder: FFmpeg was built without one");
  CodecContextPtr context(avcodec_alloc_context3(codec));
  if (!context) return base::make_error("H.264 decoder: out of memory");
  // FFmpeg reads extradata with padding after the end; it frees it with the context.
  auto* extradata = static_cast<uint8_t*>(av_mallocz(avcc.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  if (!extradata) return base::make_error("H.264 decoder: out of memory");
  std::memcpy(extradata, avcc.data(), avcc.size());
  context->extradata = extradata;
  context->extradata_size = static_cast<int>(avcc.size());
  // One picture per call: frame threading would only add delay and threads.
  context->thread_count = 1;
  if (int err = avcodec_open2(context.get(), codec, nullptr); err < 0) {
    return base::make_error(av_error_message("H.264 decoder: cannot open with this avcC", err));
  }
  return H264KeyframeDecoder(std::move(context));
}

base::Result<AvFramePtr> H264KeyframeDecoder::decode(std::span<const uint8_t> access_unit) {
  if (access_unit.empty()) return base::make_error("H.264 decoder: empty access unit");
  AvPacketPtr packet(av_packet_alloc());
  AvFramePtr picture(av_frame_alloc());
  if (!packet || !picture ||
      av_new_packet(packet.get(), static_cast<int>(access_unit.size())) < 0) {
    return base::make_error("H.264 decoder: out of memory");
  }
  std::memcpy(packet->data, access_unit.data(), access_unit.size());
  packet->flags |= AV_PKT_FLAG_KEY;

  int sent = avcodec_send_packet(context_.get(), packet.get());
  // Drain: without more input the decoder returns the picture now, not after later frames.
  if (sent >= 0) sent = avcodec_send_packet(context_.get(), nullptr);
  int received = sent >= 0 ? avcodec_receive_frame(context_.get(), picture.get()) : sent;
  // Back to a clean state for the next keyframe (also ends draining mode).
  avcodec_flush_buffers(context_.get());

  if (sent < 0)
    return base::make_error(av_error_message("H.264 decoder refused the keyframe", sent));
  if (received == AVERROR_EOF)
    return base::make_error("H.264 decoder: the keyframe gave no picture");
  if (received < 0)
    return base::make_error(av_error_message("H.264 decoder failed on the keyframe", received));
  if ((picture->flags & AV_FRAME_FLAG_CORRUPT) || picture->decode_error_flags) {
    return base::make_error(
        "H.264 decoder: the keyframe decoded with errors (corrupt or not an IDR)");
  }
  return picture;
}

}  // namespace vela::transcode
