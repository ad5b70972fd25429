#pragma once
// Offers in the shape WHIP/WHEP clients produce (written for these tests): Chromium
// publishing (sendonly) and playing (recvonly), Firefox publishing, GStreamer webrtcbin
// publishing. Lines are joined with CRLF unless a test asks for LF.
#include <string>
#include <string_view>
#include <vector>

namespace vela::protocol::sdp::test {

inline std::string join(const std::vector<std::string_view>& lines, std::string_view eol = "\r\n") {
  std::string out;
  for (auto line : lines) {
    out += line;
    out += eol;
  }
  return out;
}

inline constexpr std::string_view kChromeFingerprint =
    "sha-256 "
    "5B:0F:8E:11:3A:C4:D9:72:19:6E:A0:B2:47:FF:01:3C:8D:52:E6:77:90:AB:CD:12:34:56:78:9A:BC:DE:F0:"
    "11";

// Chromium's RTCPeerConnection offer with an audio and a video transceiver.
// direction: "sendonly" (WHIP) or "recvonly" (WHEP); ssrcs only when sending.
inline std::string chromium_offer(std::string_view direction) {
  bool sending = direction != "recvonly";
  std::vector<std::string_view> lines = {
      "v=0",
      "o=- 4215775240449105457 2 IN IP4 127.0.0.1",
      "s=-",
      "t=0 0",
      "a=group:BUNDLE 0 1",
      "a=extmap-allow-mixed",
      "a=msid-semantic: WMS",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
      "c=IN IP4 0.0.0.0",
      "a=rtcp:9 IN IP4 0.0.0.0",
      "a=ice-ufrag:Xq3b",
      "a=ice-pwd:Ez0pQvKc1aJ2Ld7n9cWbF8Yt",
      "a=ice-options:trickle",
      "a=fingerprint:sha-256 "
      "5B:0F:8E:11:3A:C4:D9:72:19:6E:A0:B2:47:FF:01:3C:8D:52:E6:77:90:AB:CD:12:34:56:78:9A:BC:DE:"
      "F0:11",
      "a=setup:actpass",
      "a=mid:0",
      "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
      "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
  };
  std::string dir_line = "a=" + std::string(direction);
  lines.push_back(dir_line);
  if (sending)
    lines.push_back(
        "a=msid:7c1e2a0f-5d3b-4a8e-9f60-1b2c3d4e5f60 a1b2c3d4-0000-4000-8000-000000000001");
  std::vector<std::string_view> audio_tail = {
      "a=rtcp-mux",
      "a=rtcp-rsize",
      "a=rtpmap:111 opus/48000/2",
      "a=rtcp-fb:111 transport-cc",
      "a=fmtp:111 minptime=10;useinbandfec=1",
      "a=rtpmap:63 red/48000/2",
      "a=fmtp:63 111/111",
      "a=rtpmap:9 G722/8000",
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:13 CN/8000",
      "a=rtpmap:110 telephone-event/48000",
      "a=rtpmap:126 telephone-event/8000",
  };
  lines.insert(lines.end(), audio_tail.begin(), audio_tail.end());
  if (sending) {
    lines.push_back("a=ssrc:1001 cname:Qx9dXvH1aZk0pL2m");
    lines.push_back(
        "a=ssrc:1001 msid:7c1e2a0f-5d3b-4a8e-9f60-1b2c3d4e5f60 "
        "a1b2c3d4-0000-4000-8000-000000000001");
  }
  std::vector<std::string_view> video = {
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 "
      "100 101 112 113 123 122 116 117 118",
      "c=IN IP4 0.0.0.0",
      "a=rtcp:9 IN IP4 0.0.0.0",
      "a=ice-ufrag:Xq3b",
      "a=ice-pwd:Ez0pQvKc1aJ2Ld7n9cWbF8Yt",
      "a=ice-options:trickle",
      "a=fingerprint:sha-256 "
      "5B:0F:8E:11:3A:C4:D9:72:19:6E:A0:B2:47:FF:01:3C:8D:52:E6:77:90:AB:CD:12:34:56:78:9A:BC:DE:"
      "F0:11",
      "a=setup:actpass",
      "a=mid:1",
      "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset",
      "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
      "a=extmap:13 urn:3gpp:video-orientation",
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
      "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
      "a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type",
      "a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing",
      "a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space",
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
      "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
      "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
  };
  lines.insert(lines.end(), video.begin(), video.end());
  lines.push_back(dir_line);
  if (sending)
    lines.push_back(
        "a=msid:7c1e2a0f-5d3b-4a8e-9f60-1b2c3d4e5f60 a1b2c3d4-0000-4000-8000-000000000002");
  std::vector<std::string_view> video_tail = {
      "a=rtcp-mux",
      "a=rtcp-rsize",
      "a=rtpmap:96 VP8/90000",
      "a=rtcp-fb:96 goog-remb",
      "a=rtcp-fb:96 transport-cc",
      "a=rtcp-fb:96 ccm fir",
      "a=rtcp-fb:96 nack",
      "a=rtcp-fb:96 nack pli",
      "a=rtpmap:97 rtx/90000",
      "a=fmtp:97 apt=96",
      "a=rtpmap:102 H264/90000",
      "a=rtcp-fb:102 goog-remb",
      "a=rtcp-fb:102 transport-cc",
      "a=rtcp-fb:102 ccm fir",
      "a=rtcp-fb:102 nack",
      "a=rtcp-fb:102 nack pli",
      "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f",
      "a=rtpmap:103 rtx/90000",
      "a=fmtp:103 apt=102",
      "a=rtpmap:104 H264/90000",
      "a=rtcp-fb:104 goog-remb",
      "a=rtcp-fb:104 transport-cc",
      "a=rtcp-fb:104 ccm fir",
      "a=rtcp-fb:104 nack",
      "a=rtcp-fb:104 nack pli",
      "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f",
      "a=rtpmap:105 rtx/90000",
      "a=fmtp:105 apt=104",
      "a=rtpmap:106 H264/90000",
      "a=rtcp-fb:106 goog-remb",
      "a=rtcp-fb:106 transport-cc",
      "a=rtcp-fb:106 ccm fir",
      "a=rtcp-fb:106 nack",
      "a=rtcp-fb:106 nack pli",
      "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
      "a=rtpmap:107 rtx/90000",
      "a=fmtp:107 apt=106",
      "a=rtpmap:108 H264/90000",
      "a=rtcp-fb:108 goog-remb",
      "a=rtcp-fb:108 transport-cc",
      "a=rtcp-fb:108 ccm fir",
      "a=rtcp-fb:108 nack",
      "a=rtcp-fb:108 nack pli",
      "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f",
      "a=rtpmap:109 rtx/90000",
      "a=fmtp:109 apt=108",
      "a=rtpmap:127 H264/90000",
      "a=rtcp-fb:127 goog-remb",
      "a=rtcp-fb:127 transport-cc",
      "a=rtcp-fb:127 ccm fir",
      "a=rtcp-fb:127 nack",
      "a=rtcp-fb:127 nack pli",
      "a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f",
      "a=rtpmap:125 rtx/90000",
      "a=fmtp:125 apt=127",
      "a=rtpmap:39 H264/90000",
      "a=rtcp-fb:39 goog-remb",
      "a=rtcp-fb:39 transport-cc",
      "a=rtcp-fb:39 ccm fir",
      "a=rtcp-fb:39 nack",
      "a=rtcp-fb:39 nack pli",
      "a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f",
      "a=rtpmap:40 rtx/90000",
      "a=fmtp:40 apt=39",
      "a=rtpmap:45 AV1/90000",
      "a=rtcp-fb:45 goog-remb",
      "a=rtcp-fb:45 transport-cc",
      "a=rtcp-fb:45 ccm fir",
      "a=rtcp-fb:45 nack",
      "a=rtcp-fb:45 nack pli",
      "a=fmtp:45 level-idx=5;profile=0;tier=0",
      "a=rtpmap:46 rtx/90000",
      "a=fmtp:46 apt=45",
      "a=rtpmap:98 VP9/90000",
      "a=rtcp-fb:98 goog-remb",
      "a=rtcp-fb:98 transport-cc",
      "a=rtcp-fb:98 ccm fir",
      "a=rtcp-fb:98 nack",
      "a=rtcp-fb:98 nack pli",
      "a=fmtp:98 profile-id=0",
      "a=rtpmap:99 rtx/90000",
      "a=fmtp:99 apt=98",
      "a=rtpmap:100 VP9/90000",
      "a=rtcp-fb:100 goog-remb",
      "a=rtcp-fb:100 transport-cc",
      "a=rtcp-fb:100 ccm fir",
      "a=rtcp-fb:100 nack",
      "a=rtcp-fb:100 nack pli",
      "a=fmtp:100 profile-id=2",
      "a=rtpmap:101 rtx/90000",
      "a=fmtp:101 apt=100",
      "a=rtpmap:112 H264/90000",
      "a=rtcp-fb:112 goog-remb",
      "a=rtcp-fb:112 transport-cc",
      "a=rtcp-fb:112 ccm fir",
      "a=rtcp-fb:112 nack",
      "a=rtcp-fb:112 nack pli",
      "a=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f",
      "a=rtpmap:113 rtx/90000",
      "a=fmtp:113 apt=112",
      "a=rtpmap:123 H264/90000",
      "a=rtcp-fb:123 goog-remb",
      "a=rtcp-fb:123 transport-cc",
      "a=rtcp-fb:123 ccm fir",
      "a=rtcp-fb:123 nack",
      "a=rtcp-fb:123 nack pli",
      "a=fmtp:123 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=f4001f",
      "a=rtpmap:122 rtx/90000",
      "a=fmtp:122 apt=123",
      "a=rtpmap:116 red/90000",
      "a=rtpmap:117 rtx/90000",
      "a=fmtp:117 apt=116",
      "a=rtpmap:118 ulpfec/90000",
  };
  lines.insert(lines.end(), video_tail.begin(), video_tail.end());
  if (sending) {
    lines.push_back("a=ssrc-group:FID 2001 2002");
    lines.push_back("a=ssrc:2001 cname:Qx9dXvH1aZk0pL2m");
    lines.push_back(
        "a=ssrc:2001 msid:7c1e2a0f-5d3b-4a8e-9f60-1b2c3d4e5f60 "
        "a1b2c3d4-0000-4000-8000-000000000002");
    lines.push_back("a=ssrc:2002 cname:Qx9dXvH1aZk0pL2m");
    lines.push_back(
        "a=ssrc:2002 msid:7c1e2a0f-5d3b-4a8e-9f60-1b2c3d4e5f60 "
        "a1b2c3d4-0000-4000-8000-000000000002");
  }
  return join(lines);
}

// Firefox: fingerprint and ice-options at session level, extmap directions, fmtp before
// rtpmap, sendonly transceivers.
inline std::string firefox_offer() {
  return join({
      "v=0",
      "o=mozilla...THIS_IS_SDPARTA-128.0 7012483648461284386 0 IN IP4 0.0.0.0",
      "s=-",
      "t=0 0",
      "a=sendrecv",
      "a=fingerprint:sha-256 "
      "9A:3E:40:C1:77:05:2B:D8:61:FE:93:0C:A5:4F:16:E2:38:B9:7D:C0:52:1A:6F:E4:08:93:DD:2C:71:B5:"
      "4E:AF",
      "a=group:BUNDLE 0 1",
      "a=ice-options:trickle",
      "a=msid-semantic:WMS *",
      "m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101",
      "c=IN IP4 0.0.0.0",
      "a=sendonly",
      "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
      "a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level",
      "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid",
      "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1",
      "a=fmtp:101 0-15",
      "a=ice-pwd:4c1ba2e0fd7c6d2e8f0b3a91c5d7e213",
      "a=ice-ufrag:8f3a21c7",
      "a=mid:0",
      "a=msid:{5b2a9d3e-1c4f-4e8a-b6d0-2f7e9a1c3b5d} {e1d2c3b4-a596-4788-9900-aabbccddeeff}",
      "a=rtcp-mux",
      "a=rtpmap:109 opus/48000/2",
      "a=rtpmap:9 G722/8000/1",
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:101 telephone-event/8000/1",
      "a=setup:actpass",
      "a=ssrc:3046291866 cname:{0d6b1f52-7a3c-4c9e-8d21-5e6f7a8b9c0d}",
      "m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125 126 127 97 98 123 122 119",
      "c=IN IP4 0.0.0.0",
      "a=sendonly",
      "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid",
      "a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
      "a=extmap:5 urn:ietf:params:rtp-hdrext:toffset",
      "a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
      "a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
      "a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1",
      "a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1",
      "a=fmtp:120 max-fs=12288;max-fr=60",
      "a=fmtp:124 apt=120",
      "a=fmtp:121 max-fs=12288;max-fr=60",
      "a=fmtp:125 apt=121",
      "a=fmtp:127 apt=126",
      "a=fmtp:98 apt=97",
      "a=fmtp:119 apt=122",
      "a=ice-pwd:4c1ba2e0fd7c6d2e8f0b3a91c5d7e213",
      "a=ice-ufrag:8f3a21c7",
      "a=mid:1",
      "a=msid:{5b2a9d3e-1c4f-4e8a-b6d0-2f7e9a1c3b5d} {11223344-5566-4788-99aa-bbccddeeff00}",
      "a=rtcp-fb:120 nack",
      "a=rtcp-fb:120 nack pli",
      "a=rtcp-fb:120 ccm fir",
      "a=rtcp-fb:120 goog-remb",
      "a=rtcp-fb:120 transport-cc",
      "a=rtcp-fb:121 nack",
      "a=rtcp-fb:121 nack pli",
      "a=rtcp-fb:121 ccm fir",
      "a=rtcp-fb:121 goog-remb",
      "a=rtcp-fb:121 transport-cc",
      "a=rtcp-fb:126 nack",
      "a=rtcp-fb:126 nack pli",
      "a=rtcp-fb:126 ccm fir",
      "a=rtcp-fb:126 goog-remb",
      "a=rtcp-fb:126 transport-cc",
      "a=rtcp-fb:97 nack",
      "a=rtcp-fb:97 nack pli",
      "a=rtcp-fb:97 ccm fir",
      "a=rtcp-fb:97 goog-remb",
      "a=rtcp-fb:97 transport-cc",
      "a=rtcp-fb:123 nack",
      "a=rtcp-fb:123 nack pli",
      "a=rtcp-fb:123 ccm fir",
      "a=rtcp-fb:123 goog-remb",
      "a=rtcp-fb:123 transport-cc",
      "a=rtcp-mux",
      "a=rtcp-rsize",
      "a=rtpmap:120 VP8/90000",
      "a=rtpmap:124 rtx/90000",
      "a=rtpmap:121 VP9/90000",
      "a=rtpmap:125 rtx/90000",
      "a=rtpmap:126 H264/90000",
      "a=rtpmap:127 rtx/90000",
      "a=rtpmap:97 H264/90000",
      "a=rtpmap:98 rtx/90000",
      "a=rtpmap:123 ulpfec/90000",
      "a=rtpmap:122 red/90000",
      "a=rtpmap:119 rtx/90000",
      "a=setup:actpass",
      "a=ssrc:2230147690 cname:{0d6b1f52-7a3c-4c9e-8d21-5e6f7a8b9c0d}",
      "a=ssrc:3876259114 cname:{0d6b1f52-7a3c-4c9e-8d21-5e6f7a8b9c0d}",
      "a=ssrc-group:FID 2230147690 3876259114",
  });
}

// GStreamer webrtcbin (whipclientsink): LF line endings, video first, named mids,
// upper-case OPUS, non-trickle host candidates in the offer.
inline std::string gstreamer_offer() {
  return join(
      {
          "v=0",
          "o=- 1356907640580862163 0 IN IP4 0.0.0.0",
          "s=-",
          "t=0 0",
          "a=ice-options:trickle",
          "a=group:BUNDLE video0 audio1",
          "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
          "c=IN IP4 0.0.0.0",
          "a=setup:actpass",
          "a=ice-ufrag:kQ2mFv9tXw3ZsY1bNc7dLp0eRg4hJ6uA",
          "a=ice-pwd:T8vB2nM5xK1qW7zL3cR9fH4jD6sG0yPa",
          "a=rtcp-mux",
          "a=rtcp-rsize",
          "a=sendonly",
          "a=rtpmap:96 H264/90000",
          "a=rtcp-fb:96 nack",
          "a=rtcp-fb:96 nack pli",
          "a=rtcp-fb:96 ccm fir",
          "a=rtcp-fb:96 transport-cc",
          "a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
          "a=fmtp:96 packetization-mode=1;profile-level-id=42c01f;level-asymmetry-allowed=1",
          "a=rtpmap:97 rtx/90000",
          "a=fmtp:97 apt=96",
          "a=ssrc-group:FID 1883339917 3460225541",
          "a=ssrc:1883339917 msid:user1469407385@host-2b8a7c1e webrtctransceiver0",
          "a=ssrc:1883339917 cname:user1469407385@host-2b8a7c1e",
          "a=ssrc:3460225541 msid:user1469407385@host-2b8a7c1e webrtctransceiver0",
          "a=ssrc:3460225541 cname:user1469407385@host-2b8a7c1e",
          "a=mid:video0",
          "a=fingerprint:sha-256 "
          "C4:7F:13:A9:2E:5B:80:D6:3F:91:0A:E7:64:BC:28:D5:1E:8A:F3:06:79:C2:4D:B0:95:6E:1F:A3:57:"
          "E8:0C:42",
          "a=candidate:1 1 UDP 2015363327 192.168.1.20 51515 typ host",
          "a=candidate:2 1 TCP 1015021823 192.168.1.20 9 typ host tcptype active",
          "m=audio 9 UDP/TLS/RTP/SAVPF 111",
          "c=IN IP4 0.0.0.0",
          "a=setup:actpass",
          "a=ice-ufrag:kQ2mFv9tXw3ZsY1bNc7dLp0eRg4hJ6uA",
          "a=ice-pwd:T8vB2nM5xK1qW7zL3cR9fH4jD6sG0yPa",
          "a=rtcp-mux",
          "a=rtcp-rsize",
          "a=sendonly",
          "a=rtpmap:111 OPUS/48000/2",
          "a=rtcp-fb:111 transport-cc",
          "a=extmap:1 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
          "a=fmtp:111 sprop-maxcapturerate=48000;sprop-stereo=0",
          "a=ssrc:2934217615 msid:user1469407385@host-2b8a7c1e webrtctransceiver1",
          "a=ssrc:2934217615 cname:user1469407385@host-2b8a7c1e",
          "a=mid:audio1",
          "a=fingerprint:sha-256 "
          "C4:7F:13:A9:2E:5B:80:D6:3F:91:0A:E7:64:BC:28:D5:1E:8A:F3:06:79:C2:4D:B0:95:6E:1F:A3:57:"
          "E8:0C:42",
      },
      "\n");
}

// Replaces the first occurrence of `from` (which must exist) in `text`.
inline std::string replace(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Removes every line equal to `line` (CRLF or LF terminated).
inline std::string drop_lines(std::string text, std::string_view line) {
  for (std::string_view eol : {"\r\n", "\n"}) {
    std::string needle = std::string(line) + std::string(eol);
    size_t pos = 0;
    for (size_t at; (at = text.find(needle, pos)) != std::string::npos;) {
      if (at == 0 || text[at - 1] == '\n') {
        text.erase(at, needle.size());
        pos = at;
      } else {
        pos = at + 1;
      }
    }
  }
  return text;
}

}  // namespace vela::protocol::sdp::test
