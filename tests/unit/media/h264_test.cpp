#include "media/codec/h264.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace vela::media::codec {
namespace {

std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// avcC records written by ffmpeg/libx264 (testsrc2, `-f mp4`), with what ffprobe reports.
struct RealStream {
  const char* name;
  const char* avcc_hex;
  uint32_t width;
  uint32_t height;
  double frame_rate;
  uint32_t chroma_format;
  bool interlaced;
};

constexpr RealStream kRealStreams[] = {
    {"high_720p30",
     "0164001fffe1001a6764001facd9405005bb0110000003001000000303c0f183196001000668ebe3cb22c0fdf8"
     "f800",
     1280, 720, 30, 1, false},
    {"high_1080p25_cropped",
     "01640028ffe1001b67640028acd940780227e5c044000003000400000300c83c60c65801000768ebe3cb3002c0"
     "fdf8f800",
     1920, 1080, 25, 1, false},
    {"baseline_360p30",
     "0142c01effe100196742c01ed900a02ff970110000030001000003003c0f162e4801000568cb83cb20", 640, 360,
     30, 1, false},
    {"high444_odd_size",
     "01f4001effe1001a67f4001e919b281485fc7cf80880000003008000001e078b16cb01000668ebe3c44844fff8"
     "f800",
     642, 362, 30, 3, false},
    {"high422_480p24",
     "017a001effe1001a677a001ebcd940d83de6f011000003000100000300300f162d9601000668ebe3cb22c0fef8"
     "f800",
     854, 480, 24, 2, false},
    {"high_1080i30",
     "01640028ffe1001a67640028acd94078044fde0220000003002000000783e2c5b2c001000668fba3cb22c0fdf8"
     "f800",
     1920, 1080, 30, 1, true},
};

TEST(H264, ParsesRealAvcConfigRecords) {
  for (const auto& stream : kRealStreams) {
    SCOPED_TRACE(stream.name);
    auto bytes = from_hex(stream.avcc_hex);
    auto config = parse_avc_config(bytes);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->profile, bytes[1]);
    EXPECT_EQ(config->compatibility, bytes[2]);
    EXPECT_EQ(config->level, bytes[3]);
    EXPECT_EQ(config->nal_length_size, 4);
    ASSERT_EQ(config->sps.size(), 1u);
    ASSERT_EQ(config->pps.size(), 1u);
    EXPECT_EQ(nal_type(config->sps[0].data()[0]), kNalSps);
    EXPECT_EQ(nal_type(config->pps[0].data()[0]), kNalPps);

    auto sps = parse_sps(config->sps[0].span());
    ASSERT_TRUE(sps) << sps.error().message;
    EXPECT_EQ(sps->profile, config->profile);
    EXPECT_EQ(sps->level, config->level);
    EXPECT_EQ(sps->width, stream.width);
    EXPECT_EQ(sps->height, stream.height);
    EXPECT_DOUBLE_EQ(sps->frame_rate, stream.frame_rate);
    EXPECT_EQ(sps->chroma_format, stream.chroma_format);
    EXPECT_EQ(sps->interlaced, stream.interlaced);
  }
}

TEST(H264, CodecStringIsRfc6381) {
  EXPECT_EQ(avc_codec_string(0x64, 0x00, 0x1f), "avc1.64001f");
  EXPECT_EQ(avc_codec_string(0x42, 0xc0, 0x1e), "avc1.42c01e");
}

TEST(H264, MakesTrackInfo) {
  auto avcc = base::Buffer::copy_of(from_hex(kRealStreams[0].avcc_hex));
  auto track = make_h264_track(3, avcc);
  ASSERT_TRUE(track) << track.error().message;
  EXPECT_EQ(track->id, 3u);
  EXPECT_EQ(track->kind, MediaKind::video);
  EXPECT_EQ(track->codec, Codec::h264);
  EXPECT_EQ(track->timescale, kVideoTimescale);
  EXPECT_EQ(track->codec_string, "avc1.64001f");
  EXPECT_EQ(track->width, 1280u);
  EXPECT_EQ(track->height, 720u);
  EXPECT_DOUBLE_EQ(track->frame_rate, 30);
  EXPECT_EQ(track->codec_config.data(), avcc.data());  // shared, not copied
  EXPECT_FALSE(make_h264_track(3, base::Buffer::copy_of(std::string_view("\x01\x64"))));
}

// Writes SPS syntax elements MSB first, then escapes it into a NAL unit.
class SpsWriter {
 public:
  SpsWriter& u(int n, uint32_t v) {
    for (int i = n - 1; i >= 0; --i) bits_.push_back((v >> i) & 1);
    return *this;
  }
  SpsWriter& ue(uint32_t v) {
    uint64_t code = uint64_t{v} + 1;
    int length = 0;
    while ((code >> length) > 1) ++length;
    u(length, 0);
    for (int i = length; i >= 0; --i) bits_.push_back((code >> i) & 1);
    return *this;
  }
  SpsWriter& se(int32_t v) { return ue(v > 0 ? 2 * v - 1 : -2 * v); }

