#pragma once
// Picture scaling: the thumbnail size plan (pure) and a Scaler that resizes decoded pictures
// to 4:2:0 YUV: full range ("JPEG") for JpegEncoder, limited range for the H.264 encoder.
//
// Threading: plan_thumbnail_size() anywhere; a Scaler one thread at a time.
#include <cstdint>

#include "base/result.hpp"
#include "transcode/ffmpeg_handles.hpp"

namespace vela::transcode {

struct PictureSize {
  uint32_t width = 0;
  uint32_t height = 0;
  bool operator==(const PictureSize&) const = default;
};

// The size of a thumbnail of a source picture: at most max_width wide (never wider than the
// source: no upscaling), the source's aspect ratio kept (square pixels), both dimensions
// rounded down to even numbers (4:2:0 chroma) and at least 2. Zero for an empty source.
PictureSize plan_thumbnail_size(uint32_t source_width, uint32_t source_height, uint32_t max_width);

// The YUV range a Scaler produces: full for JPEG (thumbnails), limited for video encoders.
enum class YuvRange { full, limited };

class Scaler {
 public:
  explicit Scaler(YuvRange range = YuvRange::full) : range_(range) {}

  // A new picture of size `to` in AV_PIX_FMT_YUV420P with the Scaler's range, converted from
  // `source`'s format and range. The conversion context is kept while the source format and
  // both sizes stay the same.
  base::Result<AvFramePtr> scale(const AVFrame& source, PictureSize to);

 private:
  YuvRange range_;
  SwsContextPtr context_;
};

}  // namespace vela::transcode
