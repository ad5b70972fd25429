#include "protocol/sdp/sdp_writer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "protocol/sdp/h264_profile.hpp"
#include "protocol/sdp/sdp.hpp"
#include "sdp_test_offers.hpp"

namespace vela::protocol::sdp {
namespace {

TEST(SdpWriter, RoundTripsClientOffers) {
  for (const std::string& offer :
       {test::chromium_offer("sendonly"), test::chromium_offer("recvonly"), test::firefox_offer(),
        test::gstreamer_offer()}) {
    auto first = parse_sdp(offer);
    ASSERT_TRUE(first.ok()) << first.error().message;
    std::string written = write_sdp(*first);
    auto second = parse_sdp(written);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(write_sdp(*second), written);
    EXPECT_EQ(second->media.size(), first->media.size());
  }
}

TEST(SdpWriter, FixedOrderAndCrlf) {
  SessionDescription sd;
  sd.origin.session_id = "42";
  sd.ice_lite = true;
  sd.groups.push_back(Group{"BUNDLE", {"a"}});
  MediaDescription m;
  m.media = "audio";
  m.port = 9;
  m.protocol = "UDP/TLS/RTP/SAVPF";
  m.formats = {"111"};
  m.mid = "a";
  m.direction = Direction::recvonly;
  m.rtcp_mux = true;
  m.extmaps.push_back(ExtMap{4, {}, "urn:ietf:params:rtp-hdrext:sdes:mid", {}});
  m.payloads.push_back(PayloadFormat{111, "opus", 48000, 2, "minptime=10", {"transport-cc"}});
  m.other.push_back(Attribute{"flag", "", false});
  sd.media.push_back(m);
  EXPECT_EQ(write_sdp(sd),
            "v=0\r\n"
            "o=- 42 0 IN IP4 0.0.0.0\r\n"
            "s=-\r\n"
            "t=0 0\r\n"
            "a=group:BUNDLE a\r\n"
            "a=ice-lite\r\n"
            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
            "a=mid:a\r\n"
            "a=recvonly\r\n"
            "a=rtcp-mux\r\n"
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
            "a=rtpmap:111 opus/48000/2\r\n"
            "a=rtcp-fb:111 transport-cc\r\n"
            "a=fmtp:111 minptime=10\r\n"
            "a=flag\r\n");
}

TEST(SdpH264Profile, ClassifiesBrowserProfiles) {
  auto profile = [](std::string_view hex) {
    auto id = parse_profile_level_id(hex);
    EXPECT_TRUE(id.has_value()) << hex;
    return id ? classify(*id) : H264Profile::other;
  };
  EXPECT_EQ(profile("42e01f"), H264Profile::constrained_baseline);
  EXPECT_EQ(profile("42C01F"), H264Profile::constrained_baseline);
  EXPECT_EQ(profile("4d801f"), H264Profile::constrained_baseline);
  EXPECT_EQ(profile("42001f"), H264Profile::baseline);
  EXPECT_EQ(profile("4d001f"), H264Profile::main);
  EXPECT_EQ(profile("640c1f"), H264Profile::constrained_high);
  EXPECT_EQ(profile("64001f"), H264Profile::high);
  EXPECT_EQ(profile("f4001f"), H264Profile::other);
  EXPECT_EQ(profile("6e001f"), H264Profile::other);
  EXPECT_FALSE(parse_profile_level_id("42e01"));
  EXPECT_FALSE(parse_profile_level_id("42e01g"));
  EXPECT_LT(*h264_preference(H264Profile::constrained_baseline),
            *h264_preference(H264Profile::baseline));
  EXPECT_LT(*h264_preference(H264Profile::main), *h264_preference(H264Profile::constrained_high));
  EXPECT_FALSE(h264_preference(H264Profile::other));
}

}  // namespace
}  // namespace vela::protocol::sdp
