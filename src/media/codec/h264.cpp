#include "media/codec/h264.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "base/byte_reader.hpp"
#include "media/codec/bit_reader.hpp"

namespace vela::media::codec {
namespace {

using base::make_error;

// Bounds from the H.264 spec (ITU-T H.264, 7.4.2.1.1) that keep later arithmetic in range.
constexpr uint32_t kMaxSpsId = 31;
constexpr uint32_t kMaxLog2Minus4 = 12;  // log2_max_frame_num / log2_max_pic_order_cnt_lsb
constexpr uint32_t kMaxPocCycle = 255;
constexpr uint32_t kMaxBitDepthMinus8 = 6;
// Largest picture we accept, in macroblocks per side (8192 px), far above level 6.2.
constexpr uint32_t kMaxMbsPerSide = 512;

// Profiles whose SPS carries chroma format, bit depth and scaling matrices (7.3.2.1.1).
bool has_chroma_info(uint8_t profile) {
  constexpr std::array<uint8_t, 13> kProfiles = {100, 110, 122, 244, 44,  83, 86,
                                                 118, 128, 138, 139, 134, 135};
  return std::find(kProfiles.begin(), kProfiles.end(), profile) != kProfiles.end();
}

// scaling_list() only has to be consumed; the values do not affect the picture size.
void skip_scaling_list(BitReader& bits, int size) {
  int64_t last_scale = 8;
  int64_t next_scale = 8;
  for (int j = 0; j < size && bits.ok(); ++j) {
    if (next_scale != 0) {
      next_scale = ((last_scale + bits.se()) % 256 + 256) % 256;
    }
    if (next_scale != 0) last_scale = next_scale;
  }
}

// Reads the VUI up to its timing info; returns the frame rate or 0.
double read_vui_frame_rate(BitReader& bits) {
  if (bits.flag()) {                         // aspect_ratio_info_present_flag
    if (bits.bits(8) == 255) bits.skip(32);  // Extended_SAR: sar_width, sar_height
  }
  if (bits.flag()) bits.skip(1);     // overscan_info_present_flag, overscan_appropriate
  if (bits.flag()) {                 // video_signal_type_present_flag
    bits.skip(4);                    // video_format, video_full_range_flag
    if (bits.flag()) bits.skip(24);  // colour primaries, transfer, matrix
  }
  if (bits.flag()) {  // chroma_loc_info_present_flag
    bits.ue();
    bits.ue();
  }
  if (!bits.flag()) return 0;  // timing_info_present_flag
  uint32_t num_units_in_tick = bits.bits(32);
  uint32_t time_scale = bits.bits(32);
  if (!bits.ok() || num_units_in_tick == 0 || time_scale == 0) return 0;
  // One frame is two ticks (field-based timing, E.2.1).
  return static_cast<double>(time_scale) / (2.0 * num_units_in_tick);
}

}  // namespace

std::vector<uint8_t> nal_to_rbsp(std::span<const uint8_t> nal) {
  std::vector<uint8_t> out;
  out.reserve(nal.size());
  int zeros = 0;
  for (uint8_t b : nal) {
    if (zeros >= 2 && b == 3) {
      zeros = 0;
      continue;
    }
    zeros = (b == 0) ? zeros + 1 : 0;
    out.push_back(b);
  }
  return out;
}

base::Result<AvcConfig> parse_avc_config(std::span<const uint8_t> record) {
  base::ByteReader in(record);
  AvcConfig config;
  uint8_t version = in.u8();
  config.profile = in.u8();
  config.compatibility = in.u8();
  config.level = in.u8();
  config.nal_length_size = static_cast<uint8_t>((in.u8() & 0x03) + 1);
  if (!in.ok()) return make_error("avcC: truncated header");
  if (version != 1) return make_error("avcC: unsupported configuration version");
  if (config.nal_length_size == 3) return make_error("avcC: invalid NAL length size 3");

  auto read_sets = [&in](size_t count, uint8_t want_type, std::vector<base::Buffer>& out) {
    for (size_t i = 0; i < count; ++i) {
      uint16_t length = in.u16be();
      auto nal = in.bytes(length);
      if (!in.ok()) return base::Status(make_error("avcC: truncated parameter set"));
      if (nal.empty() || nal_type(nal[0]) != want_type) {
        return base::Status(make_error("avcC: parameter set of the wrong NAL type"));
      }
      out.push_back(base::Buffer::copy_of(nal));
    }
    return base::Status();
  };
  size_t sps_count = in.u8() & 0x1f;
  if (auto s = read_sets(sps_count, kNalSps, config.sps); !s) return s.error();
  size_t pps_count = in.u8();
  if (!in.ok()) return make_error("avcC: truncated before PPS count");
  if (auto s = read_sets(pps_count, kNalPps, config.pps); !s) return s.error();
  // Any trailing High-profile extension (chroma format, bit depth, SPS-ext) is redundant
  // with the SPS and ignored.
  if (config.sps.empty()) return make_error("avcC: no SPS");
  if (config.pps.empty()) return make_error("avcC: no PPS");
  return config;
}

base::Result<SpsInfo> parse_sps(std::span<const uint8_t> nal) {
  if (nal.empty() || nal_type(nal[0]) != kNalSps) return make_error("SPS: not an SPS NAL unit");
  std::vector<uint8_t> rbsp = nal_to_rbsp(nal.subspan(1));
  BitReader bits(rbsp);
  SpsInfo sps;
  sps.profile = static_cast<uint8_t>(bits.bits(8));
  sps.constraint_flags = static_cast<uint8_t>(bits.bits(8));
  sps.level = static_cast<uint8_t>(bits.bits(8));
  sps.id = bits.ue();
  if (!bits.ok()) return make_error("SPS: truncated header");
  if (sps.id > kMaxSpsId) return make_error("SPS: seq_parameter_set_id out of range");

  bool separate_colour_planes = false;
  if (has_chroma_info(sps.profile)) {
    sps.chroma_format = bits.ue();
    if (sps.chroma_format > 3) return make_error("SPS: chroma_format_idc out of range");
    if (sps.chroma_format == 3) separate_colour_planes = bits.flag();
    if (bits.ue() > kMaxBitDepthMinus8 || bits.ue() > kMaxBitDepthMinus8) {
      return make_error("SPS: bit depth out of range");
    }
    bits.skip(1);       // qpprime_y_zero_transform_bypass_flag
    if (bits.flag()) {  // seq_scaling_matrix_present_flag
      int lists = sps.chroma_format == 3 ? 12 : 8;
      for (int i = 0; i < lists && bits.ok(); ++i) {
        if (bits.flag()) skip_scaling_list(bits, i < 6 ? 16 : 64);
      }
    }
    if (!bits.ok()) return make_error("SPS: malformed chroma or scaling-matrix info");
  }

  if (bits.ue() > kMaxLog2Minus4) return make_error("SPS: log2_max_frame_num out of range");
  uint32_t poc_type = bits.ue();
  if (poc_type == 0) {
    if (bits.ue() > kMaxLog2Minus4) return make_error("SPS: log2_max_poc_lsb out of range");
  } else if (poc_type == 1) {
    bits.skip(1);  // delta_pic_order_always_zero_flag
    bits.se();     // offset_for_non_ref_pic
    bits.se();     // offset_for_top_to_bottom_field
    uint32_t cycle = bits.ue();
    if (cycle > kMaxPocCycle) return make_error("SPS: POC cycle too long");
    for (uint32_t i = 0; i < cycle && bits.ok(); ++i) bits.se();
  } else if (poc_type != 2) {
    return make_error("SPS: pic_order_cnt_type out of range");
  }
  bits.ue();     // max_num_ref_frames
  bits.skip(1);  // gaps_in_frame_num_value_allowed_flag
  uint64_t width_mbs = uint64_t{bits.ue()} + 1;
  uint64_t height_map_units = uint64_t{bits.ue()} + 1;
  bool frame_mbs_only = bits.flag();
  if (!frame_mbs_only) bits.skip(1);  // mb_adaptive_frame_field_flag
  bits.skip(1);                       // direct_8x8_inference_flag
  if (!bits.ok()) return make_error("SPS: truncated picture size");
  uint64_t frame_height_mbs = (frame_mbs_only ? 1 : 2) * height_map_units;
  if (width_mbs > kMaxMbsPerSide || frame_height_mbs > kMaxMbsPerSide) {
    return make_error("SPS: picture size out of range");
  }
  sps.interlaced = !frame_mbs_only;
  sps.width = static_cast<uint32_t>(width_mbs * 16);
  sps.height = static_cast<uint32_t>(frame_height_mbs * 16);

  if (bits.flag()) {  // frame_cropping_flag
    // Crop units (7-19..7-22): chroma subsampling, doubled vertically for field coding.
    uint32_t chroma_array_type = separate_colour_planes ? 0 : sps.chroma_format;
    uint32_t unit_x = (chroma_array_type == 1 || chroma_array_type == 2) ? 2 : 1;
    uint32_t unit_y = (chroma_array_type == 1 ? 2 : 1) * (frame_mbs_only ? 1 : 2);
    uint64_t left = bits.ue(), right = bits.ue(), top = bits.ue(), bottom = bits.ue();
    if (!bits.ok()) return make_error("SPS: truncated frame cropping");
    uint64_t crop_x = unit_x * (left + right);
    uint64_t crop_y = unit_y * (top + bottom);
    if (crop_x >= sps.width || crop_y >= sps.height) {
      return make_error("SPS: frame cropping larger than the picture");
    }
    sps.width -= static_cast<uint32_t>(crop_x);
    sps.height -= static_cast<uint32_t>(crop_y);
  }
  if (bits.flag()) sps.frame_rate = read_vui_frame_rate(bits);  // vui_parameters_present_flag
  // A VUI cut short only loses the frame rate; the size above is already complete.
  if (!bits.ok()) sps.frame_rate = 0;
  return sps;
}

std::string avc_codec_string(uint8_t profile, uint8_t compatibility, uint8_t level) {
  char text[16];
  std::snprintf(text, sizeof text, "avc1.%02x%02x%02x", profile, compatibility, level);
  return text;
}

base::Result<TrackInfo> make_h264_track(uint32_t track_id, base::Buffer avcc) {
  auto config = parse_avc_config(avcc.span());
  if (!config) return config.error();
  auto sps = parse_sps(config->sps.front().span());
  if (!sps) return sps.error();
  TrackInfo track;
  track.id = track_id;
  track.kind = MediaKind::video;
  track.codec = Codec::h264;
  track.timescale = kVideoTimescale;
  track.codec_string = avc_codec_string(config->profile, config->compatibility, config->level);
  track.codec_config = std::move(avcc);
  track.width = sps->width;
  track.height = sps->height;
  track.frame_rate = sps->frame_rate;
  return track;
}

std::optional<std::span<const uint8_t>> AvccNalIterator::next() {
  if (failed_ || pos_ >= frame_.size()) return std::nullopt;
  if (length_size_ == 0 || length_size_ > 4 || frame_.size() - pos_ < length_size_) {
    failed_ = true;
    return std::nullopt;
  }
  size_t length = 0;
  for (uint8_t i = 0; i < length_size_; ++i) length = (length << 8) | frame_[pos_ + i];
  pos_ += length_size_;
  if (length == 0 || length > frame_.size() - pos_) {
    failed_ = true;
    return std::nullopt;
  }
  auto nal = frame_.subspan(pos_, length);
  pos_ += length;
  return nal;
}

base::Result<bool> contains_idr(std::span<const uint8_t> frame, uint8_t nal_length_size) {
  AvccNalIterator nals(frame, nal_length_size);
  bool idr = false;
  while (auto nal = nals.next()) {
    if (nal_type((*nal)[0]) == kNalIdr) idr = true;
  }
  if (nals.failed()) return base::make_error("AVCC: malformed NAL unit length");
  return idr;
}

}  // namespace vela::media::codec
