#include "format/mpegts/psi.hpp"

#include <algorithm>

#include "base/byte_reader.hpp"

namespace vela::format::mpegts {

namespace {

constexpr uint8_t kRegistrationDescriptor = 0x05;
constexpr size_t kLongHeaderSize = 8;  // table_id .. last_section_number
constexpr size_t kCrcSize = 4;

size_t section_total(std::span<const uint8_t> head) {
  return 3 + (static_cast<size_t>(head[1] & 0x0F) << 8 | head[2]);
}

struct LongSection {
  uint16_t id = 0;  // transport_stream_id or program_number
  uint8_t version = 0;
  bool current = true;
  std::span<const uint8_t> body;  // after the header, before the CRC
};

base::Result<LongSection> parse_long_section(std::span<const uint8_t> section, uint8_t table_id) {
  if (section.size() < kLongHeaderSize + kCrcSize) return base::make_error("section too short");
  if (section[0] != table_id) return base::make_error("unexpected table id");
  if ((section[1] & 0x80) == 0) return base::make_error("section syntax indicator not set");
  if (section_total(section) != section.size()) return base::make_error("section length mismatch");
  if (!section_crc_ok(section)) return base::make_error("section CRC mismatch");
  base::ByteReader in(section.subspan(3));
  LongSection out;
  out.id = in.u16be();
  uint8_t version_byte = in.u8();
  out.version = (version_byte >> 1) & 0x1F;
  out.current = (version_byte & 0x01) != 0;
  in.skip(2);  // section_number, last_section_number
  out.body = section.subspan(kLongHeaderSize, section.size() - kLongHeaderSize - kCrcSize);
  return out;
}

std::optional<uint32_t> find_registration(std::span<const uint8_t> descriptors) {
  base::ByteReader in(descriptors);
  while (in.remaining() >= 2) {
    uint8_t tag = in.u8();
    uint8_t length = in.u8();
    auto body = in.bytes(length);
    if (!in.ok()) break;
    if (tag == kRegistrationDescriptor && body.size() >= 4) {
      return base::ByteReader(body).u32be();
    }
  }
  return std::nullopt;
}

}  // namespace

uint32_t crc32_mpeg2(std::span<const uint8_t> bytes) {
  uint32_t crc = 0xFFFFFFFF;
  for (uint8_t b : bytes) {
    crc ^= static_cast<uint32_t>(b) << 24;
    for (int i = 0; i < 8; ++i) crc = (crc & 0x80000000) ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
  }
  return crc;
}

bool section_crc_ok(std::span<const uint8_t> section) {
  return section.size() >= kCrcSize && crc32_mpeg2(section) == 0;
}

bool SectionAssembler::take(std::span<const uint8_t>& data) {
  auto append = [&](size_t n) {
    n = std::min(n, data.size());
    partial_.insert(partial_.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(n));
    data = data.subspan(n);
  };
  if (partial_.size() < 3) append(3 - partial_.size());
  if (partial_.size() < 3) return false;
  size_t total = section_total(partial_);
  if (total > kMaxSectionSize) {
    ++malformed_;
    reset();
    data = {};
    return false;
  }
  append(total - partial_.size());
  return partial_.size() == total;
}

std::vector<base::Buffer> SectionAssembler::feed(std::span<const uint8_t> payload,
                                                 bool unit_start) {
  std::vector<base::Buffer> out;
  auto complete = [&] {
    out.push_back(base::Buffer::adopt(std::move(partial_)));
    reset();
  };
  if (!unit_start) {
    if (active_ && take(payload)) complete();
    return out;
  }
  if (payload.empty()) return out;
  size_t pointer = payload[0];
  payload = payload.subspan(1);
  if (pointer > payload.size()) {
    ++malformed_;
    reset();
    return out;
  }
  if (active_) {
    auto tail = payload.first(pointer);
    if (take(tail))
      complete();
    else if (active_) {
      ++malformed_;  // the next section starts before this one ended
      reset();
    }
  }
  payload = payload.subspan(pointer);
  // Sections follow each other until stuffing (0xFF) or the end of the packet.
  while (!payload.empty() && payload[0] != 0xFF) {
    active_ = true;
    if (!take(payload)) break;
    complete();
  }
  return out;
}

base::Result<Pat> parse_pat(std::span<const uint8_t> section) {
  auto header = parse_long_section(section, kTableIdPat);
  if (!header) return base::make_error("bad PAT: " + header.error().message);
  if (header->body.size() % 4 != 0) return base::make_error("bad PAT: program loop length");
  Pat pat;
  pat.transport_stream_id = header->id;
  pat.version = header->version;
  pat.current = header->current;
  base::ByteReader in(header->body);
  while (!in.empty()) {
    uint16_t number = in.u16be();
    uint16_t pid = in.u16be() & 0x1FFF;
    if (number != 0) pat.programs.push_back({number, pid});
  }
  return pat;
}

base::Result<Pmt> parse_pmt(std::span<const uint8_t> section) {
  auto header = parse_long_section(section, kTableIdPmt);
  if (!header) return base::make_error("bad PMT: " + header.error().message);
  Pmt pmt;
  pmt.program_number = header->id;
  pmt.version = header->version;
  pmt.current = header->current;
  base::ByteReader in(header->body);
  pmt.pcr_pid = in.u16be() & 0x1FFF;
  uint16_t program_info_length = in.u16be() & 0x0FFF;
  in.skip(program_info_length);
  while (in.ok() && !in.empty()) {
    PmtStream stream;
    stream.stream_type = in.u8();
    stream.pid = in.u16be() & 0x1FFF;
    uint16_t info_length = in.u16be() & 0x0FFF;
    auto descriptors = in.bytes(info_length);
    if (!in.ok()) break;
    stream.registration = find_registration(descriptors);
    pmt.streams.push_back(stream);
  }
  if (!in.ok()) return base::make_error("bad PMT: descriptor or stream loop runs past the section");
  return pmt;
}

}  // namespace vela::format::mpegts