  std::vector<uint8_t> nal() {
    u(1, 1);  // rbsp_stop_one_bit
    while (bits_.size() % 8) bits_.push_back(0);
    std::vector<uint8_t> out = {0x67};
    int zeros = 0;
    for (size_t i = 0; i < bits_.size(); i += 8) {
      uint8_t byte = 0;
      for (size_t j = 0; j < 8; ++j) byte = static_cast<uint8_t>((byte << 1) | bits_[i + j]);
      if (zeros >= 2 && byte <= 3) {
        out.push_back(3);  // emulation prevention
        zeros = 0;
      }
      zeros = byte == 0 ? zeros + 1 : 0;
      out.push_back(byte);
    }
    return out;
  }

 private:
  std::vector<uint8_t> bits_;
};

// High profile, scaling matrices, POC type 1, cropping and a full VUI up to timing info.
std::vector<uint8_t> synthetic_sps(uint32_t crop_bottom) {
  SpsWriter w;
  w.u(8, 100).u(8, 0).u(8, 40).ue(0);
  w.ue(1).ue(0).ue(0).u(1, 0);  // 4:2:0, 8-bit, no bypass
  w.u(1, 1);                    // seq_scaling_matrix_present_flag
  for (int i = 0; i < 8; ++i) {
    bool present = i == 0 || i == 1 || i == 6;
    w.u(1, present);
    if (!present) continue;
    if (i == 1) {
      w.se(-8);  // next_scale 0: use the default list
    } else {
      for (int j = 0; j < (i < 6 ? 16 : 64); ++j) w.se((j % 5) - 2);
    }
  }
  w.ue(0);                                          // log2_max_frame_num_minus4
  w.ue(1).u(1, 0).se(-2).se(1).ue(2).se(3).se(-3);  // POC type 1 with a 2-frame cycle
  w.ue(4).u(1, 0);                                  // max_num_ref_frames, gaps
  w.ue(119).ue(67).u(1, 1).u(1, 1);                 // 1920x1088, frame_mbs_only, direct_8x8
  w.u(1, 1).ue(0).ue(0).ue(0).ue(crop_bottom);
  w.u(1, 1);                                                  // vui_parameters_present_flag
  w.u(1, 1).u(8, 255).u(16, 4).u(16, 3);                      // Extended_SAR
  w.u(1, 1).u(1, 1);                                          // overscan
  w.u(1, 1).u(3, 5).u(1, 0).u(1, 1).u(8, 1).u(8, 1).u(8, 1);  // video signal, colour
  w.u(1, 1).ue(0).ue(0);                                      // chroma location
  w.u(1, 1).u(32, 1001).u(32, 60000).u(1, 1);                 // timing: 29.97 fps
  w.u(1, 0).u(1, 0).u(1, 0).u(1, 0);  // no HRD, no pic_struct, no restriction
  return w.nal();
}

TEST(H264, ParsesScalingMatricesPocType1AndFullVui) {
  auto nal = synthetic_sps(4);
  auto sps = parse_sps(nal);
  ASSERT_TRUE(sps) << sps.error().message;
  EXPECT_EQ(sps->width, 1920u);
  EXPECT_EQ(sps->height, 1080u);
  EXPECT_NEAR(sps->frame_rate, 29.97, 0.001);
}

TEST(H264, RejectsCroppingLargerThanThePicture) {
  auto nal = synthetic_sps(544);  // 2 * 544 = 1088 rows
  auto sps = parse_sps(nal);
  ASSERT_FALSE(sps);
  EXPECT_NE(sps.error().message.find("cropping"), std::string::npos);
}

TEST(H264, RemovesEmulationPreventionBytes) {
  std::vector<uint8_t> nal = {0x67, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x03};
  std::vector<uint8_t> want = {0x67, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03};
  EXPECT_EQ(nal_to_rbsp(nal), want);
}

TEST(H264, EveryTruncatedSpsFailsCleanly) {
  auto config = parse_avc_config(from_hex(kRealStreams[0].avcc_hex));
  ASSERT_TRUE(config);
  auto full = config->sps[0].span();
  size_t failures = 0;
  for (size_t n = 0; n < full.size(); ++n) {
    auto sps = parse_sps(full.first(n));
    if (!sps) {
      ++failures;
    } else {
      // Only the VUI can be cut short; the picture size is then still complete.
      EXPECT_EQ(sps->width, 1280u);
      EXPECT_EQ(sps->height, 720u);
    }
  }
  EXPECT_GE(failures, 8u);
}

