#pragma once
// AAC helpers: the AudioSpecificConfig (ISO/IEC 14496-3, 1.6.2.1) as RTMP's AAC sequence
// header and MP4's esds carry it, and RFC 6381 codec strings. Malformed or truncated input
// is an error value, never an exception.
#include <cstdint>
#include <span>
#include <string>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "media/track_info.hpp"

namespace vela::media::codec {

// Audio object types we name.
constexpr uint8_t kAacObjectLc = 2;
constexpr uint8_t kAacObjectSbr = 5;  // HE-AAC (explicit hierarchical signalling)
constexpr uint8_t kAacObjectPs = 29;  // HE-AAC v2

// PCM samples per channel in one AAC-LC access unit; the duration of a frame in a track
// whose timescale is the core sample rate.
constexpr uint32_t kAacSamplesPerFrame = 1024;

struct AacConfig {
  uint8_t object_type = 0;          // first audio object type (5 or 29 when SBR/PS is explicit)
  uint8_t core_object_type = 0;     // the underlying codec (2 for HE-AAC over AAC-LC)
  uint32_t sample_rate = 0;         // core sampling frequency in Hz
  uint32_t output_sample_rate = 0;  // after SBR; equals sample_rate without SBR
  uint8_t channel_config = 0;
  uint32_t channels = 0;  // output channels (2 for parametric stereo over mono)
  bool sbr = false;       // SBR explicitly signalled (object type 5/29)
  bool ps = false;        // parametric stereo explicitly signalled (object type 29)
};

// Parses an AudioSpecificConfig. Channel configuration 0 (a program config element) is
// rejected: its channel layout is not needed by any source we ingest.
base::Result<AacConfig> parse_audio_specific_config(std::span<const uint8_t> asc);

// "mp4a.40.<object type>" (RFC 6381), using the first (signalled) object type.
std::string aac_codec_string(const AacConfig& config);

// A TrackInfo for an AAC track described by `asc` (kept by reference as codec_config); the
// timescale is the core sample rate, so each frame lasts kAacSamplesPerFrame ticks.
base::Result<TrackInfo> make_aac_track(uint32_t track_id, base::Buffer asc);

}  // namespace vela::media::codec
