#include "media/codec/aac.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vela::media::codec {
namespace {

// Packs (width, value) fields MSB first, padding the last byte with zeros.
std::vector<uint8_t> pack(std::initializer_list<std::pair<int, uint32_t>> fields) {
  std::vector<uint8_t> out;
  int used = 8;
  for (auto [width, value] : fields) {
    for (int i = width - 1; i >= 0; --i) {
      if (used == 8) {
        out.push_back(0);
        used = 0;
      }
      out.back() |= static_cast<uint8_t>(((value >> i) & 1) << (7 - used++));
    }
  }
  return out;
}

TEST(Aac, ParsesCommonLowComplexityConfigs) {
  struct Case {
    std::vector<uint8_t> asc;
    uint32_t rate;
    uint32_t channels;
  };
  const Case cases[] = {
      {{0x12, 0x10}, 44100, 2},
      {{0x11, 0x90}, 48000, 2},
      {{0x11, 0x88}, 48000, 1},
      {{0x13, 0x88}, 22050, 1},
      {{0x11, 0xb0}, 48000, 6},
      // ffmpeg's encoder appends a backward-compatible SBR sync extension (no SBR).
      {{0x12, 0x10, 0x56, 0xe5, 0x00}, 44100, 2},
  };
  for (const auto& c : cases) {
    auto config = parse_audio_specific_config(c.asc);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->object_type, kAacObjectLc);
    EXPECT_EQ(config->core_object_type, kAacObjectLc);
    EXPECT_EQ(config->sample_rate, c.rate);
    EXPECT_EQ(config->output_sample_rate, c.rate);
    EXPECT_EQ(config->channels, c.channels);
    EXPECT_FALSE(config->sbr);
    EXPECT_EQ(aac_codec_string(*config), "mp4a.40.2");
  }
}

TEST(Aac, ParsesExplicitFrequencyAndEscapedObjectType) {
  auto explicit_rate = parse_audio_specific_config(pack({{5, 2}, {4, 15}, {24, 37800}, {4, 2}}));
  ASSERT_TRUE(explicit_rate) << explicit_rate.error().message;
  EXPECT_EQ(explicit_rate->sample_rate, 37800u);

  // Object type 42 (USAC) is escaped: 31, then 42 - 32 in six bits.
  auto escaped = parse_audio_specific_config(pack({{5, 31}, {6, 10}, {4, 3}, {4, 2}}));
  ASSERT_TRUE(escaped) << escaped.error().message;
  EXPECT_EQ(escaped->object_type, 42);
  EXPECT_EQ(escaped->sample_rate, 48000u);
  EXPECT_EQ(aac_codec_string(*escaped), "mp4a.40.42");
}

TEST(Aac, ToleratesExplicitSbrAndPs) {
  // HE-AAC: SBR, core 24 kHz stereo, output 48 kHz, core object type AAC-LC.
  auto he = parse_audio_specific_config(pack({{5, 5}, {4, 6}, {4, 2}, {4, 3}, {5, 2}, {3, 0}}));
  ASSERT_TRUE(he) << he.error().message;
  EXPECT_EQ(he->object_type, kAacObjectSbr);
  EXPECT_EQ(he->core_object_type, kAacObjectLc);
  EXPECT_TRUE(he->sbr);
  EXPECT_FALSE(he->ps);
  EXPECT_EQ(he->sample_rate, 24000u);
  EXPECT_EQ(he->output_sample_rate, 48000u);
  EXPECT_EQ(he->channels, 2u);
  EXPECT_EQ(aac_codec_string(*he), "mp4a.40.5");

  // HE-AAC v2: parametric stereo over a mono core.
  auto v2 = parse_audio_specific_config(pack({{5, 29}, {4, 6}, {4, 1}, {4, 3}, {5, 2}, {3, 0}}));
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_TRUE(v2->ps);
  EXPECT_EQ(v2->channels, 2u);
  EXPECT_EQ(aac_codec_string(*v2), "mp4a.40.29");
}

TEST(Aac, RejectsMalformedConfigs) {
  EXPECT_FALSE(parse_audio_specific_config({}));
  EXPECT_FALSE(parse_audio_specific_config(std::vector<uint8_t>{0x12}));       // truncated
  EXPECT_FALSE(parse_audio_specific_config(pack({{5, 0}, {4, 3}, {4, 2}})));   // null type
  EXPECT_FALSE(parse_audio_specific_config(pack({{5, 2}, {4, 13}, {4, 2}})));  // reserved rate
  EXPECT_FALSE(parse_audio_specific_config(pack({{5, 2}, {4, 3}, {4, 0}})));   // PCE channels
  EXPECT_FALSE(parse_audio_specific_config(pack({{5, 2}, {4, 3}, {4, 9}})));   // reserved
  EXPECT_FALSE(parse_audio_specific_config(pack({{5, 2}, {4, 15}, {8, 1}})));  // short rate
  EXPECT_FALSE(parse_audio_specific_config(pack({{5, 2}, {4, 15}, {24, 900000}, {4, 2}})));
  EXPECT_FALSE(parse_audio_specific_config(pack({{5, 5}, {4, 6}, {4, 2}})));  // SBR cut off
  EXPECT_FALSE(parse_audio_specific_config(pack({{5, 5}, {4, 6}, {4, 2}, {4, 14}, {5, 2}})));
}

TEST(Aac, MakesTrackInfo) {
  auto asc = base::Buffer::copy_of(std::vector<uint8_t>{0x12, 0x10});
  auto track = make_aac_track(2, asc);
  ASSERT_TRUE(track) << track.error().message;
  EXPECT_EQ(track->id, 2u);
  EXPECT_EQ(track->kind, MediaKind::audio);
  EXPECT_EQ(track->codec, Codec::aac);
  EXPECT_EQ(track->timescale, 44100);
  EXPECT_EQ(track->sample_rate, 44100u);
  EXPECT_EQ(track->channels, 2u);
  EXPECT_EQ(track->codec_string, "mp4a.40.2");
  EXPECT_EQ(track->codec_config.data(), asc.data());
  EXPECT_FALSE(make_aac_track(2, base::Buffer()));
}

}  // namespace
}  // namespace vela::media::codec
