#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/mpegts/psi.hpp"
#include "format/scte35/splice_info.hpp"

using namespace vela::format::scte35;

namespace {

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// The two worked examples of SCTE 35 (section 14): a splice_insert starting a 60 s break,
// and a time_signal with a provider placement opportunity segmentation descriptor.
const std::string kSpliceInsert =
    "fc302f000000000000fffff014054800008f7feffe7369c02efe0052ccf500000000000a0008435545490000013562dba30a";
const std::string kTimeSignal =
    "fc3034000000000000fffff00506fe72bd0050001e021c435545494800008e7fcf0001a599b00808000000002ca0a18a3402009ac9d17e";

// Rewrites the CRC_32 after a test edits a section.
void fix_crc(std::vector<uint8_t>& s) {
  uint32_t crc = vela::format::mpegts::crc32_mpeg2(std::span(s).first(s.size() - 4));
  for (int i = 0; i < 4; ++i) s[s.size() - 4 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
}

}  // namespace

TEST(Scte35, SpliceInsertFromTheStandard) {
  auto bytes = from_hex(kSpliceInsert);
  ASSERT_TRUE(vela::format::mpegts::section_crc_ok(bytes));
  auto info = parse_splice_info(bytes);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->command_type, 0x05);
  EXPECT_EQ(command_name(info->command_type), "splice_insert");
  ASSERT_TRUE(info->splice_insert);
  const auto& insert = *info->splice_insert;
  EXPECT_EQ(insert.event_id, 0x4800008Fu);
  EXPECT_FALSE(insert.cancel);
  EXPECT_TRUE(insert.out_of_network);
  EXPECT_FALSE(insert.immediate);
  EXPECT_EQ(insert.pts_time, 0x07369C02Eull);
  EXPECT_EQ(insert.break_duration, 0x00052CCF5ull);
  EXPECT_TRUE(insert.auto_return);
  EXPECT_EQ(info->splice_pts(), 0x07369C02Eull);
  EXPECT_TRUE(info->segmentations.empty());  // its avail_descriptor is skipped
}

TEST(Scte35, TimeSignalWithSegmentationDescriptor) {
  auto info = parse_splice_info(from_hex(kTimeSignal));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(command_name(info->command_type), "time_signal");
  EXPECT_EQ(info->time_signal_pts, 0x072BD0050ull);
  ASSERT_EQ(info->segmentations.size(), 1u);
  EXPECT_EQ(info->segmentations[0].event_id, 0x4800008Eu);
  EXPECT_EQ(info->segmentations[0].type_id, 0x34);
  EXPECT_EQ(info->segmentations[0].duration, 0x0001A599B0ull);  // 307 s at 90 kHz
}

TEST(Scte35, PtsAdjustmentIsAddedModulo33Bits) {
  auto bytes = from_hex(kTimeSignal);
  // pts_adjustment: bit 32 in byte 4's low bit, then bytes 5..8.
  bytes[4] |= 0x01;
  bytes[5] = bytes[6] = bytes[7] = bytes[8] = 0xFF;  // 2^33 - 1, i.e. minus one tick
  fix_crc(bytes);
  auto info = parse_splice_info(bytes);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->splice_pts(), 0x072BD0050ull - 1);
}

TEST(Scte35, CancelledInsertHasNoSpliceTime) {
  // splice_insert with splice_event_cancel_indicator set: event id, then 0xFF.
  auto bytes = from_hex("fc3000" "00" "0000000000" "00" "fff005" "05" "4800008f" "ff" "0000" "00000000");
  bytes[2] = static_cast<uint8_t>(bytes.size() - 3);
  fix_crc(bytes);
  auto info = parse_splice_info(bytes);
  ASSERT_TRUE(info) << info.error().message;
  ASSERT_TRUE(info->splice_insert);
  EXPECT_TRUE(info->splice_insert->cancel);
  EXPECT_FALSE(info->splice_pts());
}

TEST(Scte35, RefusesMalformedSections) {
  auto good = from_hex(kSpliceInsert);
  EXPECT_FALSE(parse_splice_info(std::span(good).first(10)));  // too short

  auto wrong_table = good;
  wrong_table[0] = 0x02;
  EXPECT_FALSE(parse_splice_info(wrong_table));

  auto wrong_length = good;
  wrong_length[2] = static_cast<uint8_t>(wrong_length[2] + 1);
  EXPECT_FALSE(parse_splice_info(wrong_length));

  auto encrypted = good;
  encrypted[4] |= 0x80;
  fix_crc(encrypted);
  auto refused = parse_splice_info(encrypted);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("encrypted"), std::string::npos);

  // The command claims one byte more than it has.
  auto long_command = good;
  long_command[12] = static_cast<uint8_t>(long_command[12] + 1);
  fix_crc(long_command);
  EXPECT_FALSE(parse_splice_info(long_command));

  // A descriptor that runs past its loop.
  auto bad_descriptor = good;
  bad_descriptor[good.size() - 4 - 9] = 0x20;  // the avail_descriptor's length
  fix_crc(bad_descriptor);
  EXPECT_FALSE(parse_splice_info(bad_descriptor));
}

TEST(Scte35, EveryTruncationFailsCleanly) {
  for (const auto& hex : {kSpliceInsert, kTimeSignal}) {
    auto bytes = from_hex(hex);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      auto shorter = std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut);
      if (shorter.size() >= 3) shorter[2] = static_cast<uint8_t>((shorter.size() - 3) & 0xFF);
      EXPECT_FALSE(parse_splice_info(shorter)) << "cut at " << cut;
    }
  }
}
