#include "protocol/sdp/sdp_answer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "protocol/sdp/sdp.hpp"
#include "sdp_test_offers.hpp"

namespace vela::protocol::sdp {
namespace {

using test::chromium_offer;
using test::drop_lines;
using test::firefox_offer;
using test::gstreamer_offer;
using test::replace;

constexpr std::string_view kOurFingerprint =
    "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:"
    "F9";

LocalParameters local_params() {
  LocalParameters local;
  local.ice_ufrag = "vela8ufrag";
  local.ice_pwd = "Vela0123456789abcdefPWD";
  local.fingerprint_sha256 = std::string(kOurFingerprint);
  local.candidates = {{"203.0.113.7", 50000, CandidateTransport::udp},
                      {"203.0.113.7", 8443, CandidateTransport::tcp}};
  local.session_id = 8086;
  local.send.audio_ssrc = 11111;
  local.send.video_ssrc = 22222;
  local.send.video_rtx_ssrc = 33333;
  return local;
}

Answer answer_to(const std::string& offer_text, ServerRole role,
                 const LocalParameters& local = local_params()) {
  auto offer = parse_sdp(offer_text);
  EXPECT_TRUE(offer.ok()) << (offer ? "" : offer.error().message);
  if (!offer) return {};
  auto answer = negotiate_answer(*offer, local, role);
  EXPECT_TRUE(answer.ok()) << (answer ? "" : answer.error().message);
  return answer ? *answer : Answer{};
}

std::string failure_of(const std::string& offer_text, ServerRole role,
                       const LocalParameters& local = local_params()) {
  auto offer = parse_sdp(offer_text);
  EXPECT_TRUE(offer.ok()) << (offer ? "" : offer.error().message);
  if (!offer) return {};
  auto answer = negotiate_answer(*offer, local, role);
  EXPECT_FALSE(answer.ok()) << answer->text;
  return answer ? "" : answer.error().message;
}

bool has_line(const std::string& text, std::string_view line) {
  return text.find("\r\n" + std::string(line) + "\r\n") != std::string::npos;
}

TEST(SdpAnswer, ChromiumWhipNegotiatesOpusAndConstrainedBaseline) {
  Answer a = answer_to(chromium_offer("sendonly"), ServerRole::ingest);
  const Negotiated& n = a.negotiated;
  ASSERT_EQ(n.media.size(), 2u);
  EXPECT_TRUE(n.rejected.empty());

  const NegotiatedMedia& audio = n.media[0];
  EXPECT_EQ(audio.kind, MediaKind::audio);
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.payload_type, 111);
  EXPECT_EQ(audio.fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.direction, Direction::recvonly);
  EXPECT_TRUE(audio.transport_cc);
  EXPECT_FALSE(audio.rtx_payload_type);
  EXPECT_EQ(audio.extensions.mid, 4);
  EXPECT_EQ(audio.extensions.abs_send_time, 2);
  EXPECT_EQ(audio.extensions.transport_cc, 3);
  ASSERT_EQ(audio.remote_sources.size(), 1u);
  EXPECT_EQ(audio.remote_sources[0].ssrc, 1001u);
  EXPECT_FALSE(audio.remote_sources[0].rtx_ssrc);
  EXPECT_EQ(audio.remote_sources[0].cname, "Qx9dXvH1aZk0pL2m");

  const NegotiatedMedia& video = n.media[1];
  EXPECT_EQ(video.kind, MediaKind::video);
  EXPECT_EQ(video.payload_type, 106);  // 42e01f beats the earlier 42001f (102)
  EXPECT_EQ(video.h264_profile_level_id, "42e01f");
  EXPECT_EQ(video.rtx_payload_type, 107);
  EXPECT_TRUE(video.nack && video.pli && video.fir && video.transport_cc);
  EXPECT_FALSE(video.goog_remb);  // not supported by default
  ASSERT_EQ(video.remote_sources.size(), 1u);
  EXPECT_EQ(video.remote_sources[0].ssrc, 2001u);
  EXPECT_EQ(video.remote_sources[0].rtx_ssrc, 2002u);

