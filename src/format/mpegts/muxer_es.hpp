#pragma once
// Elementary streams as the MPEG-TS muxer writes them: an H.264 access unit from AVCC
// (length-prefixed NAL units) to Annex B with an access unit delimiter and, before an IDR,
// the parameter sets of the track's avcC; an AAC access unit inside an ADTS header derived
// from the AudioSpecificConfig. The reverse of annex_b.hpp / adts.hpp. Pure; never throws.
#include <cstdint>
#include <span>
#include <vector>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "format/mpegts/adts.hpp"

namespace vela::format::mpegts {

// What an H.264 track needs for Annex B output, from its avcC.
struct AnnexBParameters {
  uint8_t nal_length_size = 4;
  std::vector<base::Buffer> sps;
  std::vector<base::Buffer> pps;
};

base::Result<AnnexBParameters> annex_b_parameters(std::span<const uint8_t> avcc);

// Appends the access unit as Annex B: AUD, then (for an IDR without in-band parameter sets)
// the avcC's SPS and PPS, then the frame's NAL units (its own AUDs left out). An error when
// the AVCC framing is broken; `out` may then hold a partial unit.
base::Status append_annex_b(std::span<const uint8_t> avcc_frame, const AnnexBParameters& params,
                            std::vector<uint8_t>& out);

// The ADTS header fields for a track's AudioSpecificConfig. ADTS can carry object types
// 1-4 only; HE-AAC (SBR/PS) is written as its AAC-LC core at the core sample rate, which
// decoders play with implicit SBR. An error for anything ADTS cannot express.
base::Result<AdtsHeader> adts_header_for(std::span<const uint8_t> audio_specific_config);

// Appends one ADTS frame (7-byte header, no CRC) around a raw AAC access unit. An error
// when the frame is longer than ADTS's 13-bit length allows.
base::Status append_adts(const AdtsHeader& header, std::span<const uint8_t> raw_frame,
                         std::vector<uint8_t>& out);

}  // namespace vela::format::mpegts
