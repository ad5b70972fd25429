#include <gtest/gtest.h>

#include "bench/whep_load_sdp.hpp"
#include "protocol/sdp/sdp.hpp"

namespace vela::bench {
namespace {

using protocol::dtls::DtlsTransportRole;

LocalDescriptionParams local_params() {
  LocalDescriptionParams local;
  local.ice_ufrag = "abcd1234";
  local.ice_pwd = "0123456789abcdefghijklmn";
  local.fingerprint = "AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB";
  local.session_id = 42;
  return local;
}

constexpr std::string_view kAnswer =
    "v=0\r\n"
    "o=- 1 1 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=ice-lite\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
    "a=ice-ufrag:srv1\r\n"
    "a=ice-pwd:serverpasswordserverpass\r\n"
    "a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:00:01:02:03:04:05:06:07:08:09:00:01:02:03:04:05:06:07:08:09:00:01\r\n"
    "a=setup:passive\r\n"
    "a=sendonly\r\n"
    "a=rtcp-mux\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n"
    "a=candidate:2 1 tcp 1000 127.0.0.1 40000 typ host tcptype passive\r\n"
    "a=candidate:3 1 udp 2130706432 127.0.0.2 40001 typ host\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:1\r\n"
    "a=setup:passive\r\n"
    "a=sendonly\r\n"
    "a=rtcp-mux\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:103 rtx/90000\r\n"
    "a=fmtp:103 apt=102\r\n";

TEST(WhepLoadSdp, OfferParsesAsRecvonlyBundleWithChromiumFeatures) {
  std::string offer = build_whep_offer(local_params());
  auto parsed = protocol::sdp::parse_sdp(offer);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->media.size(), 2u);
  ASSERT_NE(parsed->bundle_group(), nullptr);
  EXPECT_EQ(parsed->bundle_group()->mids, (std::vector<std::string>{"0", "1"}));
  const auto& audio = parsed->media[0];
  const auto& video = parsed->media[1];
  EXPECT_EQ(audio.media, "audio");
  EXPECT_EQ(video.media, "video");
  for (const auto& m : parsed->media) {
    EXPECT_EQ(m.effective_direction(), protocol::sdp::Direction::recvonly);
    EXPECT_TRUE(m.rtcp_mux);
    EXPECT_EQ(m.setup, protocol::sdp::Setup::actpass);
    EXPECT_EQ(m.ice.ufrag, "abcd1234");
    EXPECT_EQ(m.ice.pwd, "0123456789abcdefghijklmn");
    ASSERT_EQ(m.fingerprints.size(), 1u);
    EXPECT_EQ(m.fingerprints[0].value, "AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB");
    EXPECT_EQ(m.extmaps.size(), 3u);
  }
  ASSERT_NE(audio.payload(111), nullptr);
  EXPECT_EQ(audio.payload(111)->encoding, "opus");
  ASSERT_NE(video.payload(102), nullptr);
  EXPECT_NE(video.payload(102)->fmtp.find("packetization-mode=1"), std::string::npos);
  EXPECT_EQ(video.payload(102)->rtcp_fb.size(), 5u);
  ASSERT_NE(video.payload(103), nullptr);
  EXPECT_EQ(video.payload(103)->fmtp, "apt=102");
}

TEST(WhepLoadSdp, AnswerGivesCredentialsCandidatesAndPayloadTypes) {
  auto remote = parse_remote_description(kAnswer, false);
  ASSERT_TRUE(remote) << remote.error().message;
  EXPECT_EQ(remote->ice_ufrag, "srv1");
  EXPECT_EQ(remote->ice_pwd, "serverpasswordserverpass");
  EXPECT_EQ(remote->fingerprint, "00:01:02:03:04:05:06:07:08:09:00:01:02:03:04:05:06:07:08:09:00:01:02:03:04:05:06:07:08:09:00:01");
  EXPECT_EQ(remote->our_role, DtlsTransportRole::client);
  EXPECT_TRUE(remote->ice_lite);
  ASSERT_EQ(remote->candidates.size(), 2u);  // the TCP one is skipped
  EXPECT_EQ(remote->candidates[0].address, "127.0.0.2");  // highest priority first
  EXPECT_EQ(remote->candidates[1].port, 40000);
  EXPECT_EQ(remote->audio_pt, 111);
  EXPECT_EQ(remote->video_pt, 102);
  EXPECT_EQ(remote->video_rtx_pt, 103);
  EXPECT_EQ(remote->transport_cc_id, 3);
  EXPECT_EQ(remote->abs_send_time_id, 2);
}

TEST(WhepLoadSdp, AnswerWithActiveSetupMakesUsTheDtlsServer) {
  std::string text(kAnswer);
  for (size_t at; (at = text.find("setup:passive")) != std::string::npos;) text.replace(at, 13, "setup:active");
  auto remote = parse_remote_description(text, false);
  ASSERT_TRUE(remote);
  EXPECT_EQ(remote->our_role, DtlsTransportRole::server);
}

TEST(WhepLoadSdp, RejectsAnswersMissingWhatTheGeneratorNeeds) {
  auto without = [](std::string_view line) {
    std::string text(kAnswer);
    size_t at = text.find(line);
    EXPECT_NE(at, std::string::npos) << line;
    text.erase(at, text.find("\r\n", at) + 2 - at);
    return text;
  };
  EXPECT_FALSE(parse_remote_description(without("a=ice-pwd"), false));
  EXPECT_FALSE(parse_remote_description(without("a=fingerprint"), false));
  std::string no_candidates = without("a=candidate:1");
  size_t at = no_candidates.find("a=candidate:3");
  no_candidates.erase(at, no_candidates.find("\r\n", at) + 2 - at);
  EXPECT_FALSE(parse_remote_description(no_candidates, false));
  EXPECT_FALSE(parse_remote_description("garbage", false));
  EXPECT_FALSE(parse_remote_description("", false));
}

TEST(WhepLoadSdp, CandidateParsing) {
  auto c = parse_candidate("842163049 1 udp 1677729535 10.0.0.2 3478 typ srflx raddr 0.0.0.0 rport 0");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, "10.0.0.2");
  EXPECT_EQ(c->port, 3478);
  EXPECT_EQ(c->priority, 1677729535u);
  EXPECT_FALSE(parse_candidate("1 2 udp 100 127.0.0.1 5000 typ host"));    // RTCP component
  EXPECT_FALSE(parse_candidate("1 1 udp 100 127.0.0.1 0 typ host"));       // port 0
  EXPECT_FALSE(parse_candidate("1 1 udp x 127.0.0.1 5000 typ host"));      // priority
  EXPECT_FALSE(parse_candidate("1 1 udp 100 host.local 5000 typ host"));   // mDNS name
  EXPECT_FALSE(parse_candidate("1 1 udp 100 127.0.0.1 5000"));             // truncated
}

