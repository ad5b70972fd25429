#include "format/scte35/splice_info.hpp"

#include "media/codec/bit_reader.hpp"

namespace vela::format::scte35 {
namespace {

using media::codec::BitReader;

constexpr uint8_t kTableId = 0xFC;
constexpr uint32_t kCueIdentifier = 0x43554549;  // "CUEI"
constexpr uint8_t kSegmentationDescriptorTag = 0x02;
constexpr uint16_t kUnknownCommandLength = 0xFFF;  // legacy encoders leave it unset

uint64_t bits33(BitReader& r) {
  uint64_t high = r.bits(1);
  return (high << 32) | r.bits(32);
}

// splice_time(): a 33-bit PTS when time_specified_flag is set.
std::optional<uint64_t> splice_time(BitReader& r) {
  if (!r.flag()) {
    r.skip(7);
    return std::nullopt;
  }
  r.skip(6);
  return bits33(r);
}

base::Result<SpliceInsert> read_splice_insert(BitReader& r) {
  SpliceInsert insert;
  insert.event_id = r.bits(32);
  insert.cancel = r.flag();
  r.skip(7);
  if (insert.cancel) return insert;
  insert.out_of_network = r.flag();
  bool program_splice = r.flag();
  bool has_duration = r.flag();
  insert.immediate = r.flag();
  r.skip(4);
  if (program_splice && !insert.immediate) insert.pts_time = splice_time(r);
  if (!program_splice) {
    uint32_t components = r.bits(8);
    for (uint32_t i = 0; i < components && r.ok(); ++i) {
      r.skip(8);  // component_tag
      // Component splices are rare; the first component's time stands for the cue.
      if (!insert.immediate) {
        auto t = splice_time(r);
        if (!insert.pts_time) insert.pts_time = t;
      }
    }
  }
  if (has_duration) {
    insert.auto_return = r.flag();
    r.skip(6);
    insert.break_duration = bits33(r);
  }
  insert.unique_program_id = static_cast<uint16_t>(r.bits(16));
  r.skip(16);  // avail_num, avails_expected
  if (!r.ok()) return base::make_error("scte35: splice_insert truncated");
  return insert;
}

base::Result<Segmentation> read_segmentation(std::span<const uint8_t> body) {
  BitReader r(body);
  Segmentation seg;
  seg.event_id = r.bits(32);
  seg.cancel = r.flag();
  r.skip(7);
  if (seg.cancel) {
    if (!r.ok()) return base::make_error("scte35: segmentation_descriptor truncated");
    return seg;
  }
  bool program_segmentation = r.flag();
  bool has_duration = r.flag();
  r.skip(6);  // delivery_not_restricted_flag and its restriction bits (or reserved)
  if (!program_segmentation) {
    uint32_t components = r.bits(8);
    r.skip(static_cast<size_t>(components) * 48);  // component_tag, reserved, pts_offset
  }
  if (has_duration) {
    uint64_t high = r.bits(8);
    seg.duration = (high << 32) | r.bits(32);
  }
  r.skip(8);  // segmentation_upid_type
  uint32_t upid_length = r.bits(8);
  r.skip(static_cast<size_t>(upid_length) * 8);
  seg.type_id = static_cast<uint8_t>(r.bits(8));
  if (!r.ok()) return base::make_error("scte35: segmentation_descriptor truncated");
  return seg;
}

base::Status read_descriptors(std::span<const uint8_t> loop, SpliceInfo& info) {
  while (!loop.empty()) {
    if (loop.size() < 2) return base::make_error("scte35: descriptor header truncated");
    uint8_t tag = loop[0];
    size_t length = loop[1];
    if (loop.size() < 2 + length) return base::make_error("scte35: descriptor longer than its loop");
    auto body = loop.subspan(2, length);
    loop = loop.subspan(2 + length);
    if (body.size() < 4) return base::make_error("scte35: descriptor without identifier");
    uint32_t identifier = (uint32_t{body[0]} << 24) | (uint32_t{body[1]} << 16) | (uint32_t{body[2]} << 8) | body[3];
    if (identifier != kCueIdentifier || tag != kSegmentationDescriptorTag) continue;  // others: skipped
    auto seg = read_segmentation(body.subspan(4));
    if (!seg) return seg.error();
    info.segmentations.push_back(*seg);
  }
  return {};
}

}  // namespace

std::optional<uint64_t> SpliceInfo::splice_pts() const {
  std::optional<uint64_t> t;
  if (splice_insert && !splice_insert->cancel) t = splice_insert->pts_time;
  if (time_signal_pts) t = time_signal_pts;
  if (!t) return std::nullopt;
  return (*t + pts_adjustment) & ((uint64_t{1} << 33) - 1);
}

base::Result<SpliceInfo> parse_splice_info(std::span<const uint8_t> section) {
  // Fixed header (14 bytes) through splice_command_type, plus CRC_32.
  if (section.size() < 18) return base::make_error("scte35: section too short");
  BitReader r(section);
  if (r.bits(8) != kTableId) return base::make_error("scte35: not a splice_info_section (table_id)");
  r.skip(4);  // section_syntax_indicator, private_indicator, sap_type
  size_t section_length = r.bits(12);
  if (section_length + 3 != section.size()) return base::make_error("scte35: section_length does not match the section");
  if (r.bits(8) != 0) return base::make_error("scte35: unsupported protocol_version");
  if (r.flag()) return base::make_error("scte35: encrypted sections are not supported");
  r.skip(6);  // encryption_algorithm
  SpliceInfo info;
  info.pts_adjustment = bits33(r);
  r.skip(8);  // cw_index
  info.tier = static_cast<uint16_t>(r.bits(12));
  uint32_t command_length = r.bits(12);
  info.command_type = static_cast<uint8_t>(r.bits(8));

  // The command runs from byte 14; its length is known for the commands we read even when
  // a legacy encoder left splice_command_length unset.
  constexpr size_t kCommandStart = 14;
  const size_t body_end = section.size() - 4;  // before CRC_32
  auto command = section.subspan(kCommandStart, body_end - kCommandStart);
  BitReader c(command);
  switch (static_cast<CommandType>(info.command_type)) {
    case CommandType::splice_null:
      break;
    case CommandType::splice_insert: {
      auto insert = read_splice_insert(c);
      if (!insert) return insert.error();
      info.splice_insert = *insert;
      break;
    }
    case CommandType::time_signal:
      info.time_signal_pts = splice_time(c);
      if (!c.ok()) return base::make_error("scte35: time_signal truncated");
      break;
    default:
      // Other commands are kept as their type only; their length must be given to go on.
      if (command_length == kUnknownCommandLength) return info;
      c.skip(static_cast<size_t>(command_length) * 8);
      if (!c.ok()) return base::make_error("scte35: splice command longer than the section");
      break;
  }
  size_t consumed = (command.size() * 8 - c.bits_left()) / 8;
  if (command_length != kUnknownCommandLength && command_length != consumed) {
    return base::make_error("scte35: splice_command_length does not match the command");
  }
  auto rest = command.subspan(consumed);
  if (rest.size() < 2) return base::make_error("scte35: descriptor_loop_length missing");
  size_t loop_length = (size_t{rest[0]} << 8) | rest[1];
  if (rest.size() < 2 + loop_length) return base::make_error("scte35: descriptor loop longer than the section");
  if (base::Status s = read_descriptors(rest.subspan(2, loop_length), info); !s) return s.error();
  return info;
}

std::string_view command_name(uint8_t command_type) {
  switch (static_cast<CommandType>(command_type)) {
    case CommandType::splice_null: return "splice_null";
    case CommandType::splice_schedule: return "splice_schedule";
    case CommandType::splice_insert: return "splice_insert";
    case CommandType::time_signal: return "time_signal";
    case CommandType::bandwidth_reservation: return "bandwidth_reservation";
    case CommandType::private_command: return "private_command";
  }
  return "unknown";
}

}  // namespace vela::format::scte35
