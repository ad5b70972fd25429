#include "media/codec/aac.hpp"

#include <array>

#include "media/codec/bit_reader.hpp"

namespace vela::media::codec {
namespace {

using base::make_error;

constexpr std::array<uint32_t, 13> kSampleRates = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                                   22050, 16000, 12000, 11025, 8000,  7350};
constexpr uint32_t kExplicitRateIndex = 15;  // a 24-bit frequency follows
constexpr uint32_t kMaxSampleRate = 192000;

uint8_t read_object_type(BitReader& bits) {
  uint32_t type = bits.bits(5);
  if (type == 31) type = 32 + bits.bits(6);  // escape
  return static_cast<uint8_t>(type);
}

// samplingFrequencyIndex, or the explicit frequency after index 15; 0 when invalid.
uint32_t read_sample_rate(BitReader& bits) {
  uint32_t index = bits.bits(4);
  if (index == kExplicitRateIndex) {
    uint32_t rate = bits.bits(24);
    return rate <= kMaxSampleRate ? rate : 0;
  }
  return index < kSampleRates.size() ? kSampleRates[index] : 0;
}

// Output channels for channelConfiguration 1..14 (ISO/IEC 23001-8 ChannelConfiguration).
uint32_t channels_for(uint8_t config) {
  switch (config) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
      return config;
    case 7:
    case 12:
    case 14:
      return 8;
    case 11:
      return 7;
    case 13:
      return 24;
    default:
      return 0;
  }
}

}  // namespace

base::Result<AacConfig> parse_audio_specific_config(std::span<const uint8_t> asc) {
  BitReader bits(asc);
  AacConfig config;
  config.object_type = read_object_type(bits);
  config.core_object_type = config.object_type;
  config.sample_rate = read_sample_rate(bits);
  config.channel_config = static_cast<uint8_t>(bits.bits(4));
  if (!bits.ok()) return make_error("AudioSpecificConfig: truncated");
  if (config.object_type == 0) return make_error("AudioSpecificConfig: null object type");
  config.output_sample_rate = config.sample_rate;
  if (config.object_type == kAacObjectSbr || config.object_type == kAacObjectPs) {
    // Explicit hierarchical signalling: the SBR output rate, then the core object type.
    config.sbr = true;
    config.ps = config.object_type == kAacObjectPs;
    config.output_sample_rate = read_sample_rate(bits);
    config.core_object_type = read_object_type(bits);
    if (!bits.ok()) return make_error("AudioSpecificConfig: truncated SBR extension");
    if (config.output_sample_rate == 0) {
      return make_error("AudioSpecificConfig: invalid extension sampling frequency");
    }
  }
  if (config.sample_rate == 0) {
    return make_error("AudioSpecificConfig: invalid sampling frequency");
  }
  if (config.channel_config == 0) {
    return make_error("AudioSpecificConfig: program config element channels unsupported");
  }
  config.channels = channels_for(config.channel_config);
  if (config.channels == 0) return make_error("AudioSpecificConfig: reserved channel config");
  if (config.ps && config.channels == 1) config.channels = 2;  // PS decodes mono to stereo
  // The GASpecificConfig and any backward-compatible sync extension (implicit SBR/PS
  // signalling) that follow do not change what a fMP4 sample entry needs.
  return config;
}

std::string aac_codec_string(const AacConfig& config) {
  return "mp4a.40." + std::to_string(config.object_type);
}

base::Result<TrackInfo> make_aac_track(uint32_t track_id, base::Buffer asc) {
  auto config = parse_audio_specific_config(asc.span());
  if (!config) return config.error();
  TrackInfo track;
  track.id = track_id;
  track.kind = MediaKind::audio;
  track.codec = Codec::aac;
  track.timescale = config->sample_rate;
  track.codec_string = aac_codec_string(*config);
  track.codec_config = std::move(asc);
  track.sample_rate = config->sample_rate;
  track.channels = config->channels;
  return track;
}

}  // namespace vela::media::codec
