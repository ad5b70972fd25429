#include "transcode/scaler.hpp"

#include <algorithm>

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace vela::transcode {

namespace {

uint32_t even_at_least_2(uint64_t v) {
  return static_cast<uint32_t>(std::max<uint64_t>(2, v & ~uint64_t{1}));
}

bool full_range(const AVFrame& frame) {
  switch (frame.format) {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ444P:
      return true;
    default:
      return frame.color_range == AVCOL_RANGE_JPEG;
  }
}

}  // namespace

PictureSize plan_thumbnail_size(uint32_t source_width, uint32_t source_height, uint32_t max_width) {
  if (source_width == 0 || source_height == 0 || max_width == 0) return {};
  uint64_t width = std::min(source_width, max_width);
  // Rounded to nearest: height = source_height * width / source_width.
  uint64_t height =
      (uint64_t{source_height} * width * 2 + source_width) / (uint64_t{source_width} * 2);
  return {even_at_least_2(width), even_at_least_2(height)};
}

base::Result<AvFramePtr> Scaler::scale(const AVFrame& source, PictureSize to) {
  if (source.width <= 0 || source.height <= 0 || to.width == 0 || to.height == 0) {
    return base::make_error("scaler: empty picture");
  }
  auto format = static_cast<AVPixelFormat>(source.format);
  if (!av_pix_fmt_desc_get(format))
    return base::make_error("scaler: the picture has no pixel format");
  int width = static_cast<int>(to.width);
  int height = static_cast<int>(to.height);
  // Frees the old context when the parameters changed; on failure it is freed as well.
  context_.reset(sws_getCachedContext(context_.release(), source.width, source.height, format,
                                      width, height, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr,
                                      nullptr, nullptr));
  if (!context_) {
    return base::make_error(std::string("scaler: cannot convert from ") +
                            av_get_pix_fmt_name(format) + " at " + std::to_string(source.width) +
                            "x" + std::to_string(source.height));
  }
  // Keep the colour matrices; set the ranges: from the source's, to the Scaler's.
  int *inverse_table = nullptr, *table = nullptr;
  int source_range = 0, target_range = 0, brightness = 0, contrast = 0, saturation = 0;
  sws_getColorspaceDetails(context_.get(), &inverse_table, &source_range, &table, &target_range,
                           &brightness, &contrast, &saturation);
  bool full_target = range_ == YuvRange::full;
  sws_setColorspaceDetails(context_.get(), inverse_table, full_range(source) ? 1 : 0, table,
                           full_target ? 1 : 0, brightness, contrast, saturation);

  AvFramePtr target(av_frame_alloc());
  if (!target) return base::make_error("scaler: out of memory");
  target->width = width;
  target->height = height;
  target->format = AV_PIX_FMT_YUV420P;
  target->color_range = full_target ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
  if (int err = av_frame_get_buffer(target.get(), 0); err < 0) {
    return base::make_error(av_error_message("scaler: cannot allocate the picture", err));
  }
  int rows = sws_scale(context_.get(), source.data, source.linesize, 0, source.height, target->data,
                       target->linesize);
  if (rows < 0) return base::make_error(av_error_message("scaler: conversion failed", rows));
  return target;
}

}  // namespace vela::transcode
