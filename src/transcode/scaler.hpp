#pragma once
// Picture scaling: the thumbnail size plan (pure) and a Scaler that resizes decoded pictures
// to 4:2:0 full-range ("JPEG") YUV, the input JpegEncoder takes.
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

class Scaler {
 public:
  // A new picture of size `to` in AV_PIX_FMT_YUV420P with full (JPEG) range, converted from
  // `source`'s format and range. The conversion context is kept while the source format and
  // both sizes stay the same.
  base::Result<AvFramePtr> scale(const AVFrame& source, PictureSize to);

 private:
  SwsContextPtr context_;
};

}  // namespace vela::transcode