  EXPECT_EQ(n.remote_ice_ufrag, "Xq3b");
  EXPECT_EQ(n.remote_ice_pwd, "Ez0pQvKc1aJ2Ld7n9cWbF8Yt");
  EXPECT_EQ(n.remote_fingerprint.algorithm, "sha-256");
  EXPECT_TRUE(n.remote_fingerprint.value.starts_with("5B:0F:8E:11"));
  EXPECT_EQ(n.dtls_role, DtlsRole::server);
  EXPECT_EQ(n.bundle_mids, (std::vector<std::string>{"0", "1"}));
}

TEST(SdpAnswer, ChromiumWhipAnswerText) {
  std::string text = answer_to(chromium_offer("sendonly"), ServerRole::ingest).text;
  EXPECT_TRUE(text.starts_with("v=0\r\no=- 8086 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"));
  EXPECT_TRUE(has_line(text, "a=group:BUNDLE 0 1"));
  EXPECT_TRUE(has_line(text, "a=ice-lite"));
  EXPECT_TRUE(has_line(text, "m=audio 50000 UDP/TLS/RTP/SAVPF 111"));
  EXPECT_TRUE(has_line(text, "m=video 50000 UDP/TLS/RTP/SAVPF 106 107"));
  EXPECT_TRUE(has_line(text, "c=IN IP4 203.0.113.7"));
  EXPECT_TRUE(has_line(text, "a=setup:passive"));
  EXPECT_TRUE(has_line(text, "a=recvonly"));
  EXPECT_TRUE(has_line(text, "a=rtcp-mux"));
  EXPECT_TRUE(has_line(text, "a=ice-ufrag:vela8ufrag"));
  EXPECT_TRUE(has_line(text, "a=fingerprint:sha-256 " + std::string(kOurFingerprint)));
  EXPECT_TRUE(has_line(text, "a=rtpmap:111 opus/48000/2"));
  EXPECT_TRUE(has_line(text, "a=fmtp:111 minptime=10;useinbandfec=1"));
  EXPECT_TRUE(has_line(text, "a=rtpmap:106 H264/90000"));
  EXPECT_TRUE(has_line(
      text, "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"));
  EXPECT_TRUE(has_line(text, "a=rtcp-fb:106 nack pli"));
  EXPECT_TRUE(has_line(text, "a=rtcp-fb:106 ccm fir"));
  EXPECT_TRUE(has_line(text, "a=rtpmap:107 rtx/90000"));
  EXPECT_TRUE(has_line(text, "a=fmtp:107 apt=106"));
  EXPECT_TRUE(has_line(text, "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid"));
  EXPECT_TRUE(has_line(
      text,
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"));
  EXPECT_TRUE(has_line(text, "a=candidate:1 1 udp 2130706431 203.0.113.7 50000 typ host"));
  EXPECT_TRUE(
      has_line(text, "a=candidate:2 1 tcp 2122317567 203.0.113.7 8443 typ host tcptype passive"));
  EXPECT_TRUE(has_line(text, "a=end-of-candidates"));
  for (std::string_view absent : {"VP8", "VP9", "AV1", "toffset", "goog-remb", "a=ssrc", "a=msid",
                                  "sendonly", "actpass", "trickle", "ssrc-audio-level"}) {
    EXPECT_EQ(text.find(absent), std::string::npos) << absent;
  }
  for (size_t i = 0; i < text.size(); ++i) {  // every line ends in CRLF
    if (text[i] == '\n') {
      ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
    }
  }
  EXPECT_TRUE(text.ends_with("\r\n"));
}

TEST(SdpAnswer, AnswerIsDeterministicAndParses) {
  std::string offer = chromium_offer("sendonly");
  Answer first = answer_to(offer, ServerRole::ingest);
  Answer second = answer_to(offer, ServerRole::ingest);
  EXPECT_EQ(first.text, second.text);
  auto reparsed = parse_sdp(first.text);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
  EXPECT_TRUE(reparsed->ice_lite);
  EXPECT_EQ(reparsed->media.size(), 2u);
}

TEST(SdpAnswer, ChromiumWhepAnswersSendonlyWithOurSources) {
  Answer a = answer_to(chromium_offer("recvonly"), ServerRole::playback);
  ASSERT_EQ(a.negotiated.media.size(), 2u);
  EXPECT_EQ(a.negotiated.media[0].direction, Direction::sendonly);
  EXPECT_EQ(a.negotiated.media[1].payload_type, 106);
  EXPECT_EQ(a.negotiated.media[1].rtx_payload_type, 107);
  EXPECT_TRUE(a.negotiated.media[1].remote_sources.empty());
  const std::string& text = a.text;
  EXPECT_TRUE(has_line(text, "a=sendonly"));
  EXPECT_EQ(text.find("a=recvonly"), std::string::npos);
  EXPECT_TRUE(has_line(text, "a=msid:vela audio"));
  EXPECT_TRUE(has_line(text, "a=msid:vela video"));
  EXPECT_TRUE(has_line(text, "a=ssrc:11111 cname:vela"));
  EXPECT_TRUE(has_line(text, "a=ssrc-group:FID 22222 33333"));
  EXPECT_TRUE(has_line(text, "a=ssrc:33333 cname:vela"));
}

TEST(SdpAnswer, AudioInItsOwnStreamIsNotLipSynced) {
  LocalParameters local = local_params();
  local.send.audio_stream_id = "vela-audio";
  Answer a = answer_to(chromium_offer("recvonly"), ServerRole::playback, local);
  EXPECT_TRUE(has_line(a.text, "a=msid:vela-audio audio"));
  EXPECT_TRUE(has_line(a.text, "a=msid:vela video"));
}

TEST(SdpAnswer, WhipRejectsAnOfferThatOnlyReceives) {
  std::string why = failure_of(chromium_offer("recvonly"), ServerRole::ingest);
  EXPECT_NE(why.find("no usable media"), std::string::npos) << why;
  EXPECT_NE(why.find("WHIP offer section does not send (a=recvonly)"), std::string::npos) << why;
}

TEST(SdpAnswer, WhepRejectsAnOfferThatOnlySends) {
  std::string why = failure_of(chromium_offer("sendonly"), ServerRole::playback);
  EXPECT_NE(why.find("WHEP offer section does not receive (a=sendonly)"), std::string::npos) << why;
}

TEST(SdpAnswer, FirefoxUsesSessionLevelFingerprint) {
  Answer a = answer_to(firefox_offer(), ServerRole::ingest);
  const Negotiated& n = a.negotiated;
  ASSERT_EQ(n.media.size(), 2u);
  EXPECT_TRUE(n.remote_fingerprint.value.starts_with("9A:3E:40"));
  EXPECT_EQ(n.remote_ice_ufrag, "8f3a21c7");
  EXPECT_EQ(n.media[0].payload_type, 109);
  EXPECT_EQ(n.media[0].fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1");
  EXPECT_EQ(n.media[0].extensions.mid, 3);
  EXPECT_EQ(n.media[0].extensions.transport_cc, 0);
  EXPECT_EQ(n.media[1].payload_type, 126);  // 97 is packetization-mode 0
  EXPECT_EQ(n.media[1].rtx_payload_type, 127);
  EXPECT_EQ(n.media[1].extensions.mid, 3);
  EXPECT_EQ(n.media[1].extensions.abs_send_time, 4);
  EXPECT_EQ(n.media[1].extensions.transport_cc, 7);
  ASSERT_EQ(n.media[1].remote_sources.size(), 1u);
  EXPECT_EQ(n.media[1].remote_sources[0].ssrc, 2230147690u);
  EXPECT_EQ(n.media[1].remote_sources[0].rtx_ssrc, 3876259114u);
  EXPECT_EQ(a.text.find("playout-delay"), std::string::npos);
  EXPECT_EQ(a.text.find("/recvonly"), std::string::npos);
}

TEST(SdpAnswer, GStreamerWebrtcbinOffer) {
  Answer a = answer_to(gstreamer_offer(), ServerRole::ingest);
  const Negotiated& n = a.negotiated;
  ASSERT_EQ(n.media.size(), 2u);
  EXPECT_EQ(n.bundle_mids, (std::vector<std::string>{"video0", "audio1"}));
  EXPECT_EQ(n.media[0].kind, MediaKind::video);
  EXPECT_EQ(n.media[0].h264_profile_level_id, "42c01f");
  EXPECT_EQ(n.media[0].rtx_payload_type, 97);
  EXPECT_EQ(n.media[0].extensions.transport_cc, 1);
  EXPECT_EQ(n.media[0].remote_sources[0].rtx_ssrc, 3460225541u);
  EXPECT_EQ(n.media[1].encoding, "OPUS");
  EXPECT_EQ(n.media[1].fmtp, "sprop-maxcapturerate=48000;sprop-stereo=0");
  EXPECT_EQ(n.remote_candidates.size(), 2u);
  EXPECT_TRUE(has_line(a.text, "a=group:BUNDLE video0 audio1"));
}

std::string video_only_offer(std::string_view formats, const std::vector<std::string_view>& extra) {
  std::vector<std::string_view> lines = {"v=0",
                                         "o=- 5 2 IN IP4 127.0.0.1",
                                         "s=-",
                                         "t=0 0",
                                         "a=group:BUNDLE v",
                                         "a=ice-ufrag:abcd",
                                         "a=ice-pwd:abcdefghijklmnopqrstuv",
                                         "a=fingerprint:sha-256 "
                                         "5B:0F:8E:11:3A:C4:D9:72:19:6E:A0:B2:47:FF:01:3C:8D:52:E6:"
                                         "77:90:AB:CD:12:34:56:78:9A:BC:DE:F0:11",
                                         "a=setup:actpass"};
  std::string mline = "m=video 9 UDP/TLS/RTP/SAVPF " + std::string(formats);
  lines.push_back(mline);
  lines.push_back("a=mid:v");
  lines.push_back("a=sendonly");
  lines.push_back("a=rtcp-mux");
  lines.insert(lines.end(), extra.begin(), extra.end());
  return test::join(lines);
}

TEST(SdpAnswer, H264ProfilePreference) {
  auto chosen = [](std::string_view formats, std::vector<std::string_view> lines) {
    Answer a = answer_to(video_only_offer(formats, lines), ServerRole::ingest);
    return a.negotiated.media.empty() ? std::string() : a.negotiated.media[0].h264_profile_level_id;
  };
  EXPECT_EQ(chosen("100 101", {"a=rtpmap:100 H264/90000",
                               "a=fmtp:100 packetization-mode=1;profile-level-id=640c1f",
                               "a=rtpmap:101 H264/90000",
                               "a=fmtp:101 packetization-mode=1;profile-level-id=4d001f"}),
            "4d001f");
  EXPECT_EQ(chosen("100 101", {"a=rtpmap:100 H264/90000",
                               "a=fmtp:100 packetization-mode=1;profile-level-id=f4001f",
                               "a=rtpmap:101 H264/90000",
                               "a=fmtp:101 packetization-mode=1;profile-level-id=64001F"}),
            "64001f");
  EXPECT_EQ(chosen("100 101", {"a=rtpmap:100 H264/90000",
                               "a=fmtp:100 packetization-mode=1;profile-level-id=42001f",
                               "a=rtpmap:101 H264/90000",
                               "a=fmtp:101 packetization-mode=1;profile-level-id=42001f"}),
            "42001f");
  // No profile-level-id: RFC 6184's default, baseline level 1.0
  EXPECT_EQ(chosen("100", {"a=rtpmap:100 H264/90000", "a=fmtp:100 packetization-mode=1"}),
            "420010");
}

TEST(SdpAnswer, UnacceptedH264ProfilesFail) {
  std::string why = failure_of(
      video_only_offer("100", {"a=rtpmap:100 H264/90000",
                               "a=fmtp:100 packetization-mode=1;profile-level-id=f4001f"}),
      ServerRole::ingest);
  EXPECT_NE(why.find("no accepted H.264 profile offered"), std::string::npos) << why;
}

TEST(SdpAnswer, NoH264PacketizationMode1Fails) {
  std::string why = failure_of(
      video_only_offer("96 104", {"a=rtpmap:96 VP8/90000", "a=rtpmap:104 H264/90000",
                                  "a=fmtp:104 packetization-mode=0;profile-level-id=42e01f"}),
      ServerRole::ingest);
  EXPECT_NE(why.find("no H.264 with packetization-mode=1 offered"), std::string::npos) << why;
}

TEST(SdpAnswer, UnusableVideoIsRejectedWithPortZeroWhenAudioWorks) {
  std::string offer = chromium_offer("sendonly");
  for (std::string_view pt : {"102", "106", "127", "112", "123"}) {
    offer = replace(offer, "a=rtpmap:" + std::string(pt) + " H264/90000",
                    "a=rtpmap:" + std::string(pt) + " H265/90000");
  }
  Answer a = answer_to(offer, ServerRole::ingest);
  ASSERT_EQ(a.negotiated.media.size(), 1u);
  ASSERT_EQ(a.negotiated.rejected.size(), 1u);
  EXPECT_EQ(a.negotiated.rejected[0].mid, "1");
  EXPECT_EQ(a.negotiated.rejected[0].reason, "no H.264 with packetization-mode=1 offered");
  EXPECT_TRUE(has_line(a.text, "a=group:BUNDLE 0"));
  EXPECT_NE(a.text.find("\r\nm=video 0 UDP/TLS/RTP/SAVPF 96 97 102"), std::string::npos);
}

TEST(SdpAnswer, DataChannelIsRejectedWithPortZero) {
  std::string offer =
      replace(chromium_offer("sendonly"), "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2");
  offer +=
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
      "a=mid:2\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";
  Answer a = answer_to(offer, ServerRole::ingest);
  ASSERT_EQ(a.negotiated.media.size(), 2u);
  ASSERT_EQ(a.negotiated.rejected.size(), 1u);
  EXPECT_EQ(a.negotiated.rejected[0].index, 2u);
  EXPECT_EQ(a.negotiated.rejected[0].reason, "unsupported media 'application'");
  EXPECT_TRUE(
      a.text.ends_with("m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                       "c=IN IP4 0.0.0.0\r\na=mid:2\r\n"));
  EXPECT_TRUE(has_line(a.text, "a=group:BUNDLE 0 1"));
}

TEST(SdpAnswer, SecondVideoSectionAndUnbundledSectionAreRejected) {
  std::string offer = chromium_offer("sendonly");
  std::string video = offer.substr(offer.find("m=video"));
  std::string second = replace(replace(video, "a=mid:1", "a=mid:2"), "2001 2002", "3001 3002");
  std::string third = replace(video, "a=mid:1", "a=mid:3");
  offer = replace(offer, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2") + second + third;
  Answer a = answer_to(offer, ServerRole::ingest);
  ASSERT_EQ(a.negotiated.rejected.size(), 2u);
  EXPECT_EQ(a.negotiated.rejected[0].reason, "only one video section is supported");
  EXPECT_EQ(a.negotiated.rejected[1].reason, "mid '3' is not in the BUNDLE group");
}

TEST(SdpAnswer, PortZeroSectionsUnlessBundleOnly) {
  std::string offer = chromium_offer("sendonly");
  std::string rejected = replace(offer, "m=audio 9 ", "m=audio 0 ");
  Answer a = answer_to(rejected, ServerRole::ingest);
  ASSERT_EQ(a.negotiated.rejected.size(), 1u);
  EXPECT_EQ(a.negotiated.rejected[0].reason, "rejected in the offer (port 0)");
  EXPECT_TRUE(has_line(a.text, "a=group:BUNDLE 1"));
  std::string bundle_only = replace(replace(offer, "m=video 9 ", "m=video 0 "), "a=mid:1\r\n",
                                    "a=mid:1\r\na=bundle-only\r\n");
  Answer b = answer_to(bundle_only, ServerRole::ingest);
  EXPECT_EQ(b.negotiated.media.size(), 2u);
  EXPECT_TRUE(has_line(b.text, "m=video 50000 UDP/TLS/RTP/SAVPF 106 107"));
}

TEST(SdpAnswer, TransportRequirements) {
  std::string offer = chromium_offer("sendonly");
  EXPECT_NE(failure_of(drop_lines(offer, "a=group:BUNDLE 0 1"), ServerRole::ingest)
                .find("offer lacks a=group:BUNDLE"),
            std::string::npos);
  EXPECT_NE(failure_of(drop_lines(offer, "a=rtcp-mux"), ServerRole::ingest)
                .find("offer lacks a=rtcp-mux for mid '0'"),
            std::string::npos);
  std::string no_fp = drop_lines(offer, "a=fingerprint:" + std::string(test::kChromeFingerprint));
  EXPECT_NE(failure_of(no_fp, ServerRole::ingest).find("offer lacks a=fingerprint"),
            std::string::npos);
  EXPECT_NE(failure_of(drop_lines(offer, "a=ice-ufrag:Xq3b"), ServerRole::ingest)
                .find("offer lacks a=ice-ufrag"),
            std::string::npos);
  EXPECT_NE(failure_of(drop_lines(offer, "a=ice-pwd:Ez0pQvKc1aJ2Ld7n9cWbF8Yt"), ServerRole::ingest)
                .find("offer lacks a=ice-pwd"),
            std::string::npos);
  std::string lite = replace(offer, "a=extmap-allow-mixed", "a=ice-lite");
  EXPECT_NE(failure_of(lite, ServerRole::ingest).find("ICE-lite too"), std::string::npos);
  std::string md5 = offer;
  for (int i = 0; i < 2; ++i)
    md5 = replace(md5,
                  "a=fingerprint:sha-256 "
                  "5B:0F:8E:11:3A:C4:D9:72:19:6E:A0:B2:47:FF:01:3C:8D:52:E6:77:90:AB:CD:12:34:56:"
                  "78:9A:BC:DE:F0:11",
                  "a=fingerprint:md5 5B:0F:8E:11:3A:C4:D9:72:19:6E:A0:B2:47:FF:01:3C");
  EXPECT_NE(failure_of(md5, ServerRole::ingest).find("no supported hash"), std::string::npos);
}

TEST(SdpAnswer, ExtensionIdsMustAgreeAcrossTheBundle) {
  Answer ok = answer_to(chromium_offer("sendonly"), ServerRole::ingest);
  EXPECT_EQ(ok.negotiated.extensions.mid, 4);
  EXPECT_EQ(ok.negotiated.extensions.abs_send_time, 2);
  EXPECT_EQ(ok.negotiated.extensions.transport_cc, 3);
  // audio says mid is 4, video says mid is 9
  std::string offer = replace(chromium_offer("sendonly"),
                              "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=extmap:10",
                              "a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=extmap:10");
  EXPECT_NE(failure_of(offer, ServerRole::ingest).find("inconsistently across the BUNDLE group"),
            std::string::npos);
}

TEST(SdpAnswer, ExtmapDirectionIsReversed) {
  std::string offer = replace(gstreamer_offer(), "a=extmap:1 http", "a=extmap:1/sendonly http");
  Answer a = answer_to(offer, ServerRole::ingest);
  EXPECT_NE(a.text.find("a=extmap:1/recvonly http://www.ietf.org/id/draft-holmer"),
            std::string::npos);
}

TEST(SdpAnswer, DtlsRoles) {
  std::string offer = chromium_offer("sendonly");
  auto with_setup = [&](std::string_view setup) {
    std::string text = offer;
    for (int i = 0; i < 2; ++i)
      text = replace(text, "a=setup:actpass", "a=setup:" + std::string(setup));
    return text;
  };
  Answer passive = answer_to(with_setup("passive"), ServerRole::ingest);
  EXPECT_EQ(passive.negotiated.dtls_role, DtlsRole::client);
  EXPECT_TRUE(has_line(passive.text, "a=setup:active"));
  Answer active = answer_to(with_setup("active"), ServerRole::ingest);
  EXPECT_EQ(active.negotiated.dtls_role, DtlsRole::server);
  EXPECT_TRUE(has_line(active.text, "a=setup:passive"));
  LocalParameters prefers_client = local_params();
  prefers_client.preferred_dtls_role = DtlsRole::client;
  Answer actpass = answer_to(offer, ServerRole::ingest, prefers_client);
  EXPECT_EQ(actpass.negotiated.dtls_role, DtlsRole::client);
  EXPECT_TRUE(has_line(actpass.text, "a=setup:active"));
  EXPECT_NE(failure_of(with_setup("holdconn"), ServerRole::ingest).find("holdconn"),
            std::string::npos);
}

TEST(SdpAnswer, FeedbackFollowsWhatWeSupport) {
  LocalParameters local = local_params();
  local.feedback.nack = false;
  local.feedback.transport_cc = false;
  local.feedback.goog_remb = true;
  Answer a = answer_to(chromium_offer("sendonly"), ServerRole::ingest, local);
  const NegotiatedMedia& video = a.negotiated.media[1];
  EXPECT_FALSE(video.rtx_payload_type);  // RTX needs NACK
  EXPECT_FALSE(video.nack);
  EXPECT_FALSE(video.transport_cc);
  EXPECT_TRUE(video.goog_remb);
  EXPECT_EQ(video.extensions.transport_cc, 0);
  EXPECT_TRUE(has_line(a.text, "m=video 50000 UDP/TLS/RTP/SAVPF 106"));
  EXPECT_TRUE(has_line(a.text, "a=rtcp-fb:106 goog-remb"));
  EXPECT_EQ(a.text.find("transport-cc"), std::string::npos);
  EXPECT_EQ(a.text.find("rtx/90000"), std::string::npos);
}

TEST(SdpAnswer, WithoutCandidatesUsesDiscardPort) {
  LocalParameters local = local_params();
  local.candidates.clear();
  Answer a = answer_to(gstreamer_offer(), ServerRole::ingest, local);
  EXPECT_TRUE(has_line(a.text, "m=video 9 UDP/TLS/RTP/SAVPF 96 97"));
  EXPECT_TRUE(has_line(a.text, "c=IN IP4 0.0.0.0"));
  local.candidates = {{"2001:db8::7", 40000, CandidateTransport::udp}};
  Answer v6 = answer_to(gstreamer_offer(), ServerRole::ingest, local);
  EXPECT_TRUE(has_line(v6.text, "c=IN IP6 2001:db8::7"));
}

TEST(SdpAnswer, RejectsBadLocalParameters) {
  auto offer = parse_sdp(chromium_offer("sendonly"));
  ASSERT_TRUE(offer.ok());
  auto fails = [&](LocalParameters local, std::string_view what) {
    auto answer = negotiate_answer(*offer, local, ServerRole::ingest);
    ASSERT_FALSE(answer.ok());
    EXPECT_NE(answer.error().message.find(what), std::string::npos) << answer.error().message;
  };
  LocalParameters l = local_params();
  l.ice_ufrag = "ab";
  fails(l, "ice-ufrag");
  l = local_params();
  l.ice_pwd = "short";
  fails(l, "ice-pwd");
  l = local_params();
  l.fingerprint_sha256 = "AB:CD";
  fails(l, "fingerprint");
  l = local_params();
  l.candidates[0].address = "1.2.3.4\r\na=evil";
  fails(l, "IP literal");
  l = local_params();
  l.send.cname = "a b";
  fails(l, "cname");
}

}  // namespace
}  // namespace vela::protocol::sdp
