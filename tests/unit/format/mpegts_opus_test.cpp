#include <gtest/gtest.h>

#include <vector>

#include "format/mpegts/opus_access_units.hpp"

namespace vela::format::mpegts {
namespace {

using Bytes = std::vector<uint8_t>;

// One access unit: control header (flags), au_size in 0xFF steps, optional trims, packet.
Bytes access_unit(const Bytes& packet, std::optional<uint16_t> start = {}, std::optional<uint16_t> end = {}) {
  Bytes out = {0x7F, static_cast<uint8_t>(0xE0 | (start ? 0x10 : 0) | (end ? 0x08 : 0))};
  size_t size = packet.size();
  for (; size >= 255; size -= 255) out.push_back(0xFF);
  out.push_back(static_cast<uint8_t>(size));
  for (auto trim : {start, end}) {
    if (!trim) continue;
    out.push_back(static_cast<uint8_t>(*trim >> 8));
    out.push_back(static_cast<uint8_t>(*trim));
  }
  out.insert(out.end(), packet.begin(), packet.end());
  return out;
}

TEST(OpusAccessUnits, SplitsAPesPayloadIntoPackets) {
  Bytes small(3, 0xAA), exact(255, 0xBB), large(700, 0xCC);
  Bytes pes = access_unit(small, 312);
  for (const auto* p : {&exact, &large}) {
    Bytes au = *p == large ? access_unit(*p, {}, 120) : access_unit(*p);
    pes.insert(pes.end(), au.begin(), au.end());
  }
  auto units = split_opus_access_units(pes);
  ASSERT_TRUE(units) << units.error().message;
  ASSERT_EQ(units->size(), 3u);
  EXPECT_EQ(Bytes((*units)[0].packet.begin(), (*units)[0].packet.end()), small);
  EXPECT_EQ((*units)[0].start_trim, 312);
  EXPECT_EQ((*units)[1].packet.size(), 255u);  // 0xFF 0x00: exactly 255
  EXPECT_FALSE((*units)[1].start_trim);
  EXPECT_EQ((*units)[2].packet.size(), 700u);
  EXPECT_EQ((*units)[2].end_trim, 120);
}

TEST(OpusAccessUnits, SkipsTheControlExtension) {
  Bytes pes = {0x7F, 0xE4, 0x02, 0x03, 0x01, 0x02, 0x03, 0x11, 0x22};
  auto units = split_opus_access_units(pes);
  ASSERT_TRUE(units) << units.error().message;
  ASSERT_EQ(units->size(), 1u);
  EXPECT_EQ(Bytes((*units)[0].packet.begin(), (*units)[0].packet.end()), (Bytes{0x11, 0x22}));
}

TEST(OpusAccessUnits, RefusesMalformedPayloads) {
  EXPECT_FALSE(split_opus_access_units(Bytes{0x12, 0x34, 0x01, 0x00}));        // no prefix
  EXPECT_FALSE(split_opus_access_units(Bytes{0x7F, 0xE0}));                    // no size
  EXPECT_FALSE(split_opus_access_units(Bytes{0x7F, 0xE0, 0xFF}));              // size runs out
  EXPECT_FALSE(split_opus_access_units(Bytes{0x7F, 0xE0, 0x05, 0x01, 0x02}));  // packet too short
  EXPECT_FALSE(split_opus_access_units(Bytes{0x7F, 0xF0, 0x01}));              // trim missing
  EXPECT_FALSE(split_opus_access_units(Bytes{0x7F, 0xE0, 0x00}));              // empty unit
  auto ok = split_opus_access_units(Bytes{});
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->empty());
}

}  // namespace
}  // namespace vela::format::mpegts
