#include "format/flv.hpp"

#include <string>

#include "base/byte_reader.hpp"

namespace vela::format {

namespace {

// E-RTMP packet types (video and audio share the numbering of the ones we map).
constexpr uint8_t kExSequenceStart = 0;
constexpr uint8_t kExCodedFrames = 1;
constexpr uint8_t kExSequenceEnd = 2;
constexpr uint8_t kExCodedFramesX = 3;  // video only: coded frames without a CTS
constexpr uint8_t kExVideoMultitrack = 6;
constexpr uint8_t kExAudioMultitrack = 5;
constexpr uint8_t kExModEx = 7;

int32_t sign_extend_24(uint32_t v) {
  return static_cast<int32_t>(v << 8) >> 8;
}

FlvVideoCodec video_codec_of_fourcc(uint32_t fourcc) {
  if (fourcc == make_fourcc('a', 'v', 'c', '1')) return FlvVideoCodec::avc;
  if (fourcc == make_fourcc('h', 'v', 'c', '1')) return FlvVideoCodec::hevc;
  if (fourcc == make_fourcc('a', 'v', '0', '1')) return FlvVideoCodec::av1;
  if (fourcc == make_fourcc('v', 'p', '0', '9')) return FlvVideoCodec::vp9;
  return FlvVideoCodec::other;
}

FlvAudioCodec audio_codec_of_fourcc(uint32_t fourcc) {
  if (fourcc == make_fourcc('m', 'p', '4', 'a')) return FlvAudioCodec::aac;
  if (fourcc == make_fourcc('.', 'm', 'p', '3')) return FlvAudioCodec::mp3;
  if (fourcc == make_fourcc('O', 'p', 'u', 's')) return FlvAudioCodec::opus;
  return FlvAudioCodec::other;
}

base::Error truncated(const char* what) {
  return base::make_error(std::string("FLV: truncated ") + what);
}

template <class Tag>
Tag& finish(Tag& tag, base::ByteReader& r) {
  tag.payload_offset = r.position();
  tag.payload = r.rest();
  return tag;
}

// ExVideoTagHeader: [1 IsExHeader | 3 frame type | 4 packet type] FourCC ...
base::Result<FlvVideoTag> parse_enhanced_video(FlvVideoTag tag, uint8_t packet_type,
                                               base::ByteReader& r) {
  tag.enhanced = true;
  // Command frames, multitrack and ModEx carry no single FourCC at this position.
  if (tag.frame_type == FlvFrameType::command || packet_type == kExVideoMultitrack ||
      packet_type == kExModEx) {
    return finish(tag, r);
  }
  tag.fourcc = r.u32be();
  if (!r.ok()) return truncated("enhanced video FourCC");
  tag.codec = video_codec_of_fourcc(tag.fourcc);
  switch (packet_type) {
    case kExSequenceStart:
      tag.packet_type = FlvPacketType::sequence_header;
      break;
    case kExCodedFrames:
      tag.packet_type = FlvPacketType::coded_frames;
      // Only the H.264/H.265 forms carry a composition time here.
      if (tag.codec == FlvVideoCodec::avc || tag.codec == FlvVideoCodec::hevc) {
        tag.composition_time = sign_extend_24(r.u24be());
        if (!r.ok()) return truncated("enhanced video composition time");
      }
      break;
    case kExCodedFramesX:
      tag.packet_type = FlvPacketType::coded_frames;
      break;
    case kExSequenceEnd:
      tag.packet_type = FlvPacketType::end_of_sequence;
      break;
    default:
      break;  // metadata, MPEG-2 TS sequence start, reserved: other
  }
  return finish(tag, r);
}

}  // namespace

base::Result<FlvVideoTag> parse_flv_video(std::span<const uint8_t> body) {
  base::ByteReader r(body);
  uint8_t first = r.u8();
  if (!r.ok()) return truncated("video tag header (empty body)");
  FlvVideoTag tag;
  bool enhanced = (first & 0x80) != 0;
  uint8_t frame_type = enhanced ? (first >> 4) & 0x07 : first >> 4;
  if (frame_type < 1 || frame_type > 5) {
    return base::make_error("FLV: unknown video frame type " + std::to_string(frame_type));
  }
  tag.frame_type = static_cast<FlvFrameType>(frame_type);
  if (enhanced) return parse_enhanced_video(tag, first & 0x0F, r);

  tag.codec_id = first & 0x0F;
  if (tag.codec_id == kFlvCodecIdAvc) tag.codec = FlvVideoCodec::avc;
  if (tag.codec_id == kFlvCodecIdHevcLegacy) tag.codec = FlvVideoCodec::hevc;
  // A command frame's body is a one-byte command, not an AVC packet.
  if (tag.codec == FlvVideoCodec::other || tag.frame_type == FlvFrameType::command) {
    return finish(tag, r);
  }
  uint8_t packet_type = r.u8();
  uint32_t cts = r.u24be();
  if (!r.ok()) return truncated("AVC video packet header");
  if (packet_type > 2) {
    return base::make_error("FLV: unknown AVC packet type " + std::to_string(packet_type));
  }
  tag.packet_type = packet_type == 0   ? FlvPacketType::sequence_header
                    : packet_type == 1 ? FlvPacketType::coded_frames
                                       : FlvPacketType::end_of_sequence;
  tag.composition_time = sign_extend_24(cts);
  return finish(tag, r);
}

base::Result<FlvAudioTag> parse_flv_audio(std::span<const uint8_t> body) {
  base::ByteReader r(body);
  uint8_t first = r.u8();
  if (!r.ok()) return truncated("audio tag header (empty body)");
  FlvAudioTag tag;
  tag.sound_format = first >> 4;
  if (tag.sound_format == kFlvSoundFormatExHeader) {
    // ExAudioTagHeader: [4 sound format = 9 | 4 packet type] FourCC ...
    uint8_t packet_type = first & 0x0F;
    if (packet_type == kExAudioMultitrack || packet_type == kExModEx) return finish(tag, r);
    tag.fourcc = r.u32be();
    if (!r.ok()) return truncated("enhanced audio FourCC");
    tag.codec = audio_codec_of_fourcc(tag.fourcc);
    if (packet_type == kExSequenceStart) tag.packet_type = FlvPacketType::sequence_header;
    if (packet_type == kExCodedFrames) tag.packet_type = FlvPacketType::coded_frames;
    if (packet_type == kExSequenceEnd) tag.packet_type = FlvPacketType::end_of_sequence;
    return finish(tag, r);
  }
  tag.sound_rate = (first >> 2) & 0x03;
  tag.sample_16bit = (first & 0x02) != 0;
  tag.stereo = (first & 0x01) != 0;
  if (tag.sound_format == kFlvSoundFormatMp3) {
    tag.codec = FlvAudioCodec::mp3;
    tag.packet_type = FlvPacketType::coded_frames;
  }
  if (tag.sound_format != kFlvSoundFormatAac) return finish(tag, r);

  tag.codec = FlvAudioCodec::aac;
  uint8_t packet_type = r.u8();
  if (!r.ok()) return truncated("AAC packet type");
  if (packet_type > 1) {
    return base::make_error("FLV: unknown AAC packet type " + std::to_string(packet_type));
  }
  tag.packet_type = packet_type == 0 ? FlvPacketType::sequence_header : FlvPacketType::coded_frames;
  return finish(tag, r);
}

}  // namespace vela::format
