#include "format/flv_build.hpp"

#include <string>

#include "base/byte_writer.hpp"
#include "base/time.hpp"
#include "format/flv.hpp"

namespace vela::format {

namespace {

constexpr uint8_t kAvcPacketSequenceHeader = 0;
constexpr uint8_t kAvcPacketNalu = 1;
constexpr uint8_t kAacPacketSequenceHeader = 0;
constexpr uint8_t kAacPacketRaw = 1;
// AAC, "44 kHz", 16-bit, stereo: the FLV spec fixes these flags for AAC, which signals
// its real rate and channels in the AudioSpecificConfig.
constexpr uint8_t kAacHeaderByte = (kFlvSoundFormatAac << 4) | 0x0F;
constexpr int32_t kMaxCompositionTime = (1 << 23) - 1;
constexpr int32_t kMinCompositionTime = -(1 << 23);

uint8_t avc_header_byte(bool keyframe) {
  auto frame_type = keyframe ? FlvFrameType::keyframe : FlvFrameType::inter;
  return static_cast<uint8_t>((static_cast<uint8_t>(frame_type) << 4) | kFlvCodecIdAvc);
}

base::Error unsupported(const media::TrackInfo& track) {
  return base::make_error("FLV: track " + std::to_string(track.id) + " (" + track.codec_string +
                          ") has no legacy FLV form");
}

}  // namespace

int64_t to_rtmp_ms(int64_t ticks, int64_t timescale) {
  return base::rescale(ticks, timescale, 1000);
}

base::Status build_flv_sequence_header(const media::TrackInfo& track, std::vector<uint8_t>& body) {
  if (track.codec_config.empty()) {
    return base::make_error("FLV: track " + std::to_string(track.id) +
                            " has no codec configuration");
  }
  base::ByteWriter w(body);
  switch (track.codec) {
    case media::Codec::h264:
      w.u8(avc_header_byte(true));
      w.u8(kAvcPacketSequenceHeader);
      w.u24be(0);
      break;
    case media::Codec::aac:
      w.u8(kAacHeaderByte);
      w.u8(kAacPacketSequenceHeader);
      break;
    default:
      return unsupported(track);
  }
  w.bytes(track.codec_config.span());
  return {};
}

base::Result<int64_t> build_flv_frame(const media::TrackInfo& track, const media::MediaFrame& frame,
                                      std::vector<uint8_t>& body) {
  int64_t dts_ms = to_rtmp_ms(frame.dts, track.timescale);
  base::ByteWriter w(body);
  switch (track.codec) {
    case media::Codec::h264: {
      int64_t cts_ms = to_rtmp_ms(frame.pts(), track.timescale) - dts_ms;
      if (cts_ms < kMinCompositionTime || cts_ms > kMaxCompositionTime) {
        return base::make_error("FLV: composition time " + std::to_string(cts_ms) +
                                " ms out of range");
      }
      w.u8(avc_header_byte(frame.keyframe));
      w.u8(kAvcPacketNalu);
      w.u24be(static_cast<uint32_t>(cts_ms) & 0xFFFFFF);
      break;
    }
    case media::Codec::aac:
      w.u8(kAacHeaderByte);
      w.u8(kAacPacketRaw);
      break;
    default:
      return unsupported(track);
  }
  w.bytes(frame.payload.span());
  return dts_ms;
}

Amf0Value build_flv_metadata(std::span<const media::TrackInfo> tracks) {
  Amf0Value metadata = Amf0Value::ecma_array();
  for (const auto& t : tracks) {
    if (t.kind == media::MediaKind::video && t.codec == media::Codec::h264) {
      metadata.set("width", Amf0Value::number(t.width));
      metadata.set("height", Amf0Value::number(t.height));
      if (t.frame_rate > 0) metadata.set("framerate", Amf0Value::number(t.frame_rate));
      metadata.set("videocodecid", Amf0Value::number(kFlvCodecIdAvc));
    } else if (t.kind == media::MediaKind::audio && t.codec == media::Codec::aac) {
      metadata.set("audiocodecid", Amf0Value::number(kFlvSoundFormatAac));
      metadata.set("audiosamplerate", Amf0Value::number(t.sample_rate));
      metadata.set("audiochannels", Amf0Value::number(t.channels));
      metadata.set("stereo", Amf0Value::boolean(t.channels == 2));
    }
  }
  return metadata;
}

}  // namespace vela::format
