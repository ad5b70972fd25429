// AAC AudioSpecificConfig (RTMP's AAC sequence header is untrusted). Must never crash; what
// parses must describe a playable track.
#include <cstdint>
#include <span>

#include "media/codec/aac.hpp"

using namespace vela::media::codec;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  auto config = parse_audio_specific_config(input);
  if (!config) return 0;
  if (config->sample_rate == 0 || config->sample_rate > 192000) __builtin_trap();
  if (config->output_sample_rate == 0 || config->channels == 0) __builtin_trap();
  if (config->sbr !=
      (config->object_type == kAacObjectSbr || config->object_type == kAacObjectPs)) {
    __builtin_trap();
  }
  if (aac_codec_string(*config).rfind("mp4a.40.", 0) != 0) __builtin_trap();
  auto track = make_aac_track(1, vela::base::Buffer::copy_of(input));
  if (!track || track->timescale != config->sample_rate) __builtin_trap();
  return 0;
}
