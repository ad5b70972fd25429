#include <gtest/gtest.h>

#include <string_view>

#include "format/mpegts/pes.hpp"
#include "format/mpegts/psi.hpp"
#include "format/mpegts/stream_type.hpp"
#include "unit/format/mpegts_test_util.hpp"

namespace vela::format::mpegts {
namespace {

using test::Bytes;

TEST(MpegtsPsi, Crc32Mpeg2MatchesTheCheckValue) {
  std::string_view check = "123456789";
  EXPECT_EQ(crc32_mpeg2({reinterpret_cast<const uint8_t*>(check.data()), check.size()}),
            0x0376E6E7u);
  Bytes section = test::pat_section(0x1000);
  EXPECT_TRUE(section_crc_ok(section));
  section[5] ^= 1;
  EXPECT_FALSE(section_crc_ok(section));
}

TEST(MpegtsPsi, ParsesPatSkippingTheNetworkPid) {
  Bytes body = {0x00, 0x00, 0xE0, 0x10, 0x00, 0x07, 0xE1, 0x00};  // network PID, then program 7
  auto pat = parse_pat(test::long_section(kTableIdPat, 42, 3, body));
  ASSERT_TRUE(pat.ok()) << pat.error().message;
  EXPECT_EQ(pat->transport_stream_id, 42);
  EXPECT_EQ(pat->version, 3);
  ASSERT_EQ(pat->programs.size(), 1u);
  EXPECT_EQ(pat->programs[0].program_number, 7);
  EXPECT_EQ(pat->programs[0].pmt_pid, 0x100);
}

TEST(MpegtsPsi, ParsesPmtWithRegistrationDescriptors) {
  Bytes opus_reg = {0x05, 0x04, 'O', 'p', 'u', 's', 0x7F, 0x02, 0x80, 0x02};
  auto pmt = parse_pmt(test::pmt_section({{0x1B, 256}, {0x06, 257, opus_reg}}, 256, 5));
  ASSERT_TRUE(pmt.ok()) << pmt.error().message;
  EXPECT_EQ(pmt->version, 5);
  EXPECT_EQ(pmt->pcr_pid, 256);
  ASSERT_EQ(pmt->streams.size(), 2u);
  EXPECT_EQ(pmt->streams[0].stream_type, 0x1B);
  EXPECT_FALSE(pmt->streams[0].registration);
  EXPECT_EQ(pmt->streams[1].registration, fourcc('O', 'p', 'u', 's'));
}

TEST(MpegtsPsi, RejectsMalformedTables) {
  EXPECT_FALSE(parse_pat(Bytes{0x00, 0xB0}).ok());
  Bytes pmt = test::pmt_section({{0x1B, 256}}, 256);
  EXPECT_FALSE(parse_pat(pmt).ok());  // wrong table id
  Bytes bad_crc = pmt;
  bad_crc.back() ^= 0xFF;
  EXPECT_FALSE(parse_pmt(bad_crc).ok());
  // An ES_info_length past the end of the section (CRC made valid again).
  Bytes body = {0xE1, 0x00, 0xF0, 0x00, 0x1B, 0xE1, 0x00, 0xF0, 0x40};
  EXPECT_FALSE(parse_pmt(test::long_section(kTableIdPmt, 1, 0, body)).ok());
  for (size_t n = 0; n < pmt.size(); ++n) {
    EXPECT_FALSE(parse_pmt(std::span(pmt).first(n)).ok()) << n;
  }
}

TEST(MpegtsPsi, AssemblesSectionsAcrossPackets) {
  Bytes section = test::long_section(0xFC, 0, 0, Bytes(300, 0xAB));
  Bytes unit = test::with_pointer(section);
  SectionAssembler assembler;
  std::span<const uint8_t> rest = unit;
  auto first = assembler.feed(rest.first(184), true);
  EXPECT_TRUE(first.empty());
  auto second = assembler.feed(rest.subspan(184), false);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(
      std::equal(section.begin(), section.end(), second[0].span().begin(), second[0].span().end()));
}

TEST(MpegtsPsi, SeveralSectionsInOnePacketAndPointerTail) {
  Bytes a = test::pat_section(0x100);
  Bytes b = test::pat_section(0x200);
  // pointer_field = 2: two bytes finishing an earlier section, then a and b, then stuffing.
  Bytes payload = {2, 0xEE, 0xEE};
  payload.insert(payload.end(), a.begin(), a.end());
  payload.insert(payload.end(), b.begin(), b.end());
  payload.resize(184, 0xFF);
  SectionAssembler assembler;
  auto out = assembler.feed(payload, true);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].size(), b.size());
  // A pointer past the payload is malformed.
  Bytes bad = {200, 0, 0};
  EXPECT_TRUE(assembler.feed(bad, true).empty());
  EXPECT_EQ(assembler.malformed(), 1u);
}

TEST(MpegtsPes, ParsesPtsAndDts) {
  Bytes data = {1, 2, 3};
  Bytes pes = test::make_pes(0xE0, (uint64_t{1} << 33) - 1, 12345, data, false);
  auto header = parse_pes_header(pes);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->stream_id, 0xE0);
  EXPECT_EQ(header->packet_length, 0);
  EXPECT_EQ(header->pts, (uint64_t{1} << 33) - 1);
  EXPECT_EQ(header->dts, 12345u);
  EXPECT_EQ(header->header_size, 19u);
}

TEST(MpegtsPes, RejectsMalformedHeaders) {
  Bytes pes = test::make_pes(0xC0, 90000, std::nullopt, Bytes{1, 2}, true);
  EXPECT_TRUE(parse_pes_header(pes).ok());
  for (size_t n = 0; n < 14; ++n) EXPECT_FALSE(parse_pes_header(std::span(pes).first(n)).ok()) << n;
  Bytes no_start = pes;
  no_start[2] = 2;
  EXPECT_FALSE(parse_pes_header(no_start).ok());
  Bytes dts_only = pes;
  dts_only[7] = 0x40;
  EXPECT_FALSE(parse_pes_header(dts_only).ok());
  Bytes padding = {0, 0, 1, 0xBE, 0, 2, 0xFF, 0xFF};
  auto p = parse_pes_header(padding);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->header_size, 6u);
}

TEST(MpegtsPacket, ParsesAdaptationFieldAndRejectsBadLengths) {
  Bytes payload = {1, 2, 3};
  std::span<const uint8_t> rest = payload;
  Bytes p =
      test::make_packet(0x100, true, 5, rest,
                        {.random_access = true, .discontinuity = true, .pcr_base = 0x1FFFFFFFF});
  auto packet = parse_ts_packet(p);
  ASSERT_TRUE(packet.ok()) << packet.error().message;
  EXPECT_EQ(packet->pid, 0x100);
  EXPECT_TRUE(packet->payload_unit_start);
  EXPECT_EQ(packet->continuity_counter, 5);
  EXPECT_TRUE(packet->random_access);
  EXPECT_TRUE(packet->discontinuity);
  EXPECT_EQ(packet->pcr, uint64_t{0x1FFFFFFFF} * 300);
  ASSERT_EQ(packet->payload.size(), 3u);
  EXPECT_EQ(packet->payload[2], 3);
  Bytes bad = p;
  bad[4] = 183;  // with payload the field can be at most 182
  EXPECT_FALSE(parse_ts_packet(bad).ok());
  bad[3] &= 0xCF;  // reserved adaptation_field_control
  EXPECT_FALSE(parse_ts_packet(bad).ok());
  EXPECT_FALSE(parse_ts_packet(std::span(p).first(100)).ok());
}

}  // namespace
}  // namespace vela::format::mpegts