TEST(H264, RejectsMalformedSps) {
  EXPECT_FALSE(parse_sps(std::vector<uint8_t>{}));
  EXPECT_FALSE(parse_sps(std::vector<uint8_t>{0x68, 0x64, 0x00, 0x1f, 0x80}));  // a PPS
  // seq_parameter_set_id with 40 leading zero bits: exp-Golomb overflow.
  EXPECT_FALSE(parse_sps(std::vector<uint8_t>{0x67, 0x42, 0x00, 0x1e, 0, 0, 0, 0, 0, 0xff}));
  // seq_parameter_set_id 32 is out of range.
  EXPECT_FALSE(parse_sps(SpsWriter().u(8, 66).u(8, 0).u(8, 30).ue(32).ue(0).nal()));
  // chroma_format_idc 4.
  EXPECT_FALSE(parse_sps(SpsWriter().u(8, 100).u(8, 0).u(8, 30).ue(0).ue(4).nal()));
  // pic_order_cnt_type 3.
  EXPECT_FALSE(parse_sps(SpsWriter().u(8, 66).u(8, 0).u(8, 30).ue(0).ue(0).ue(3).nal()));
  // A picture 100000 macroblocks wide.
  EXPECT_FALSE(parse_sps(SpsWriter()
                             .u(8, 66)
                             .u(8, 0)
                             .u(8, 30)
                             .ue(0)
                             .ue(0)
                             .ue(2)
                             .ue(1)
                             .u(1, 0)
                             .ue(99999)
                             .ue(10)
                             .u(1, 1)
                             .u(1, 1)
                             .u(1, 0)
                             .u(1, 0)
                             .nal()));
}

TEST(H264, RejectsMalformedAvcConfig) {
  auto good = from_hex(kRealStreams[0].avcc_hex);
  // Header, SPS and PPS take 43 bytes; the High-profile extension after them is optional.
  constexpr size_t kThroughPps = 43;
  for (size_t n = 0; n < kThroughPps; ++n) {
    EXPECT_FALSE(parse_avc_config(std::span(good).first(n))) << "prefix " << n;
  }
  EXPECT_TRUE(parse_avc_config(std::span(good).first(kThroughPps)));
  auto bad_version = good;
  bad_version[0] = 0;
  EXPECT_FALSE(parse_avc_config(bad_version));
  auto length_size_3 = good;
  length_size_3[4] = 0xfe;
  EXPECT_FALSE(parse_avc_config(length_size_3));
  auto wrong_type = good;
  wrong_type[8] = 0x68;  // the SPS slot holds a PPS
  EXPECT_FALSE(parse_avc_config(wrong_type));
  auto no_sps = from_hex("0164001fffe0");
  EXPECT_FALSE(parse_avc_config(no_sps));
  // Drop the PPS: count 0.
  std::vector<uint8_t> no_pps(good.begin(), good.begin() + 8 + 26);
  no_pps.push_back(0);
  EXPECT_FALSE(parse_avc_config(no_pps));
  // Two-byte NAL lengths are fine.
  auto short_lengths = good;
  short_lengths[4] = 0xfd;
  auto config = parse_avc_config(short_lengths);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->nal_length_size, 2);
}

std::vector<uint8_t> avcc_frame(std::initializer_list<std::vector<uint8_t>> nals) {
  std::vector<uint8_t> out;
  for (const auto& nal : nals) {
    uint32_t n = static_cast<uint32_t>(nal.size());
    out.insert(out.end(), {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)});
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

TEST(H264, WalksAvccNalUnits) {
  auto frame = avcc_frame({{0x09, 0xf0}, {0x06, 0x05, 0x01}, {0x65, 0x88, 0x84}});
  AvccNalIterator nals(frame);
  std::vector<uint8_t> types;
  while (auto nal = nals.next()) types.push_back(nal_type((*nal)[0]));
  EXPECT_FALSE(nals.failed());
  EXPECT_EQ(types, (std::vector<uint8_t>{kNalAud, kNalSei, kNalIdr}));
  auto idr = contains_idr(frame);
  ASSERT_TRUE(idr);
  EXPECT_TRUE(*idr);

  auto inter = contains_idr(avcc_frame({{0x09, 0xf0}, {0x41, 0x9a}}));
  ASSERT_TRUE(inter);
  EXPECT_FALSE(*inter);

  std::vector<uint8_t> two_byte = {0x00, 0x02, 0x65, 0x88};
  auto idr2 = contains_idr(two_byte, 2);
  ASSERT_TRUE(idr2);
  EXPECT_TRUE(*idr2);
}

TEST(H264, RejectsMalformedAvccFraming) {
  auto frame = avcc_frame({{0x65, 0x88, 0x84}});
  frame[3] = 9;  // length past the end
  EXPECT_FALSE(contains_idr(frame));
  EXPECT_FALSE(contains_idr(std::vector<uint8_t>{0, 0, 0, 0}));  // zero length
  EXPECT_FALSE(contains_idr(std::vector<uint8_t>{0, 0, 1}));     // truncated length
  EXPECT_FALSE(contains_idr(avcc_frame({{0x65}}), 5));           // bad length size
  auto empty = contains_idr({});
  ASSERT_TRUE(empty);
  EXPECT_FALSE(*empty);
}

}  // namespace
}  // namespace vela::media::codec
