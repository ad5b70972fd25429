#pragma once
// MPEG-TS elementary stream types (ISO/IEC 13818-1 table 2-34 and common registrations)
// mapped to the codecs Vela knows by name.
#include <cstdint>
#include <optional>
#include <string_view>

namespace vela::format::mpegts {

enum class StreamCodec {
  h264,
  hevc,
  mpeg2_video,
  aac_adts,
  aac_latm,
  mpeg_audio,
  ac3,
  opus,
  scte35,
  other
};

constexpr uint8_t kStreamTypeMpeg1Video = 0x01;
constexpr uint8_t kStreamTypeMpeg2Video = 0x02;
constexpr uint8_t kStreamTypeMpeg1Audio = 0x03;
constexpr uint8_t kStreamTypeMpeg2Audio = 0x04;
constexpr uint8_t kStreamTypePrivateData = 0x06;  // PES private data (Opus, AC-3 in DVB, ...)
constexpr uint8_t kStreamTypeAacAdts = 0x0F;
constexpr uint8_t kStreamTypeAacLatm = 0x11;
constexpr uint8_t kStreamTypeH264 = 0x1B;
constexpr uint8_t kStreamTypeHevc = 0x24;
constexpr uint8_t kStreamTypeAc3 = 0x81;
constexpr uint8_t kStreamTypeScte35 = 0x86;

// format_identifier of a registration descriptor, as a big-endian 32-bit value.
constexpr uint32_t fourcc(char a, char b, char c, char d) {
  return (uint32_t(uint8_t(a)) << 24) | (uint32_t(uint8_t(b)) << 16) | (uint32_t(uint8_t(c)) << 8) |
         uint32_t(uint8_t(d));
}

// The codec of an elementary stream from its stream_type and, for private data, the
// registration descriptor's format_identifier (when the PMT has one).
constexpr StreamCodec classify_stream(uint8_t stream_type, std::optional<uint32_t> registration) {
  switch (stream_type) {
    case kStreamTypeH264:
      return StreamCodec::h264;
    case kStreamTypeHevc:
      return StreamCodec::hevc;
    case kStreamTypeMpeg1Video:
    case kStreamTypeMpeg2Video:
      return StreamCodec::mpeg2_video;
    case kStreamTypeAacAdts:
      return StreamCodec::aac_adts;
    case kStreamTypeAacLatm:
      return StreamCodec::aac_latm;
    case kStreamTypeMpeg1Audio:
    case kStreamTypeMpeg2Audio:
      return StreamCodec::mpeg_audio;
    case kStreamTypeAc3:
      return StreamCodec::ac3;
    case kStreamTypeScte35:
      return StreamCodec::scte35;
    case kStreamTypePrivateData:
      if (registration == fourcc('O', 'p', 'u', 's')) return StreamCodec::opus;
      if (registration == fourcc('A', 'C', '-', '3')) return StreamCodec::ac3;
      if (registration == fourcc('H', 'E', 'V', 'C')) return StreamCodec::hevc;
      return StreamCodec::other;
    default:
      return StreamCodec::other;
  }
}

constexpr bool is_video(StreamCodec c) {
  return c == StreamCodec::h264 || c == StreamCodec::hevc || c == StreamCodec::mpeg2_video;
}
constexpr bool is_audio(StreamCodec c) {
  return c == StreamCodec::aac_adts || c == StreamCodec::aac_latm || c == StreamCodec::mpeg_audio ||
         c == StreamCodec::ac3 || c == StreamCodec::opus;
}

constexpr std::string_view codec_name(StreamCodec c) {
  switch (c) {
    case StreamCodec::h264:
      return "H.264";
    case StreamCodec::hevc:
      return "HEVC";
    case StreamCodec::mpeg2_video:
      return "MPEG-2 video";
    case StreamCodec::aac_adts:
      return "AAC (ADTS)";
    case StreamCodec::aac_latm:
      return "AAC (LATM)";
    case StreamCodec::mpeg_audio:
      return "MPEG audio";
    case StreamCodec::ac3:
      return "AC-3";
    case StreamCodec::opus:
      return "Opus";
    case StreamCodec::scte35:
      return "SCTE-35";
    case StreamCodec::other:
      break;
  }
  return "unknown";
}

}  // namespace vela::format::mpegts
