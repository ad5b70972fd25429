#pragma once
// FLV tag bodies as RTMP carries them in video (type 9) and audio (type 8) messages:
// the legacy AVC/AAC headers plus enough of enhanced RTMP (E-RTMP FourCC headers) to
// name the codec, so ingest can reject what it does not support with a clear reason.
// Parsing never copies: the payload is a view into the body, and payload_offset lets the
// caller slice the owning base::Buffer. Pure; any thread.
#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.hpp"

namespace vela::format {

constexpr uint32_t make_fourcc(char a, char b, char c, char d) {
  return (uint32_t{static_cast<uint8_t>(a)} << 24) | (uint32_t{static_cast<uint8_t>(b)} << 16) |
         (uint32_t{static_cast<uint8_t>(c)} << 8) | uint32_t{static_cast<uint8_t>(d)};
}

enum class FlvFrameType : uint8_t {
  keyframe = 1,
  inter = 2,
  disposable_inter = 3,
  generated_keyframe = 4,
  command = 5,  // video info / command frame, carries no picture
};

enum class FlvVideoCodec : uint8_t { avc, hevc, av1, vp9, other };
enum class FlvAudioCodec : uint8_t { aac, mp3, opus, other };

// What a tag's payload holds, the same for legacy and enhanced headers. For AVC/HEVC a
// sequence header is the decoder configuration record and coded frames are
// length-prefixed NAL units; for AAC they are the AudioSpecificConfig and one raw frame.
enum class FlvPacketType : uint8_t { sequence_header, coded_frames, end_of_sequence, other };

// Legacy codec ids and sound formats (FLV spec, E.4.3.1 and E.4.2.1).
constexpr uint8_t kFlvCodecIdAvc = 7;
constexpr uint8_t kFlvCodecIdHevcLegacy = 12;  // non-standard but widely deployed
constexpr uint8_t kFlvSoundFormatMp3 = 2;
constexpr uint8_t kFlvSoundFormatExHeader = 9;  // enhanced audio: a FourCC follows
constexpr uint8_t kFlvSoundFormatAac = 10;

struct FlvVideoTag {
  FlvFrameType frame_type = FlvFrameType::inter;
  FlvVideoCodec codec = FlvVideoCodec::other;
  bool enhanced = false;  // E-RTMP header (ExVideoTagHeader)
  uint8_t codec_id = 0;   // legacy 4-bit codec id; 0 when enhanced
  uint32_t fourcc = 0;    // E-RTMP FourCC ('avc1', 'hvc1', 'av01', 'vp09'); 0 when legacy
  FlvPacketType packet_type = FlvPacketType::other;
  int32_t composition_time = 0;  // ms: pts = dts + composition_time (signed 24-bit)
  size_t payload_offset = 0;     // where payload starts within the body
  std::span<const uint8_t> payload;

  bool keyframe() const {
    return frame_type == FlvFrameType::keyframe || frame_type == FlvFrameType::generated_keyframe;
  }
};

struct FlvAudioTag {
  FlvAudioCodec codec = FlvAudioCodec::other;
  uint8_t sound_format = 0;  // legacy 4-bit format (10 = AAC, 9 = enhanced header)
  uint8_t sound_rate = 0;    // 0..3 = 5.5/11/22/44 kHz; AAC signals its own rate
  bool sample_16bit = false;
  bool stereo = false;
  uint32_t fourcc = 0;  // enhanced audio FourCC ('mp4a', 'Opus', ...); 0 when legacy
  FlvPacketType packet_type = FlvPacketType::other;
  size_t payload_offset = 0;
  std::span<const uint8_t> payload;
};

// Parses the body of an RTMP video message / FLV video tag. Errors on empty or truncated
// headers and on an unknown frame type or AVC packet type; an unknown codec is not an
// error (codec == other, payload is the rest of the body).
base::Result<FlvVideoTag> parse_flv_video(std::span<const uint8_t> body);

// Parses the body of an RTMP audio message / FLV audio tag. Errors on empty or truncated
// headers and on an unknown AAC packet type.
base::Result<FlvAudioTag> parse_flv_audio(std::span<const uint8_t> body);

}  // namespace vela::format
