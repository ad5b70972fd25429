#pragma once
// H.264 as MPEG-TS carries it (ITU-T H.264 Annex B byte stream): NAL units behind start
// codes. Splitting, conversion to AVCC (4-byte length prefixes) and building the avcC
// record from in-band parameter sets. Pure; never throws.
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"

namespace vela::format::mpegts {

// The NAL units of an Annex B access unit (views into `bytes`), without start codes or
// trailing zero bytes; bytes before the first start code are ignored.
std::vector<std::span<const uint8_t>> split_annex_b(std::span<const uint8_t> bytes);

// An AVCDecoderConfigurationRecord (ISO/IEC 14496-15, 5.3.3.1) with 4-byte NAL lengths,
// profile and level from the first SPS. An error without an SPS and a PPS, or with more
// (or larger) parameter sets than the record can hold.
base::Result<std::vector<uint8_t>> build_avcc(const std::vector<std::vector<uint8_t>>& sps,
                                              const std::vector<std::vector<uint8_t>>& pps);

}  // namespace vela::format::mpegts
