// H.264 codec configuration: avcC records and SPS NAL units (RTMP's AVC sequence header is
// untrusted), plus AVCC NAL walking. Must never crash; what parses must be self-consistent.
#include <cstdint>
#include <span>

#include "media/codec/h264.hpp"

using namespace vela::media::codec;

static void check_sps(std::span<const uint8_t> nal) {
  auto sps = parse_sps(nal);
  if (!sps) return;
  // The parser bounds the picture at 512 macroblocks a side, and cropping leaves some.
  if (sps->width == 0 || sps->height == 0 || sps->width > 8192 || sps->height > 8192) {
    __builtin_trap();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  auto config = parse_avc_config(input);
  if (config) {
    if (config->sps.empty() || config->pps.empty()) __builtin_trap();
    for (const auto& sps : config->sps) check_sps(sps.span());
    auto track = make_h264_track(1, vela::base::Buffer::copy_of(input));
    if (track.ok() != parse_sps(config->sps.front().span()).ok()) __builtin_trap();
  }
  check_sps(input);

  // The same bytes as an access unit, with every NAL length size.
  for (uint8_t length_size : {1, 2, 4}) {
    AvccNalIterator nals(input, length_size);
    size_t covered = 0;
    while (auto nal = nals.next()) {
      if (nal->empty()) __builtin_trap();
      covered += length_size + nal->size();
    }
    if (covered > size || (!nals.failed() && covered != size)) __builtin_trap();
    if (contains_idr(input, length_size).ok() == nals.failed()) __builtin_trap();
  }
  return 0;
}
