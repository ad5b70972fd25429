#pragma once
// Encodes one picture as a baseline JPEG with FFmpeg's MJPEG encoder.
//
// Threading: any thread; each call uses its own encoder.
#include "base/buffer.hpp"
#include "base/result.hpp"
#include "transcode/ffmpeg_handles.hpp"

namespace vela::transcode {

// FFmpeg's MJPEG quantiser scale: 2 is the best quality, 31 the smallest file.
constexpr int kDefaultJpegQuality = 4;

// picture: AV_PIX_FMT_YUV420P with full (JPEG) range, as Scaler makes it. The JPEG bytes.
base::Result<base::Buffer> encode_jpeg(const AVFrame& picture, int quality = kDefaultJpegQuality);

}  // namespace vela::transcode
