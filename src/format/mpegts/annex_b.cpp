#include "format/mpegts/annex_b.hpp"

#include "base/byte_writer.hpp"

namespace vela::format::mpegts {

namespace {

// Offset of the next 00 00 01 at or after `from`, or bytes.size().
size_t find_start_code(std::span<const uint8_t> bytes, size_t from) {
  for (size_t i = from; i + 2 < bytes.size(); ++i) {
    if (bytes[i + 2] > 1) {
      i += 2;  // no start code can end at i+2 or include it
      continue;
    }
    if (bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 1) return i;
  }
  return bytes.size();
}

}  // namespace

std::vector<std::span<const uint8_t>> split_annex_b(std::span<const uint8_t> bytes) {
  std::vector<std::span<const uint8_t>> out;
  size_t start = find_start_code(bytes, 0);
  while (start < bytes.size()) {
    size_t begin = start + 3;
    size_t next = find_start_code(bytes, begin);
    size_t end = next;
    while (end > begin && bytes[end - 1] == 0)
      --end;  // zero_byte of a 4-byte start code, trailing zeros
    if (end > begin) out.push_back(bytes.subspan(begin, end - begin));
    start = next;
  }
  return out;
}

base::Result<std::vector<uint8_t>> build_avcc(const std::vector<std::vector<uint8_t>>& sps,
                                              const std::vector<std::vector<uint8_t>>& pps) {
  if (sps.empty() || pps.empty()) return base::make_error("avcC needs an SPS and a PPS");
  if (sps.size() > 31 || pps.size() > 255) return base::make_error("too many parameter sets");
  if (sps.front().size() < 4) return base::make_error("SPS too short");
  std::vector<uint8_t> out;
  base::ByteWriter w(out);
  w.u8(1);               // configurationVersion
  w.u8(sps.front()[1]);  // profile_idc
  w.u8(sps.front()[2]);  // constraint flags
  w.u8(sps.front()[3]);  // level_idc
  w.u8(0xFF);            // reserved bits, lengthSizeMinusOne = 3
  w.u8(static_cast<uint8_t>(0xE0 | sps.size()));
  for (const auto& nal : sps) {
    if (nal.size() > 0xFFFF) return base::make_error("parameter set too large");
    w.u16be(static_cast<uint16_t>(nal.size()));
    w.bytes(nal);
  }
  w.u8(static_cast<uint8_t>(pps.size()));
  for (const auto& nal : pps) {
    if (nal.size() > 0xFFFF) return base::make_error("parameter set too large");
    w.u16be(static_cast<uint16_t>(nal.size()));
    w.bytes(nal);
  }
  return out;
}

}  // namespace vela::format::mpegts
