#pragma once
// H.264 helpers: the AVCDecoderConfigurationRecord (avcC, as RTMP's AVC sequence header and
// MP4 carry it), the sequence parameter set (for picture size and frame rate), RFC 6381
// codec strings, and walking AVCC (length-prefixed) access units. Pure functions over byte
// views; malformed or truncated input is an error value, never an exception.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "media/track_info.hpp"

namespace vela::media::codec {

// nal_unit_type values we act on.
constexpr uint8_t kNalSlice = 1;
constexpr uint8_t kNalIdr = 5;
constexpr uint8_t kNalSei = 6;
constexpr uint8_t kNalSps = 7;
constexpr uint8_t kNalPps = 8;
constexpr uint8_t kNalAud = 9;

inline uint8_t nal_type(uint8_t header_byte) {
  return header_byte & 0x1f;
}

struct AvcConfig {
  uint8_t profile = 0;            // AVCProfileIndication (profile_idc)
  uint8_t compatibility = 0;      // profile_compatibility (constraint_set flags)
  uint8_t level = 0;              // AVCLevelIndication (level_idc)
  uint8_t nal_length_size = 4;    // 1, 2 or 4 bytes before each NAL unit in a frame
  std::vector<base::Buffer> sps;  // NAL units, header byte included
  std::vector<base::Buffer> pps;
};

// Parses an avcC record. Requires version 1, at least one SPS and one PPS of the right NAL
// types. The parameter sets are copied out, so the result does not borrow `record`.
base::Result<AvcConfig> parse_avc_config(std::span<const uint8_t> record);

struct SpsInfo {
  uint8_t profile = 0;
  uint8_t constraint_flags = 0;
  uint8_t level = 0;
  uint32_t id = 0;
  uint32_t chroma_format = 1;  // 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4
  uint32_t width = 0;          // display size, after frame cropping
  uint32_t height = 0;
  bool interlaced = false;  // frame_mbs_only_flag == 0
  double frame_rate = 0;    // from VUI timing info; 0 when absent
};

// Parses a sequence parameter set NAL unit (header byte included, emulation prevention
// bytes still in place).
base::Result<SpsInfo> parse_sps(std::span<const uint8_t> nal);

// Removes emulation prevention bytes (00 00 03 -> 00 00): NAL payload to RBSP.
std::vector<uint8_t> nal_to_rbsp(std::span<const uint8_t> nal);

// "avc1.PPCCLL" (RFC 6381), lowercase hex.
std::string avc_codec_string(uint8_t profile, uint8_t compatibility, uint8_t level);

// A TrackInfo for an H.264 track described by `avcc` (kept by reference as codec_config):
// codec string from the record, size and frame rate from its first SPS.
base::Result<TrackInfo> make_h264_track(uint32_t track_id, base::Buffer avcc);

// Walks the NAL units of one AVCC access unit. next() yields each unit in order and returns
// nullopt at the end; a length that runs past the data (or a zero length) stops the walk
// and sets failed().
class AvccNalIterator {
 public:
  explicit AvccNalIterator(std::span<const uint8_t> frame, uint8_t nal_length_size = 4)
      : frame_(frame), length_size_(nal_length_size) {}

  std::optional<std::span<const uint8_t>> next();
  bool failed() const { return failed_; }

 private:
  std::span<const uint8_t> frame_;
  size_t pos_ = 0;
  uint8_t length_size_;
  bool failed_ = false;
};

// Whether an AVCC access unit holds an IDR slice; an error if its framing is malformed.
base::Result<bool> contains_idr(std::span<const uint8_t> frame, uint8_t nal_length_size = 4);

}  // namespace vela::media::codec
