#include <gtest/gtest.h>

#include <string>

#include "protocol/sdp/sdp.hpp"
#include "protocol/sdp/sdp_writer.hpp"
#include "sdp_test_offers.hpp"

namespace vela::protocol::sdp {
namespace {

using test::chromium_offer;
using test::firefox_offer;
using test::gstreamer_offer;

SessionDescription parsed(const std::string& text) {
  auto sd = parse_sdp(text);
  EXPECT_TRUE(sd.ok()) << (sd ? "" : sd.error().message);
  return sd ? *sd : SessionDescription{};
}

std::string error_of(const std::string& text) {
  auto sd = parse_sdp(text);
  EXPECT_FALSE(sd.ok()) << "parsed:\n" << text;
  return sd ? "" : sd.error().message;
}

const std::string kHead = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
const std::string kVideo = "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n";

TEST(SdpParser, ChromiumOfferSessionLevel) {
  SessionDescription sd = parsed(chromium_offer("sendonly"));
  EXPECT_EQ(sd.origin.session_id, "4215775240449105457");
  EXPECT_EQ(sd.origin.address, "127.0.0.1");
  ASSERT_NE(sd.bundle_group(), nullptr);
  EXPECT_EQ(sd.bundle_group()->mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(sd.extmap_allow_mixed);
  EXPECT_EQ(sd.msid_semantic, " WMS");
  EXPECT_FALSE(sd.ice_lite);
  ASSERT_EQ(sd.media.size(), 2u);
}

TEST(SdpParser, ChromiumOfferAudioSection) {
  SessionDescription sd = parsed(chromium_offer("sendonly"));
  const MediaDescription& audio = sd.media[0];
  EXPECT_EQ(audio.media, "audio");
  EXPECT_EQ(audio.port, 9);
  EXPECT_EQ(audio.protocol, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.effective_direction(), Direction::sendonly);
  EXPECT_EQ(audio.ice.ufrag, "Xq3b");
  EXPECT_EQ(audio.ice.pwd, "Ez0pQvKc1aJ2Ld7n9cWbF8Yt");
  EXPECT_EQ(audio.ice.options, "trickle");
  ASSERT_EQ(audio.fingerprints.size(), 1u);
  EXPECT_EQ(audio.fingerprints[0].algorithm, "sha-256");
  EXPECT_TRUE(audio.fingerprints[0].value.starts_with("5B:0F:8E"));
  EXPECT_EQ(audio.setup, Setup::actpass);
  EXPECT_TRUE(audio.rtcp_mux);
  EXPECT_TRUE(audio.rtcp_rsize);
  ASSERT_EQ(audio.payloads.size(), 8u);
  const PayloadFormat* opus = audio.payload(111);
  ASSERT_NE(opus, nullptr);
  EXPECT_EQ(opus->encoding, "opus");
  EXPECT_EQ(opus->clock_rate, 48000u);
  EXPECT_EQ(opus->channels, 2u);
  EXPECT_EQ(opus->fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(opus->rtcp_fb, (std::vector<std::string>{"transport-cc"}));
  EXPECT_EQ(audio.payload(9)->channels, 0u);
  ASSERT_EQ(audio.extmaps.size(), 4u);
  EXPECT_EQ(audio.extmaps[3].id, 4);
  EXPECT_EQ(audio.extmaps[3].uri, "urn:ietf:params:rtp-hdrext:sdes:mid");
  ASSERT_EQ(audio.ssrcs.size(), 2u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 1001u);
  EXPECT_EQ(audio.ssrcs[0].name, "cname");
  EXPECT_EQ(audio.ssrcs[0].value, "Qx9dXvH1aZk0pL2m");
  EXPECT_FALSE(audio.msid.empty());
  ASSERT_EQ(audio.other.size(), 1u);  // a=rtcp:9 IN IP4 0.0.0.0
  EXPECT_EQ(audio.other[0].name, "rtcp");
  EXPECT_EQ(audio.other[0].value, "9 IN IP4 0.0.0.0");
}

TEST(SdpParser, ChromiumOfferVideoSection) {
  SessionDescription sd = parsed(chromium_offer("sendonly"));
  const MediaDescription& video = sd.media[1];
  EXPECT_EQ(video.payloads.size(), 27u);
  const PayloadFormat* h264 = video.payload(106);
  ASSERT_NE(h264, nullptr);
  EXPECT_EQ(h264->encoding, "H264");
  EXPECT_EQ(h264->fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ(h264->rtcp_fb,
            (std::vector<std::string>{"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}));
  EXPECT_EQ(video.payload(107)->fmtp, "apt=106");
  EXPECT_EQ(video.extmaps.size(), 11u);
  ASSERT_EQ(video.ssrc_groups.size(), 1u);
  EXPECT_EQ(video.ssrc_groups[0].semantics, "FID");
  EXPECT_EQ(video.ssrc_groups[0].ssrcs, (std::vector<uint32_t>{2001, 2002}));
}

TEST(SdpParser, ChromiumWhepOfferIsRecvonlyWithoutSsrcs) {
  SessionDescription sd = parsed(chromium_offer("recvonly"));
  for (const auto& m : sd.media) {
    EXPECT_EQ(m.effective_direction(), Direction::recvonly);
    EXPECT_TRUE(m.ssrcs.empty());
  }
}

TEST(SdpParser, FirefoxSessionLevelTransport) {
  SessionDescription sd = parsed(firefox_offer());
  ASSERT_EQ(sd.fingerprints.size(), 1u);
  EXPECT_EQ(sd.ice.options, "trickle");
  EXPECT_TRUE(sd.media[0].fingerprints.empty());
  EXPECT_EQ(sd.media[1].extmaps[3].direction, "recvonly");
  EXPECT_EQ(sd.media[1].payload(126)->rtcp_fb.size(), 5u);
  ASSERT_EQ(sd.other.size(), 1u);
  EXPECT_EQ(sd.other[0].name, "sendrecv");
  EXPECT_FALSE(sd.other[0].has_value);
}

TEST(SdpParser, LfAndCrlfGiveTheSameModel) {
  std::string lf = gstreamer_offer();
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_EQ(write_sdp(parsed(lf)), write_sdp(parsed(crlf)));
  SessionDescription sd = parsed(lf);
  ASSERT_EQ(sd.media.size(), 2u);
  EXPECT_EQ(sd.media[0].mid, "video0");
  EXPECT_EQ(sd.media[0].candidates.size(), 2u);
  EXPECT_EQ(sd.media[1].payload(111)->encoding, "OPUS");
}

TEST(SdpParser, ToleratesBlankLinesUnknownTypesAndNoTrailingNewline) {
  SessionDescription sd = parsed(kHead + "\r\nb=AS:2000\r\ni=info\r\nx=unknown\r\n" + kVideo +
                                 "b=TIAS:1000\r\na=mid:v\r\na=custom-flag");
  ASSERT_EQ(sd.media.size(), 1u);
  ASSERT_EQ(sd.media[0].other.size(), 1u);
  EXPECT_EQ(sd.media[0].other[0].name, "custom-flag");
}

TEST(SdpParser, RtcpFbWildcardAppliesToEveryPayload) {
  SessionDescription sd = parsed(kHead + kVideo + "a=rtcp-fb:* nack\r\n");
  EXPECT_EQ(sd.media[0].payload(96)->rtcp_fb, (std::vector<std::string>{"nack"}));
  EXPECT_EQ(sd.media[0].payload(97)->rtcp_fb, (std::vector<std::string>{"nack"}));
}

TEST(SdpParser, ApplicationSectionKeepsFormatsAsText) {
  SessionDescription sd = parsed(kHead +
                                 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                                 "a=sctp-port:5000\r\na=mid:2\r\n");
  EXPECT_FALSE(sd.media[0].is_rtp());
  EXPECT_EQ(sd.media[0].formats, (std::vector<std::string>{"webrtc-datachannel"}));
  EXPECT_TRUE(sd.media[0].payloads.empty());
}

TEST(SdpParser, ErrorsNameTheLine) {
  EXPECT_EQ(error_of(kHead + kVideo + "a=rtpmap:96 H264\r\n").find("sdp line 6 'a=rtpmap:96 H264'"),
            0u);
  EXPECT_NE(
      error_of(kHead + kVideo + "a=rtpmap:98 H264/90000\r\n").find("not listed on the m= line"),
      std::string::npos);
  EXPECT_NE(error_of(kHead + "garbage\r\n").find("sdp line 5"), std::string::npos);
  EXPECT_NE(error_of(kHead + "A=foo\r\n").find("'<type>=<value>'"), std::string::npos);
  EXPECT_NE(error_of("o=- 1 2 IN IP4 0.0.0.0\r\nv=0\r\n").find("first line must be v=0"),
            std::string::npos);
  EXPECT_NE(error_of("v=1\r\n").find("unsupported version"), std::string::npos);
  EXPECT_NE(error_of(kHead + "m=video 70000 UDP/TLS/RTP/SAVPF 96\r\n").find("port"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "m=video 9 UDP/TLS/RTP/SAVPF\r\n").find("m= needs"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "m=video 9 UDP/TLS/RTP/SAVPF 96 abc\r\n").find("'abc' is not 0-127"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "m=video 9 UDP/TLS/RTP/SAVPF 96 96\r\n").find("twice"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "o=- 1 2 IN IP4 x\r\n").find("o= must appear once"),
            std::string::npos);
  EXPECT_NE(error_of("v=0\r\no=- 1 2 IN\r\ns=-\r\n").find("6 fields"), std::string::npos);
  EXPECT_NE(error_of("v=0\r\ns=-\r\n").find("missing o="), std::string::npos);
  EXPECT_NE(error_of(kHead + "a=\r\n").find("no valid name"), std::string::npos);
  EXPECT_NE(error_of(kHead + "s=again\r\n").find("s= must appear once"), std::string::npos);
}

TEST(SdpParser, RejectsControlCharacters) {
  std::string text = kHead + "a=tool:ab";
  text += '\0';
  text += "cd\r\n";
  EXPECT_NE(error_of(text).find("control characters"), std::string::npos);
  EXPECT_NE(error_of(kHead + "a=tool:a\x1b[2Jb\r\n").find("control characters"), std::string::npos);
}

TEST(SdpParser, RejectsMalformedAttributeValues) {
  std::string m = kHead + kVideo;
  EXPECT_NE(error_of(m + "a=fingerprint:sha-256 ZZ:00\r\n").find("hex pairs"), std::string::npos);
  EXPECT_NE(error_of(m + "a=fingerprint:sha-256 AB:CD\r\n").find("expected 32"), std::string::npos);
  EXPECT_NE(error_of(m + "a=fingerprint:sha-256\r\n").find("fingerprint needs"), std::string::npos);
  EXPECT_NE(error_of(m + "a=setup:sometimes\r\n").find("setup role"), std::string::npos);
  EXPECT_NE(error_of(m + "a=extmap:0 urn:x\r\n").find("extmap id"), std::string::npos);
  EXPECT_NE(error_of(m + "a=extmap:15 urn:x\r\n").find("extmap id"), std::string::npos);
  EXPECT_NE(error_of(m + "a=extmap:256 urn:x\r\n").find("extmap id"), std::string::npos);
  EXPECT_NE(error_of(m + "a=extmap:1/sideways urn:x\r\n").find("direction"), std::string::npos);
  EXPECT_NE(error_of(m + "a=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n").find("used twice"),
            std::string::npos);
  EXPECT_NE(error_of(m + "a=ssrc:4294967296 cname:x\r\n").find("32-bit"), std::string::npos);
  EXPECT_NE(error_of(m + "a=ssrc-group:FID 1 x\r\n").find("32-bit"), std::string::npos);
  EXPECT_NE(error_of(m + "a=rtpmap:96 H264/0\r\n").find("clock rate"), std::string::npos);
  EXPECT_NE(
      error_of(m + "a=rtpmap:96 H264/90000\r\na=rtpmap:96 VP8/90000\r\n").find("second rtpmap"),
      std::string::npos);
  EXPECT_NE(error_of(m + "a=sendonly\r\na=recvonly\r\n").find("conflicting direction"),
            std::string::npos);
  EXPECT_NE(error_of(m + "a=mid:a\r\n" + kVideo + "a=mid:a\r\n").find("mid 'a' used twice"),
            std::string::npos);
  EXPECT_NE(error_of(m + "a=rtcp-fb:96\r\n").find("no feedback"), std::string::npos);
}

TEST(SdpParser, EnforcesLimits) {
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  std::string giant = kHead + kVideo;
  while (giant.size() <= kMaxSdpSize)
    giant += "a=x-padding:0123456789012345678901234567890123456789\r\n";
  EXPECT_NE(error_of(giant).find("larger than"), std::string::npos);

  std::string many_sections = kHead;
  for (size_t i = 0; i <= kMaxMediaSections; ++i)
    many_sections += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
  EXPECT_NE(error_of(many_sections).find("media sections"), std::string::npos);

  std::string many_attributes = kHead + kVideo;
  for (size_t i = 0; i <= kMaxAttributesPerSection; ++i) many_attributes += "a=x\r\n";
  EXPECT_NE(error_of(many_attributes).find("attributes in one section"), std::string::npos);

  std::string many_lines = kHead;
  for (size_t i = 0; i <= kMaxLines; ++i) many_lines += "b=AS:1\n";
  EXPECT_NE(error_of(many_lines).find("lines"), std::string::npos);
}

}  // namespace
}  // namespace vela::protocol::sdp