TEST(WhepLoadSdp, AnswerToAnOfferMirrorsItsMidsAndPayloadTypes) {
  std::string offer(kAnswer);
  for (size_t at; (at = offer.find("setup:passive")) != std::string::npos;) offer.replace(at, 13, "setup:actpass");
  auto remote = parse_remote_description(offer, true);
  ASSERT_TRUE(remote) << remote.error().message;
  EXPECT_EQ(remote->our_role, DtlsTransportRole::client);
  LocalDescriptionParams local = local_params();
  local.candidate = "1 1 udp 2122260223 127.0.0.1 5000 typ host";
  auto answer = protocol::sdp::parse_sdp(build_answer(local, *remote));
  ASSERT_TRUE(answer) << answer.error().message;
  ASSERT_EQ(answer->media.size(), 2u);
  EXPECT_EQ(answer->media[0].mid, "0");
  EXPECT_EQ(answer->media[1].mid, "1");
  EXPECT_EQ(answer->media[1].setup, protocol::sdp::Setup::active);
  EXPECT_EQ(answer->media[1].effective_direction(), protocol::sdp::Direction::recvonly);
  ASSERT_NE(answer->media[1].payload(103), nullptr);
  EXPECT_EQ(answer->media[1].candidates.size(), 1u);
}

TEST(WhepLoadSdp, IceCredentialsAreIceCharsOfTheAskedLength) {
  std::string a = make_ice_credential(24, 7);
  EXPECT_EQ(a.size(), 24u);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            std::string::npos);
  EXPECT_NE(a, make_ice_credential(24, 8));
  EXPECT_EQ(a, make_ice_credential(24, 7));
}

}  // namespace
}  // namespace vela::bench
