#pragma once
// Owning handles for FFmpeg objects: each frees its object with the matching FFmpeg call
// when it goes out of scope. A handle is used by one thread at a time.
#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

namespace vela::transcode {

struct CodecContextDeleter {
  void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct FrameDeleter {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketDeleter {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct SwsContextDeleter {
  void operator()(SwsContext* context) const { sws_freeContext(context); }
};

using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using AvFramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using AvPacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsContextPtr = std::unique_ptr<SwsContext, SwsContextDeleter>;

// "what: FFmpeg's text for the error code", for base::Error messages.
std::string av_error_message(const std::string& what, int error_code);

// FFmpeg logs to stderr by itself (one options line per encoder at info level, decoder
// complaints about damaged input). Once at start: keep only its warnings and errors.
// Process-wide in FFmpeg; call before any codec opens.
void keep_ffmpeg_logs_to_warnings();

}  // namespace vela::transcode
