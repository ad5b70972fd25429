#include "transcode/thumbnail.hpp"

#include "transcode/h264_decoder.hpp"
#include "transcode/jpeg_encoder.hpp"
#include "transcode/scaler.hpp"

namespace vela::transcode {

base::Result<Thumbnail> make_thumbnail(const media::TrackInfo& track,
                                       const media::MediaFrame& keyframe, uint32_t max_width) {
  if (track.kind != media::MediaKind::video || track.codec != media::Codec::h264) {
    return base::make_error("thumbnail: the track is not H.264 video");
  }
  auto decoder = H264KeyframeDecoder::open(track.codec_config.span());
  if (!decoder) return decoder.error();
  auto picture = decoder->decode(keyframe.payload.span());
  if (!picture) return picture.error();
  PictureSize size = plan_thumbnail_size(static_cast<uint32_t>((*picture)->width),
                                         static_cast<uint32_t>((*picture)->height), max_width);
  Scaler scaler;
  auto scaled = scaler.scale(**picture, size);
  if (!scaled) return scaled.error();
  auto jpeg = encode_jpeg(**scaled);
  if (!jpeg) return jpeg.error();
  return Thumbnail{std::move(*jpeg), size.width, size.height, keyframe.wall_clock_us};
}

}  // namespace vela::transcode
