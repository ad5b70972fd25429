#include "format/mpegts/muxer_es.hpp"

#include <array>

#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"

namespace vela::format::mpegts {
namespace {

namespace codec = media::codec;

constexpr std::array<uint8_t, 4> kStartCode = {0, 0, 0, 1};
// nal_unit_type 9 with primary_pic_type 7 (any slice type) and the stop bit.
constexpr std::array<uint8_t, 2> kAccessUnitDelimiter = {0x09, 0xF0};
// ISO/IEC 14496-3 table 1.18, sampling_frequency_index 0..12.
constexpr std::array<uint32_t, 13> kAdtsSampleRates = {
    96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350};
constexpr size_t kMaxAdtsFrameLength = (size_t{1} << 13) - 1;

void append_nal(std::span<const uint8_t> nal, std::vector<uint8_t>& out) {
  out.insert(out.end(), kStartCode.begin(), kStartCode.end());
  out.insert(out.end(), nal.begin(), nal.end());
}

}  // namespace

base::Result<AnnexBParameters> annex_b_parameters(std::span<const uint8_t> avcc) {
  auto config = codec::parse_avc_config(avcc);
  if (!config) return config.error();
  return AnnexBParameters{config->nal_length_size, std::move(config->sps), std::move(config->pps)};
}

base::Status append_annex_b(std::span<const uint8_t> avcc_frame, const AnnexBParameters& params,
                            std::vector<uint8_t>& out) {
  bool idr = false;
  bool has_sps = false;
  codec::AvccNalIterator scan(avcc_frame, params.nal_length_size);
  while (auto nal = scan.next()) {
    uint8_t type = codec::nal_type((*nal)[0]);
    idr = idr || type == codec::kNalIdr;
    has_sps = has_sps || type == codec::kNalSps;
  }
  if (scan.failed()) return base::make_error("H.264 frame: broken NAL unit length");

  append_nal(kAccessUnitDelimiter, out);
  if (idr && !has_sps) {
    for (const auto& sps : params.sps) append_nal(sps.span(), out);
    for (const auto& pps : params.pps) append_nal(pps.span(), out);
  }
  codec::AvccNalIterator nals(avcc_frame, params.nal_length_size);
  while (auto nal = nals.next()) {
    if (codec::nal_type((*nal)[0]) != codec::kNalAud) append_nal(*nal, out);
  }
  return {};
}

base::Result<AdtsHeader> adts_header_for(std::span<const uint8_t> audio_specific_config) {
  auto config = codec::parse_audio_specific_config(audio_specific_config);
  if (!config) return config.error();
  if (config->core_object_type < 1 || config->core_object_type > 4) {
    return base::make_error("ADTS cannot carry AAC object type " +
                            std::to_string(config->core_object_type));
  }
  AdtsHeader header;
  header.object_type = config->core_object_type;
  header.channel_config = config->channel_config;
  for (size_t i = 0; i < kAdtsSampleRates.size(); ++i) {
    if (kAdtsSampleRates[i] == config->sample_rate) {
      header.sampling_index = static_cast<uint8_t>(i);
      return header;
    }
  }
  return base::make_error("ADTS cannot carry sample rate " + std::to_string(config->sample_rate));
}

base::Status append_adts(const AdtsHeader& header, std::span<const uint8_t> raw_frame,
                         std::vector<uint8_t>& out) {
  size_t length = kAdtsHeaderSize + raw_frame.size();
  if (length > kMaxAdtsFrameLength) return base::make_error("AAC frame too long for ADTS");
  const uint8_t profile = header.object_type - 1;
  const size_t fullness = 0x7FF;  // variable bit rate
  const std::array<uint8_t, kAdtsHeaderSize> bytes = {
      0xFF,
      0xF1,  // syncword, MPEG-4, layer 0, protection_absent
      static_cast<uint8_t>(profile << 6 | header.sampling_index << 2 | header.channel_config >> 2),
      static_cast<uint8_t>((header.channel_config & 3) << 6 | length >> 11),
      static_cast<uint8_t>(length >> 3),
      static_cast<uint8_t>((length & 7) << 5 | fullness >> 6),
      static_cast<uint8_t>((fullness & 0x3F) << 2),  // one raw data block
  };
  out.insert(out.end(), bytes.begin(), bytes.end());
  out.insert(out.end(), raw_frame.begin(), raw_frame.end());
  return {};
}

}  // namespace vela::format::mpegts
